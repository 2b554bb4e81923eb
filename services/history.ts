// The append-only history: who changed what, when, from what to what. Written inside the same
// transaction as the change it records; the database refuses UPDATE and DELETE on the table.
import type { Tx } from "./db";
import type { Prisma } from "../generated/prisma/client";

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

const json = (v: unknown): Prisma.InputJsonValue | undefined =>
  v === undefined || v === null ? undefined : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue);

export async function recordHistory(tx: Tx, e: HistoryEntry): Promise<void> {
  await tx.history.create({
    data: {
      entityType: e.entityType,
      entityId: e.entityId,
      action: e.action,
      actorId: e.actorId ?? null,
      before: json(e.before),
      after: json(e.after),
    },
  });
}

export async function historyOf(tx: Tx, entityType: HistoryEntry["entityType"], entityId: string) {
  return tx.history.findMany({ where: { entityType, entityId }, orderBy: { id: "asc" } });
}
