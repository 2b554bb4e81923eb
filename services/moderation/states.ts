// The life of a moderation, in one place (services/stateMachine.ts; Bexley Children's Social Care
// Quality Assurance Framework, §1.3, fig 1.4).
//
//   allocated ─agree→ finalised
//   allocated ─disagree→ agreeing ─acceptGrade→ awaiting_approval ─approve→ finalised
//                        agreeing ←refuseApproval─ awaiting_approval
// While allocated the QA team may reassign it; while agreeing either party may propose a grade.
import { defineMachine } from "../stateMachine";

export const moderationMachine = defineMachine({
  entity: "moderation",
  table: "Moderation",
  statuses: ["allocated", "agreeing", "awaiting_approval", "finalised"],
  initial: "allocated",
  steps: {
    /** The moderator agrees with the auditor's grade: the audit is finalised at once. */
    agree: { from: ["allocated"], to: "finalised" },
    /** The moderator disagrees and proposes a grade: moderator and auditor agree one. */
    disagree: { from: ["allocated"], to: "agreeing" },
    reassign: { from: ["allocated"], to: "allocated" },
    propose: { from: ["agreeing"], to: "agreeing" },
    /** The other party accepts the proposed grade: it goes to the moderator's manager. */
    acceptGrade: { from: ["agreeing"], to: "awaiting_approval" },
    approve: { from: ["awaiting_approval"], to: "finalised" },
    refuseApproval: { from: ["awaiting_approval"], to: "agreeing" },
  },
});
export type ModerationStatus = (typeof moderationMachine.statuses)[number];

/** Moderations still needing someone (the moderator, the parties or the approver). */
export const OPEN_MODERATION_STATUSES = ["allocated", "agreeing", "awaiting_approval"] as const satisfies readonly ModerationStatus[];
