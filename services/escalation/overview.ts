// The heads of service's view: open escalations by age and stage; and everyone's own list: the
// open escalations they may read (raised, own or owned a stage of, or are shown as the case's
// worker or their line manager).
import type { Prisma } from "../../generated/prisma/client";
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { may, requireCapability } from "../permissions";
import { workingDaysBetween } from "../workingTime";
import { escalationType } from "./rules";
import { ACTIVE_ESCALATION_STATUSES, EscalationStatus } from "./states";

/** Open escalations, oldest first, with age in working days and stage. */
export async function openEscalations(ctx: AppContext, actor: Actor) {
  requireCapability(actor, "escalations.overview");
  return listOf(ctx, {}, "Open escalations");
}

/**
 * The `escalations` command: the whole overview for those who oversee every escalation; for
 * everyone else, the open escalations they may read, the same people the escalation card is shown to
 * (services/escalation/store.ts viewersAndNames): the raiser, the stage's owners and every owner so
 * far, the case's worker and their line manager.
 */
export async function escalationsFor(ctx: AppContext, actor: Actor) {
  if (may(actor, "escalations.overview")) return openEscalations(ctx, actor);
  const id = actor.id;
  return listOf(
    ctx,
    {
      OR: [
        { raiserId: id },
        { stageOwnerIds: { has: id } },
        { events: { some: { kind: "stage_owner", actorId: id } } },
        { case: { workerId: id } },
        { case: { worker: { lineManagerId: id } } },
      ],
    },
    "Your open escalations",
  );
}

async function listOf(ctx: AppContext, whose: Prisma.EscalationWhereInput, heading: string) {
  const now = ctx.clock.now();
  const active = { AND: [{ status: { in: [...ACTIVE_ESCALATION_STATUSES] } }, whose] };
  const rows = await ctx.db.escalation.findMany({ where: active, include: { case: true }, orderBy: { createdAt: "asc" }, take: 40 });
  const total = await ctx.db.escalation.count({ where: active });
  const byStage = new Map<number, number>();
  for (const r of rows) byStage.set(r.stage, (byStage.get(r.stage) ?? 0) + 1);
  return {
    heading,
    summary: total ? `${total} open, oldest first (showing ${rows.length}).` : "None open.",
    total,
    shown: rows.length,
    byStage: [...byStage.entries()].sort((a, b) => a[0] - b[0]).map(([stage, n]) => ({ title: `Stage ${stage}`, value: String(n) })),
    items: rows.map((r) => ({
      id: r.id,
      title: `${r.case?.caseRef ?? `Foster carer ${r.fosterCarerRef ?? ""}`} · Stage ${r.stage} · ${workingDaysBetween(r.createdAt, now, ctx.config.TIMEZONE)} working days old`,
      subtitle: `${escalationType(r.type).label}${r.status === EscalationStatus.proposed ? " · resolution proposed" : ""}${r.stageDeadline < now ? " · deadline passed" : ""}`,
    })),
  };
}
