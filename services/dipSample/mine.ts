// The dip samples a reviewer still has cases to check in.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";

export async function reviewerSamples(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db.dipCheck.groupBy({
    by: ["sampleId"],
    where: { reviewerId: actor.id, status: "allocated", sample: { status: "open" } },
    _count: { _all: true },
  });
  const samples = await ctx.db.dipSample.findMany({ where: { id: { in: rows.map((r) => r.sampleId) } }, orderBy: { createdAt: "asc" } });
  return samples.map((s) => ({
    sampleId: s.id,
    text: `${s.title}: ${rows.find((r) => r.sampleId === s.id)?._count._all ?? 0} cases left for you`,
  }));
}
