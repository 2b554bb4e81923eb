// The supervisor's use cases on a session: open its card, record it as held, move it. Who may:
// the supervisor, or anyone above them in line management (and, to view, the supervisee or, for
// group supervision, the team).
// To anyone who may not view the session it is as if it did not exist (the very answer of a missing
// one): "Not allowed" would tell them that a session with that id exists.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { NotFound, ValidationFailed, refuse } from "../errors";
import { recordFieldChange } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { enqueueCardUpdate } from "../outbox";
import { loadSupervisionRules } from "../catalogue";
import { managerChain } from "../directory/staff";
import { transition } from "../stateMachine";
import { fromDbDate, isoDate, localDate, parseIsoDate, toDbDate, type LocalDate } from "../workingTime";
import { addMonths, formatDate } from "../dates";
import { loadSession, openAuditActions, SESSION_CARD, sessionCardData, type SessionForm, type SessionRow } from "./card";
import { sessionJobKey, sessionJobs } from "./plan";
import { supervisionMachine } from "./states";

/** What a missing session answers, and what anyone who may not view it is answered. */
const SESSION_MISSING = "That supervision session no longer exists.";

/** The supervisor, or anyone above the supervisor in line management. */
async function mayRecord(db: Tx, actor: Actor, s: { supervisorId: string }): Promise<boolean> {
  if (actor.id === s.supervisorId) return true;
  return (await managerChain(db, s.supervisorId)).some((m) => m.id === actor.id);
}

type SessionPeople = { supervisorId: string; superviseeId: string | null; teamId: string | null };

async function mayView(db: Tx, actor: Actor, s: SessionPeople) {
  if (s.superviseeId === actor.id) return true;
  if (s.superviseeId === null && s.teamId && s.teamId === actor.teamId) return true;
  return mayRecord(db, actor, s);
}

/** As if the session did not exist, unless the actor may view it. */
async function requireView(db: Tx, actor: Actor, s: SessionPeople): Promise<void> {
  if (!(await mayView(db, actor, s))) throw new NotFound(SESSION_MISSING);
}

/** `SESSION_MISSING` when the actor may not view the session, else `message` (they know it exists). */
async function refusal(db: Tx, actor: Actor, s: SessionPeople, message: string): Promise<never> {
  return refuse(await mayView(db, actor, s), SESSION_MISSING, message);
}

/** The session card for whoever opens it (buttons only for those who may record). */
export async function openSession(
  ctx: AppContext,
  actor: Actor,
  sessionId: string,
  again?: { form: SessionForm; errors: Record<string, string> },
) {
  const s = await loadSession(ctx.db, sessionId);
  if (!s) throw new NotFound(SESSION_MISSING);
  await requireView(ctx.db, actor, s);
  const today = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  return sessionCardData(ctx.db, s, { canRecord: await mayRecord(ctx.db, actor, s), today, ...again });
}

function parseDate(v: string | undefined, field: string, errors: Record<string, string>): LocalDate | undefined {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    errors[field] = "Enter a date.";
    return undefined;
  }
  return parseIsoDate(v);
}

/** The session, if it exists and the actor may record (or move) it; `message` for those who may only view it. */
async function forRecording(tx: Tx, actor: Actor, sessionId: string, message: string): Promise<SessionRow> {
  const s = await loadSession(tx, sessionId);
  if (!s) throw new NotFound(SESSION_MISSING);
  if (!(await mayRecord(tx, actor, s))) await refusal(tx, actor, s, message);
  return s;
}

/**
 * The supervisor (or their manager) records that the session took place. Cancels its pending
 * reminder and overdue jobs. A second click finds the session already held: AlreadyDone.
 */
