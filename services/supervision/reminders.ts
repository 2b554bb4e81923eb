// The session's jobs: a reminder card before it is due, and marking it overdue when its due date
// passes without a record (plan.ts schedules both; recording or moving the session replaces them).
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { transition } from "../stateMachine";
import { fromDbDate, isoDate } from "../workingTime";
import { loadSession, SESSION_CARD, sessionCardData } from "./card";
import { isRemindable, supervisionMachine } from "./states";

/** Job "supervision.remind": a card to supervisor and supervisee before the session is due. */
export async function sendSupervisionReminder(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const s = await loadSession(tx, String(data.sessionId));
  if (!s || !isRemindable(s.status)) return; // done or moved on: never nag about finished work
  const due = isoDate(fromDbDate(s.dueOn));
  const { notBefore } = deliveryOf(ctx, "supervision.reminder");
  const recipients: { id: string; canRecord: boolean }[] = [{ id: s.supervisorId, canRecord: true }];
  if (s.superviseeId) recipients.push({ id: s.superviseeId, canRecord: false });
  for (const r of recipients) {
    const card = await sessionCardData(tx, s, {
      canRecord: r.canRecord,
      notice: r.canRecord
        ? "Reminder: this supervision is due soon. Record it here once held, or move it."
        : "Reminder: your supervision is due soon.",
    });
    await enqueueMessage(tx, {
      recipientId: r.id,
      idempotencyKey: `supervision:${s.id}:reminder:${due}:${r.id}`,
      cardKey: `supervision:${s.id}`,
      payload: { template: SESSION_CARD, data: card },
      notBefore,
    });
  }
}

/**
 * Job "supervision.overdue": a session not recorded in time becomes overdue; the supervisor is
 * told. The update is guarded on its status, so a session recorded as held while the job ran
 * stays held.
 */
export async function markSupervisionOverdue(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const s = await loadSession(tx, String(data.sessionId));
  if (!s) return;
  const due = isoDate(fromDbDate(s.dueOn));
  if (data.dueOn !== undefined && data.dueOn !== due) return; // a stale job for an earlier date
  const moved = await transition(tx, supervisionMachine, "markOverdue", {
    id: s.id,
    historyAction: "overdue",
    write: (from, to) =>
      tx.supervisionSession.updateMany({ where: { id: s.id, status: { in: from }, dueOn: s.dueOn }, data: { status: to } }),
    after: { dueOn: due },
  });
  if (!moved) return;
  const after = (await loadSession(tx, s.id))!;
  const card = await sessionCardData(tx, after, {
    canRecord: true,
    notice: "This supervision is overdue. If it took place, record it; otherwise book a new date.",
  });
  await enqueueMessage(tx, {
    recipientId: s.supervisorId,
    idempotencyKey: `supervision:${s.id}:overdue:${due}:${s.supervisorId}`,
    cardKey: `supervision:${s.id}`,
    payload: { template: SESSION_CARD, data: card },
    ...deliveryOf(ctx, "supervision.reminder"),
  });
}
