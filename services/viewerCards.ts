// One logical card per request, shown to several people and updated in place for all of them
// (the Approvals / Universal Actions "sequential workflow" pattern). Each viewer gets the card
// rendered for them (only the buttons they may press); `refresh.userIds` lets Teams fetch the
// viewer-specific card again when it is opened.
import type { AppContext } from "./context";
import { sqlOf, type GuardedInsert, type GuardedUpdate, type Queryable } from "./sql";
import { enqueueAll, enqueueMessage, outboxInsert, type Enqueued } from "./outbox";
import { deliveryOf, type MessageKind } from "./messageKinds";
import { Conflict } from "./errors";

/** Teams refreshes a card automatically for at most 60 users. */
export const REFRESH_USER_LIMIT = 60;

/** The Teams user ids (MRIs) of staff who have opened the bot, for `refresh.userIds` (≤ 60). */
export async function refreshUserIds(tx: Queryable, staffIds: string[]): Promise<string[]> {
  const refs = await sqlOf(tx).query<{ reference: unknown }>(
    `SELECT reference FROM "ConversationReference" WHERE "staffId" = ANY($1::text[])`,
    [[...new Set(staffIds)]],
  );
  return teamsUserIds(refs.map((r) => r.reference));
}

/** The Teams user ids (≤ 60) in stored conversation references (null: the person never opened the bot). */
export function teamsUserIds(references: readonly unknown[]): string[] {
  const ids = references
    .map((r) => (r as { user?: { id?: string } } | null)?.user?.id)
    .filter((x): x is string => typeof x === "string" && x.length > 0);
  return ids.slice(0, REFRESH_USER_LIMIT);
}

/**
 * Puts the current card in front of one viewer: a first send (cardKey recorded, delivered when its
 * kind allows), or an in-place update of the card they already have. A send still waiting in the
 * outbox gets the new content instead, so nobody receives a stale first card.
 */
export async function showCardTo(
  tx: Queryable,
  ctx: AppContext,
  m: { recipientId: string; cardKey: string; version: number; template: string; data: Record<string, unknown>; kind: MessageKind },
): Promise<void> {
  await showCardToAll(tx, ctx, m, [{ recipientId: m.recipientId, data: m.data }]);
}

/** One card shown to several viewers, each with their own data and, when it differs from the card's, their own kind. */
export interface CardForAll {
  card: { cardKey: string; version: number; template: string; kind: MessageKind };
  viewers: { recipientId: string; data: Record<string, unknown>; kind?: MessageKind }[];
}

/** A first send already in the outbox for a viewer of the card. */
export interface CardSend {
  id: string;
  recipientId: string;
  status: string;
}

/**
 * What showing the card writes, given its sends already made: a send still held gets the new
 * content (and is made urgent when the viewer's kind is), a viewer who has the card gets an
 * update, anyone else a first send.
 */
function cardWrites(ctx: AppContext, { card, viewers }: CardForAll, sends: readonly CardSend[]) {
  const held: { id: string; payload: string; urgent: boolean; notBefore: Date }[] = [];
  const rows: Enqueued[] = [];
  const now = ctx.clock.now();
  for (const v of viewers) {
    const payload = { template: card.template, data: v.data };
    const when = deliveryOf(ctx, v.kind ?? card.kind, now);
    const mine = sends.filter((s) => s.recipientId === v.recipientId);
    const pendingSend = mine.find((s) => s.status === "pending" || s.status === "waiting");
    if (pendingSend) held.push({ id: pendingSend.id, payload: JSON.stringify(payload), ...when });
    else if (mine.length)
      rows.push({
        kind: "update",
        recipientId: v.recipientId,
        cardKey: card.cardKey,
        idempotencyKey: `${card.cardKey}:${v.recipientId}:v${card.version}`,
        payload,
      });
    else
      rows.push({
        kind: "send",
        recipientId: v.recipientId,
        cardKey: card.cardKey,
        idempotencyKey: `${card.cardKey}:${v.recipientId}:send`,
        payload,
        ...when,
      });
  }
  return { held, rows };
}

