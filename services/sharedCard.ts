// One logical card per request, shown to several people and updated in place for all of them
// (the Approvals / Universal Actions "sequential workflow" pattern). Each viewer gets the card
// rendered for them (only the buttons they may press); `refresh.userIds` lets Teams fetch the
// viewer-specific card again when it is opened.
import type { AppContext } from "./context";
import { quietHours } from "./context";
import type { Tx } from "./db";
import { enqueueCardUpdate, enqueueMessage } from "./outbox";
import { nextDeliveryTime } from "./workingTime";
import { Conflict } from "./errors";
import type { Prisma } from "../generated/prisma/client";

/** Teams refreshes a card automatically for at most 60 users. */
export const REFRESH_USER_LIMIT = 60;

/** The Teams user ids (MRIs) of staff who have opened the bot, for `refresh.userIds` (≤ 60). */
export async function refreshUserIds(tx: Tx, staffIds: string[]): Promise<string[]> {
  const refs = await tx.conversationReference.findMany({ where: { staffId: { in: [...new Set(staffIds)] } } });
  const ids = refs
    .map((r) => (r.reference as { user?: { id?: string } } | null)?.user?.id)
    .filter((x): x is string => typeof x === "string" && x.length > 0);
  return ids.slice(0, REFRESH_USER_LIMIT);
}

/**
 * Puts the current card in front of one viewer: a first send (cardKey recorded, quiet hours
 * respected), or an in-place update of the card they already have. A send still waiting in the
 * outbox gets the new content instead, so nobody receives a stale first card.
 */
export async function showCardTo(
  tx: Tx,
  ctx: AppContext,
  m: { recipientId: string; cardKey: string; version: number; template: string; data: Record<string, unknown> },
): Promise<void> {
  const payload = { template: m.template, data: m.data };
  const pendingSend = await tx.outboxMessage.findFirst({
    where: { recipientId: m.recipientId, cardKey: m.cardKey, kind: "send", status: { in: ["pending", "waiting"] } },
  });
  if (pendingSend) {
    await tx.outboxMessage.update({ where: { id: pendingSend.id }, data: { payload: payload as Prisma.InputJsonValue } });
    return;
  }
  const delivered = await tx.outboxMessage.findFirst({
    where: { recipientId: m.recipientId, cardKey: m.cardKey, kind: "send" },
    select: { id: true },
  });
  if (delivered) {
    await enqueueCardUpdate(tx, {
      recipientId: m.recipientId,
      cardKey: m.cardKey,
      idempotencyKey: `${m.cardKey}:${m.recipientId}:v${m.version}`,
      payload,
    });
    return;
  }
  await enqueueMessage(tx, {
    recipientId: m.recipientId,
    cardKey: m.cardKey,
    idempotencyKey: `${m.cardKey}:${m.recipientId}:send`,
    payload,
    notBefore: nextDeliveryTime(ctx.clock.now(), quietHours(ctx.config)),
  });
}

/** A short proactive note (quiet hours respected). */
export async function notify(
  tx: Tx,
  ctx: AppContext,
  m: { recipientId: string; idempotencyKey: string; title: string; text: string },
): Promise<void> {
  await enqueueMessage(tx, {
    recipientId: m.recipientId,
    idempotencyKey: m.idempotencyKey,
    payload: { template: "message", data: { title: m.title, text: m.text } },
    notBefore: nextDeliveryTime(ctx.clock.now(), quietHours(ctx.config)),
  });
}

/**
 * Optimistic concurrency: applies `data` only if the row still has the version that was read.
 * Two people pressing the same button at once: the second finds the version moved and is told.
 */
export async function casUpdate(
  count: Promise<{ count: number }>,
  message = "Someone else acted on this a moment ago. The card now shows what they did; nothing was changed by your press.",
): Promise<void> {
  const r = await count;
  if (r.count !== 1) throw new Conflict(message);
}

export const fmtDate = (d: Date, tz: string): string =>
  new Intl.DateTimeFormat("en-GB", { timeZone: tz, day: "numeric", month: "short", year: "numeric" }).format(d);

export const fmtDateTime = (d: Date, tz: string): string =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(d);