export async function recordSupervisionHeld(ctx: AppContext, actor: Actor, sessionId: string, form: SessionForm) {
  const today = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  const errors: Record<string, string> = {};
  const heldOn = parseDate(form.heldOn, "heldOn", errors);
  if (heldOn && isoDate(heldOn) > isoDate(today)) errors.heldOn = "A session cannot be recorded as held in the future.";
  if (heldOn && isoDate(heldOn) < isoDate(addMonths(today, -3))) errors.heldOn = "Enter a date in the last three months.";
  const duration = Number(form.durationMinutes);
  if (!Number.isInteger(duration) || duration < 10 || duration > 480) errors.durationMinutes = "Enter the length in minutes (10 to 480).";
  if (form.kind !== "individual" && form.kind !== "group") errors.kind = "Choose individual or group.";
  if (Object.keys(errors).length) throw new ValidationFailed("Some answers need correcting. Nothing was recorded.", errors);

  return ctx.db.$transaction(async (tx) => {
    const s = await forRecording(tx, actor, sessionId, "Only the supervisor or their manager can record this session.");
    // What goes with it (rolled back with everything else when the session was already recorded).
    const reviewed = await markActionsReviewed(tx, ctx, actor, s, form.reviewed ?? []);
    const cancelled = await cancelJobs(tx, sessionJobKey(s.id));
    await transition(tx, supervisionMachine, "hold", {
      id: s.id,
      actorId: actor.id,
      historyAction: "held",
      alreadyDone: `This session was already recorded (${s.status}). Nothing was recorded twice.`,
      write: (from, to) =>
        tx.supervisionSession.updateMany({
          where: { id: s.id, status: { in: from } },
          data: { status: to, heldOn: toDbDate(heldOn!), durationMinutes: duration, kind: form.kind },
        }),
      before: { status: s.status, dueOn: isoDate(fromDbDate(s.dueOn)) },
      after: { heldOn: isoDate(heldOn!), durationMinutes: duration, kind: form.kind, jobsCancelled: cancelled, actionsReviewed: reviewed },
    });
    const after = (await loadSession(tx, s.id))!;
    // Replace the reminder card wherever it was delivered, so nobody presses a spent button.
    const readOnly = await sessionCardData(tx, after, { canRecord: false });
    for (const r of [s.supervisorId, s.superviseeId].filter((x): x is string => !!x)) {
      await enqueueCardUpdate(tx, {
        recipientId: r,
        cardKey: `supervision:${s.id}`,
        idempotencyKey: `supervision:${s.id}:held:${r}`,
        payload: { template: SESSION_CARD, data: readOnly },
      });
    }
    return sessionCardData(tx, after, { canRecord: false, notice: "Recorded. The reminders for this session are cancelled." });
  });
}

/** Marks the ticked audit actions (only the supervisee's open ones shown on the card) reviewed in this session. */
async function markActionsReviewed(tx: Tx, ctx: AppContext, actor: Actor, s: SessionRow, ids: string[]): Promise<number> {
  const chosen = (await openAuditActions(tx, s.superviseeId)).filter((a) => ids.includes(a.id));
  const reviewed = { reviewedAt: ctx.clock.now(), reviewedInSessionId: s.id };
  for (const a of chosen) {
    await tx.action.update({ where: { id: a.id }, data: reviewed });
    await recordFieldChange(tx, "action", a, "reviewed_in_supervision", actor.id, reviewed);
  }
  return chosen.length;
}

/** Moves a session to a new date; its reminder and overdue jobs move with it. */
export async function rescheduleSupervision(ctx: AppContext, actor: Actor, sessionId: string, form: SessionForm) {
  const today = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  const errors: Record<string, string> = {};
  const newDate = parseDate(form.newDate, "newDate", errors);
  if (newDate && isoDate(newDate) < isoDate(today)) errors.newDate = "Choose today or a later date.";
  const horizon = addMonths(today, loadSupervisionRules().booking.bookAheadMonths);
  if (newDate && isoDate(newDate) > isoDate(horizon)) errors.newDate = `Choose a date before ${formatDate(horizon)}.`;
  if (Object.keys(errors).length) throw new ValidationFailed("Some answers need correcting. Nothing was changed.", errors);

  return ctx.db.$transaction(async (tx) => {
    const s = await forRecording(tx, actor, sessionId, "Only the supervisor or their manager can move this session.");
    await transition(tx, supervisionMachine, "reschedule", {
      id: s.id,
      actorId: actor.id,
      historyAction: "rescheduled",
      alreadyDone: `This session was already recorded (${s.status}); it cannot be moved.`,
      write: (from, to) =>
        tx.supervisionSession.updateMany({ where: { id: s.id, status: { in: from } }, data: { status: to, dueOn: toDbDate(newDate!) } }),
      before: { status: s.status, dueOn: isoDate(fromDbDate(s.dueOn)) },
      after: { dueOn: isoDate(newDate!) },
    });
    for (const job of sessionJobs(ctx, s.id, newDate!)) await scheduleJob(tx, job);
    const after = (await loadSession(tx, s.id))!;
    return sessionCardData(tx, after, { canRecord: true, notice: `Moved to ${formatDate(newDate!)}. The reminders move with it.`, today });
  });
}
