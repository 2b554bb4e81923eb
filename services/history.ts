// The append-only history: who changed what, when, from what to what. Written inside the same
// transaction as the change it records; the database refuses UPDATE and DELETE on the table.
import type { Tx } from "./db";
import { sqlOf, valuesOf, type GuardedInsert, type Queryable } from "./sql";

export interface HistoryEntry {
  entityType:
    | "audit"
    | "audit_cycle"
    | "self_assessment"
    | "feedback"
    | "action"
    | "moderation"
    | "escalation"
    | "supervision"
    | "survey_campaign"
    | "staff"
    | "case"
    | "outbox"
    // practice observations and dip samples
    | "observation"
    | "dip_sample"
    | "dip_check"
    // Audit-of-practice days and multi-agency audits
    | "practice_day"
    | "practice_day_case"
    | "practice_day_recommendation"
    | "multi_agency_audit"
    | "multi_agency_invitation"
    | "multi_agency_recommendation";
  entityId: string;
  action: string;
  actorId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** JSON text of a value (Dates as ISO strings), or null for none: what Prisma stored as the Json column. */
const jsonText = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

const COLUMNS = `"entityType", "entityId", action, "actorId", before, after, at`;
const CASTS = ["", "", "", "", "::jsonb", "::jsonb", "::timestamp"];
const rowOf = (e: HistoryEntry, at: Date) => [
  e.entityType,
  e.entityId,
  e.action,
  e.actorId ?? null,
  jsonText(e.before),
  jsonText(e.after),
  at,
];

/** Appends one entry, in the caller's transaction (a Prisma one, or an Sql from services/sql). */
export async function recordHistory(tx: Queryable, e: HistoryEntry): Promise<void> {
  const { values, params } = valuesOf([rowOf(e, new Date())], CASTS);
  await sqlOf(tx).query(`INSERT INTO "History" (${COLUMNS}) VALUES ${values}`, params);
}

/**
 * The entry for an actor changing some fields of one row: `after` names the fields and their new
 * values, and `before` is what the row held in them, so the two always name the same fields.
 */
export function fieldChange<R extends { id: string }>(
  entityType: HistoryEntry["entityType"],
  row: R,
  action: string,
  actorId: string,
  after: { [K in keyof R]?: unknown },
): HistoryEntry {
  const before = Object.fromEntries(Object.keys(after).map((k) => [k, row[k as keyof R]]));
  return { entityType, entityId: row.id, action, actorId, before, after };
}

/** Appends a `fieldChange` entry, in the caller's transaction. */
export async function recordFieldChange<R extends { id: string }>(tx: Queryable, ...change: Parameters<typeof fieldChange<R>>) {
  await recordHistory(tx, fieldChange(...change));
}

/** Entries to append as part of a guarded write (services/sql.ts), continuing its `params`. */
export function historyInsert(entries: readonly HistoryEntry[], params: unknown[]): GuardedInsert {
  const at = new Date();
  return {
    table: `"History"`,
    columns: COLUMNS,
    values: valuesOf(
      entries.map((e) => rowOf(e, at)),
      CASTS,
      params,
    ).values,
  };
}

export async function historyOf(tx: Tx, entityType: HistoryEntry["entityType"], entityId: string) {
  return tx.history.findMany({ where: { entityType, entityId }, orderBy: { id: "asc" } });
}
