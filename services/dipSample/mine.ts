// The dip samples a reviewer still has cases to check in.
import type { AppContext } from "../context";
import { may, type Actor } from "../permissions";
import { recentSamples } from "./results";

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

/** The "dip samples" card: the reviewer's samples to continue and, for the QA team, the recent samples' results. */
export async function dipSampleHome(ctx: AppContext, actor: Actor) {
  const mine = (await reviewerSamples(ctx, actor)).map((s) => ({ ...s, verb: "dipSample.next", button: "Continue" }));
  const canCreate = may(actor, "dipSamples.manage");
  const managed = canCreate ? (await recentSamples(ctx)).map((s) => ({ ...s, verb: "dipSample.results", button: "Results" })) : [];
  return { items: [...mine, ...managed].slice(0, 10), canCreate, empty: "No dip sample cases are waiting for you." };
}
