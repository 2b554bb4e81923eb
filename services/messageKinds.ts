// Which proactive messages wait for working hours and which never do, in one table. A message that
// carries a safeguarding deadline (an inadequate audit's alert and its 24-hour tasks, a moderation
// still inadequate, an escalation reaching a stage owner, a Cafcass referral) is urgent: marked so in
// the outbox and delivered at once, night or weekend. Everything else is routine and is held through
// quiet hours to the next working morning. Callers name the kind; they never choose the time.
import type { AppContext } from "./context";
import { quietHours } from "./context";
import { DUE_AT_ONCE } from "./outbox";
import { nextDeliveryTime } from "./workingTime";

export const MESSAGE_KINDS = {
  // Urgent: a safeguarding deadline runs from the moment they are sent.
  "audit.inadequate": "urgent",
  "action.immediate": "urgent",
  "moderation.inadequate": "urgent",
  "moderation.tasks": "urgent",
  "escalation.stageOwner": "urgent",
  "escalation.cafcass": "urgent",
  // Audit-of-practice day: poor practice found, the lead manager's recommendation to the senior manager at once.
  "practiceDay.poorPractice": "urgent",
  // Routine: reminders, notes and cards that can wait for the working day.
  "action.assigned": "routine",
  "action.reminder": "routine",
  "action.note": "routine",
  "audit.followUp": "routine",
  "audit.outcome": "routine",
  "audit.digest": "routine",
  "audit.selfAssessment": "routine",
  "audit.notCompleted": "routine",
  "moderation.card": "routine",
  "moderation.note": "routine",
  "escalation.card": "routine",
  "escalation.note": "routine",
  "supervision.reminder": "routine",
  "survey.invite": "routine",
  "survey.nextSteps": "routine",
  // Practice observations and dip samples: planned work, never a safeguarding deadline.
  "observation.card": "routine",
  "dipSample.card": "routine",
  // Audit-of-practice days and multi-agency audits
  "practiceDay.volunteer": "routine",
  "practiceDay.notice": "routine",
  "practiceDay.reminder": "routine",
  "practiceDay.analysis": "routine",
  "practiceDay.recommendation": "routine",
  "practiceDay.followUp": "routine",
  "multiAgency.invite": "routine",
  "multiAgency.discussion": "routine",
  "multiAgency.recommendation": "routine",
} as const satisfies Record<string, "urgent" | "routine">;

export type MessageKind = keyof typeof MESSAGE_KINDS;

export const isUrgent = (kind: MessageKind): boolean => MESSAGE_KINDS[kind] === "urgent";

/**
 * When a message of this kind may arrive, and whether the outbox marks it urgent: an urgent one is
 * due at once; a routine one at `at` in working hours, otherwise the next working morning.
 */
export function deliveryOf(ctx: AppContext, kind: MessageKind, at: Date = ctx.clock.now()): { notBefore: Date; urgent: boolean } {
  return isUrgent(kind)
    ? { notBefore: DUE_AT_ONCE, urgent: true }
    : { notBefore: nextDeliveryTime(at, quietHours(ctx.config)), urgent: false };
}
