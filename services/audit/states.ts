// The life of a case audit, its self-assessment and its actions, in one place (services/stateMachine.ts).
//
// Audit:    allocated ─accept→ accepted ─save→ in_progress ─submit→ submitted ─finalise→ finalised
//           allocated|accepted ─swap→ allocated (a peer's now); accepted ─submit→ submitted;
//           allocated|accepted|in_progress ─recordNotCompleted→ not_completed (the QA team, with a reason).
// Self-assessment: pending|draft ─saveDraft→ draft; pending|draft ─submit→ submitted.
// Action:   open ─markDone→ done.
import { defineMachine, finalStatuses } from "../stateMachine";

export const auditMachine = defineMachine("audit", ["allocated", "accepted", "in_progress", "submitted", "finalised", "not_completed"], {
  /** The allocated auditor accepts (Bexley framework, §1.3). */
  accept: "allocated -> accepted",
  /** The auditor cannot do it: it moves to a peer, who must accept it again. */
  swap: "allocated | accepted -> allocated",
  /** A page of the form saved as a draft. */
  save: "accepted | in_progress -> in_progress",
  submit: "accepted | in_progress -> submitted",
  /** Moderation agreed (or approved) the grade. */
  finalise: "submitted -> finalised",
  recordNotCompleted: "allocated | accepted | in_progress -> not_completed",
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

export const selfAssessmentMachine = defineMachine("self_assessment", ["pending", "draft", "submitted"], {
  saveDraft: "pending | draft -> draft",
  submit: "pending | draft -> submitted",
});
export type SelfAssessmentStatus = (typeof selfAssessmentMachine.statuses)[number];

export const actionMachine = defineMachine("action", ["open", "done"], {
  /** The assignee (or whoever set it) marks it done, once. */
  markDone: "open -> done",
});
export type ActionStatus = (typeof actionMachine.statuses)[number];

export const OPEN_ACTION_STATUSES = actionMachine.steps.markDone.from;
export const CLOSED_ACTION_STATUSES = finalStatuses(actionMachine);

/** Whether an action is still to do (its reminders run, it can be marked done). */
export const isOpenAction = (status: string): boolean => (OPEN_ACTION_STATUSES as readonly string[]).includes(status);
