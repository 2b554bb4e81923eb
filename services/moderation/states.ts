// The life of a moderation, in one place (services/stateMachine.ts; Bexley Children's Social Care
// Quality Assurance Framework, §1.3, fig 1.4).
//
//   allocated ─agree→ finalised
//   allocated ─disagree→ agreeing ─acceptGrade→ awaiting_approval ─approve→ finalised
//                        agreeing ←refuseApproval─ awaiting_approval
// While allocated the QA team may reassign it; while agreeing either party may propose a grade.
import { defineMachine, openStatuses } from "../stateMachine";

export const moderationMachine = defineMachine("moderation", ["allocated", "agreeing", "awaiting_approval", "finalised"], {
  /** The moderator agrees with the auditor's grade: the audit is finalised at once. */
  agree: "allocated -> finalised",
  /** The moderator disagrees and proposes a grade: moderator and auditor agree one. */
  disagree: "allocated -> agreeing",
  reassign: "allocated -> allocated",
  propose: "agreeing -> agreeing",
  /** The other party accepts the proposed grade: it goes to the moderator's manager. */
  acceptGrade: "agreeing -> awaiting_approval",
  approve: "awaiting_approval -> finalised",
  refuseApproval: "awaiting_approval -> agreeing",
});
export type ModerationStatus = (typeof moderationMachine.statuses)[number];

/** Complete: agreed at once, or its agreed grade approved (what the reports count as moderated). */
export const MODERATION_COMPLETED: ModerationStatus = moderationMachine.steps.approve.to;
/** Submitted with another grade and not yet complete: the grade is being agreed, or awaits approval. */
export const MODERATION_BEING_AGREED: ModerationStatus[] = [moderationMachine.steps.disagree.to, moderationMachine.steps.acceptGrade.to];

/** Moderations still needing someone (the moderator, the parties or the approver). */
export const OPEN_MODERATION_STATUSES = openStatuses(moderationMachine);
