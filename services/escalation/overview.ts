// The heads of service's view: open escalations by age and stage.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { requireCapability } from "../permissions";
import { workingDaysBetween } from "../workingTime";
import { escalationType } from "./rules";
import { ACTIVE_ESCALATION_STATUSES, EscalationStatus } from "./states";

/** Open escalations, oldest first, with age in working days and stage. */
export async function openEscalations(ctx: AppContext, actor: Actor) {
  requireCapability(actor, "escalations.overview");
  const now = ctx.clock.now();
  const active = { status: { in: [...ACTIVE_ESCALATION_STATUSES] } };
  const rows = await ctx.db.escalation.findMany({ where: active, include: { case: true }, orderBy: { createdAt: "asc" }, take: 40 });
  const total = await ctx.db.escalation.count({ where: active });
  const byStage = new Map<number, number>();
  for (const r of rows) byStage.set(r.stage, (byStage.get(r.stage) ?? 0) + 1);
  return {
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
