// What the QA team sees of delivery: how many messages are in each state and the latest problems
// (dead-lettered, blocked, waiting), naming the recipient and the reason but never the content.
import type { Db } from "../db";
import type { Actor } from "../permissions";
import { requireCapability } from "../permissions";
import { outboxMachine } from "./states";

export const OUTBOX_STATUSES = outboxMachine.statuses;

export interface OutboxProblem {
  recipient: string;
  status: string;
  reason: string;
  attempts: number;
  since: string;
}

export interface OutboxOverview {
  counts: Record<string, number>;
  problems: OutboxProblem[];
}

export async function outboxOverview(db: Db, actor: Actor, limit = 10): Promise<OutboxOverview> {
  requireCapability(actor, "outbox.view");
  const grouped = await db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
  const counts: Record<string, number> = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0]));
  for (const g of grouped) counts[g.status] = g._count._all;
  const rows = await db.outboxMessage.findMany({
    where: { status: { in: ["dead", "blocked", "waiting"] } },
    orderBy: [{ finishedAt: { sort: "desc", nulls: "last" } }, { lastAttemptAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
    take: limit,
    select: { recipientId: true, status: true, lastError: true, attempts: true, finishedAt: true, lastAttemptAt: true, createdAt: true },
  });
  const names = new Map(
    (
      await db.staff.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.recipientId))] } }, select: { id: true, name: true } })
    ).map((s) => [s.id, s.name]),
  );
  return {
    counts,
    problems: rows.map((r) => ({
      recipient: names.get(r.recipientId) ?? "(not in the directory)",
      status: r.status,
      reason: r.lastError ?? "",
      attempts: r.attempts,
      since: (r.finishedAt ?? r.lastAttemptAt ?? r.createdAt).toISOString().slice(0, 16).replace("T", " "),
    })),
  };
}
