// Supervision sessions: the supervisor records a session as held or moves it; the reminder and
// overdue jobs follow (a held session's pending jobs are cancelled in the same transaction); the
// views answer "what is my schedule" and, for managers, "whose supervision is overdue".
//
// One file each: record.ts (the supervisor's use cases), reminders.ts (the jobs), views.ts, the
// card in card.ts, the statuses in states.ts, and the booking plan in plan.ts.
export { SESSION_CARD, sessionCardData, type SessionForm } from "./card";
export { openSession, recordSupervisionHeld, rescheduleSupervision } from "./record";
export { markSupervisionOverdue, sendSupervisionReminder } from "./reminders";
export { supervisionOverdueByTeam, supervisionView, type SupervisionView, type TeamSupervisionFigures } from "./views";