/** The new content of a held send ($1 id, $2 payload, $3 urgent, $4 its time when urgent). */
const heldUpdate = (p: readonly string[]) =>
  `UPDATE "OutboxMessage" SET payload = ${p[1]}::jsonb, urgent = urgent OR ${p[2]}::boolean,
     "notBefore" = CASE WHEN ${p[2]}::boolean THEN ${p[3]}::timestamp ELSE "notBefore" END,
     "nextAttemptAt" = CASE WHEN ${p[2]}::boolean AND attempts = 0 THEN ${p[3]}::timestamp ELSE "nextAttemptAt" END
   WHERE id = ${p[0]}`;

/**
 * showCardTo for several viewers of one card: one read of the sends already made, one update per
 * held send, and one insert of the new outbox rows, whatever the number of viewers.
 */
export async function showCardToAll(tx: Queryable, ctx: AppContext, card: CardForAll["card"], viewers: CardForAll["viewers"]) {
  if (!viewers.length) return;
  const sends = await sqlOf(tx).query<CardSend>(
    `SELECT id, "recipientId", status FROM "OutboxMessage" WHERE "recipientId" = ANY($1::text[]) AND "cardKey" = $2 AND kind = 'send'`,
    [viewers.map((v) => v.recipientId), card.cardKey],
  );
  const { held, rows } = cardWrites(ctx, { card, viewers }, sends);
  for (const h of held) await sqlOf(tx).query(heldUpdate(["$1", "$2", "$3", "$4"]), [h.id, h.payload, h.urgent, h.notBefore]);
  await enqueueAll(tx, rows);
}

/** showCardToAll as part of a guarded write (services/sql.ts), given the card's sends already made. */
export function showCardInWrite(ctx: AppContext, all: CardForAll, sends: readonly CardSend[], params: unknown[]) {
  const { held, rows } = cardWrites(ctx, all, sends);
  const writes: (GuardedInsert | GuardedUpdate)[] = held.map((h) => ({
    update: heldUpdate([h.id, h.payload, h.urgent, h.notBefore].map((v) => `$${params.push(v)}`)),
  }));
  if (rows.length) writes.push(outboxInsert(rows, params));
  return writes;
}

/** A card button on a note that brings up the item's own card (its verb takes the item's id; the route checks who may see it). */
export interface OpenButton {
  title: string;
  verb: string;
  id: string;
}

/**
 * A short proactive note, delivered when its kind allows (a routine note waits out quiet hours);
 * with `open`, a button that brings up the card to act on, so no one has to scroll the chat for it.
 */
export async function notify(
  tx: Queryable,
  ctx: AppContext,
  m: { recipientId: string; idempotencyKey: string; title: string; text: string; kind: MessageKind; open?: OpenButton },
): Promise<void> {
  const { open } = m;
  await enqueueMessage(tx, {
    recipientId: m.recipientId,
    idempotencyKey: m.idempotencyKey,
    payload: open
      ? { template: "message-open", data: { title: m.title, text: m.text, openTitle: open.title, openVerb: open.verb, openId: open.id } }
      : { template: "message", data: { title: m.title, text: m.text } },
    ...deliveryOf(ctx, m.kind),
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

// Building an Intl.DateTimeFormat costs far more than formatting with one: one per time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** Non-breaking spaces, so a card never wraps inside a date ("by 8 Dec," / "09:01"). */
export const keepTogether = (s: string): string => s.replace(/ /g, "\u00a0");

export const fmtDate = (d: Date, tz: string): string => {
  let f = dateFormats.get(tz);
  if (!f) dateFormats.set(tz, (f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, day: "numeric", month: "short", year: "numeric" })));
  return f.format(d);
};

export const fmtDateTime = (d: Date, tz: string): string => {
  let f = dateTimeFormats.get(tz);
  if (!f)
    dateTimeFormats.set(
      tz,
      (f = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })),
    );
  return keepTogether(f.format(d));
};
