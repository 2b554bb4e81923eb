// The append-only history: who changed what, when, from what to what. Written inside the same
// transaction as the change it records; the database refuses UPDATE and DELETE on the table.
import type { Tx } from "./db";
import { sqlOf, type Queryable } from "./sql";

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
    | "outbox";
  entityId: string;
  action: string;
  actorId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** JSON text of a value (Dates as ISO strings), or null for none: what Prisma stored as the Json column. */
const jsonText = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** Appends one entry, in the caller's transaction (a Prisma one, or an Sql from services/sql). */
export async function recordHistory(tx: Queryable, e: HistoryEntry): Promise<void> {
  await sqlOf(tx).query(
    `INSERT INTO "History" ("entityType", "entityId", action, "actorId", before, after, at) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::timestamp)`,
    [e.entityType, e.entityId, e.action, e.actorId ?? null, jsonText(e.before), jsonText(e.after), new Date()],
  );
}

export async function historyOf(tx: Tx, entityType: HistoryEntry["entityType"], entityId: string) {
  return tx.history.findMany({ where: { entityType, entityId }, orderBy: { id: "asc" } });
}
