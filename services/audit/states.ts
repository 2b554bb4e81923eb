// The life of a case audit, its self-assessment and its actions, in one place (services/stateMachine.ts).
//
// Audit:    allocated ─accept→ accepted ─save→ in_progress ─submit→ submitted ─finalise→ finalised
//           allocated|accepted ─swap→ allocated (a peer's now); accepted ─submit→ submitted;
//           allocated|accepted|in_progress ─recordNotCompleted→ not_completed (the QA team, with a reason).
// Self-assessment: pending|draft ─saveDraft→ draft; pending|draft ─submit→ submitted.
// Action:   open ─markDone→ done.
import { defineMachine } from "../stateMachine";

export const auditMachine = defineMachine({
  entity: "audit",
  table: "Audit",
  statuses: ["allocated", "accepted", "in_progress", "submitted", "finalised", "not_completed"],
  initial: "allocated",
  steps: {
    /** The allocated auditor accepts (Bexley framework, §1.3). */
    accept: { from: ["allocated"], to: "accepted" },
    /** The auditor cannot do it: it moves to a peer, who must accept it again. */
    swap: { from: ["allocated", "accepted"], to: "allocated" },
    /** A page of the form saved as a draft. */
    save: { from: ["accepted", "in_progress"], to: "in_progress" },
    submit: { from: ["accepted", "in_progress"], to: "submitted" },
    /** Moderation agreed (or approved) the grade. */
    finalise: { from: ["submitted"], to: "finalised" },
    recordNotCompleted: { from: ["allocated", "accepted", "in_progress"], to: "not_completed" },
  },
});
export type AuditStatus = (typeof auditMachine.statuses)[number];

/** An audit that can still be carried out (the auditor's list offers Accept, Start or Resume). */
export const OPEN_AUDIT_STATUSES = auditMachine.steps.recordNotCompleted.from;
export const isOpenAudit = (status: string): boolean => (OPEN_AUDIT_STATUSES as readonly string[]).includes(status);
/** The auditor may fill in the form. */
export const EDITABLE_STATUSES = auditMachine.steps.save.from;
/** Returned by the auditor: submitted, then perhaps finalised by moderation. */
export const RETURNED_AUDIT_STATUSES = ["submitted", "finalised"] as const satisfies readonly AuditStatus[];
/** Recorded by the QA team as not to be completed (Audit.declineReason says why). */
export const NOT_COMPLETED_STATUSES = ["not_completed"] as const satisfies readonly AuditStatus[];

export const selfAssessmentMachine = defineMachine({
  entity: "self_assessment",
  table: "SelfAssessment",
  statuses: ["pending", "draft", "submitted"],
  initial: "pending",
  steps: {
    saveDraft: { from: ["pending", "draft"], to: "draft" },
    submit: { from: ["pending", "draft"], to: "submitted" },
  },
});
export type SelfAssessmentStatus = (typeof selfAssessmentMachine.statuses)[number];

export const actionMachine = defineMachine({
  entity: "action",
  table: "Action",
  statuses: ["open", "done"],
  initial: "open",
  steps: {
    /** The assignee (or whoever set it) marks it done, once. */
    markDone: { from: ["open"], to: "done" },
  },
});
export type ActionStatus = (typeof actionMachine.statuses)[number];

export const OPEN_ACTION_STATUSES = actionMachine.steps.markDone.from;
export const CLOSED_ACTION_STATUSES = ["done"] as const satisfies readonly ActionStatus[];

/** Whether an action is still to do (its reminders run, it can be marked done). */
export const isOpenAction = (status: string): boolean => (OPEN_ACTION_STATUSES as readonly string[]).includes(status);
