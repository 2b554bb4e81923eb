// The transactional outbox: a service that wants a card sent writes it here in the same
// transaction as its state change. The sender (bot/delivery) drains it. The idempotency key names
// the logical message, so writing the same message twice stores it once.
import { randomUUID } from "node:crypto";
import { sqlOf, valuesOf, type GuardedInsert, type Queryable } from "./sql";

/** What to deliver: a card template and its data (rendered at send time), or plain text. */
export interface OutboxPayload {
  template?: string;
  data?: Record<string, unknown>;
  text?: string;
}

export interface OutgoingMessage {
  recipientId: string;
  idempotencyKey: string;
  payload: OutboxPayload;
  /** A logical card name ("audit:<id>:allocation") so later updates can replace it in place. */
  cardKey?: string;
  /** Earliest delivery time, and whether it is urgent: from the message's kind (services/messageKinds.ts). */
  notBefore?: Date;
  urgent?: boolean;
}

/**
 * "Due at once": the earliest-delivery and next-attempt time of a row that has none of its own. A
 * fixed instant in the past rather than the wall clock's now, so a row is due on whatever clock the
 * sender reads (the service's Clock, a ManualClock in tests) and is never held back because the
 * machine's time is ahead of it. Rows keep enqueue order through `seq`, not through these times.
 */
export const DUE_AT_ONCE = new Date(0);

/** The columns an enqueue writes (the rest take their defaults: status pending, 0 attempts, seq). */
interface OutboxRow {
  idempotencyKey: string;
  recipientId: string;
  kind: "send" | "update";
  cardKey: string | null;
  payload: OutboxPayload;
  notBefore: Date;
  nextAttemptAt: Date;
  urgent: boolean;
}

export interface CardUpdate {
  recipientId: string;
  cardKey: string;
  idempotencyKey: string;
  payload: OutboxPayload;
}

/** A first send or an in-place update. */
export type Enqueued = ({ kind: "send" } & OutgoingMessage) | ({ kind: "update" } & CardUpdate);

/** A message as a row: a first send when its own time comes, or an in-place update, due at once and never urgent. */
function rowOf(m: Enqueued): OutboxRow {
  const due = (m.kind === "send" && m.notBefore) || DUE_AT_ONCE;
  return {
    idempotencyKey: m.idempotencyKey,
    recipientId: m.recipientId,
    kind: m.kind,
    cardKey: m.cardKey ?? null,
    payload: m.payload,
    notBefore: due,
    nextAttemptAt: due,
    urgent: m.kind === "send" && !!m.urgent,
  };
}

const COLUMNS = `id, "idempotencyKey", "recipientId", kind, "cardKey", payload, "notBefore", "nextAttemptAt", "createdAt", urgent`;

/** The rows' `(…), (…)` continuing `params` (valuesOf). */
function valuesOfRows(rows: readonly OutboxRow[], params: unknown[] = []) {
  const now = new Date();
  return valuesOf(
    rows.map((r) => [
      randomUUID(),
      r.idempotencyKey,
      r.recipientId,
      r.kind,
      r.cardKey,
      JSON.stringify(r.payload),
      r.notBefore,
      r.nextAttemptAt,
      now,
      r.urgent,
    ]),
    ["", "", "", "", "", "::jsonb", "::timestamp", "::timestamp", "::timestamp", "::boolean"],
    params,
  );
}

/**
 * Stores the rows in order, in one statement (INSERT … ON CONFLICT DO NOTHING): a row whose
 * idempotency key is already stored is left as it is.
 */
async function insertOnce(tx: Queryable, rows: OutboxRow[]): Promise<void> {
  if (!rows.length) return;
  const { values, params } = valuesOfRows(rows);
  await sqlOf(tx).query(`INSERT INTO "OutboxMessage" (${COLUMNS}) VALUES ${values} ON CONFLICT DO NOTHING`, params);
}

export async function enqueueMessage(tx: Queryable, m: OutgoingMessage): Promise<void> {
  await insertOnce(tx, [rowOf({ ...m, kind: "send" })]);
}

/** Replace a card already delivered under `cardKey` (no-op for recipients who never got it). */
export async function enqueueCardUpdate(tx: Queryable, m: CardUpdate): Promise<void> {
  await insertOnce(tx, [rowOf({ ...m, kind: "update" })]);
}

/** Several sends and updates at once (one statement), enqueued in the order given. */
export async function enqueueAll(tx: Queryable, ms: readonly Enqueued[]): Promise<void> {
  await insertOnce(tx, ms.map(rowOf));
}

/** enqueueAll as part of a guarded write (services/sql.ts), continuing its `params`. */
export function outboxInsert(ms: readonly Enqueued[], params: unknown[]): GuardedInsert {
  return {
    table: `"OutboxMessage"`,
    columns: COLUMNS,
    values: valuesOfRows(ms.map(rowOf), params).values,
    onConflict: "ON CONFLICT DO NOTHING",
  };
}
