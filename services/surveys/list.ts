// The QA team's overview of campaigns.
import type { AppContext } from "../context";
import { requireCapability, type Actor } from "../permissions";
import { respondentCount } from "../disclosure";
import { loadFormTemplate } from "../forms/templateSchema";
import { formatDay } from "./days";
import { campaignState, type CampaignState } from "./states";

export interface CampaignSummary {
  id: string;
  title: string;
  templateId: string;
  state: CampaignState;
  window: string;
  invited: number;
  /**
   * People who answered (families entered, for a form filled in on their behalf), as shown: "12" or
   * "fewer than 5" once closed; while open "fewer than 5", "at least 5", "at least 10"… (runningPeopleCount).
   */
  answered: string;
  onBehalf: boolean;
}

/** Campaigns for the QA team's overview: newest first. */
export async function listCampaigns(ctx: AppContext, actor: Actor, limit = 8): Promise<CampaignSummary[]> {
  requireCapability(actor, "survey.manage");
  const now = ctx.clock.now();
  const tz = ctx.config.TIMEZONE;
  const cs = await ctx.db.surveyCampaign.findMany({ orderBy: { opensAt: "desc" }, take: limit });
  const counts = await ctx.db.surveyParticipation.groupBy({
    by: ["campaignId", "responded"],
    where: { campaignId: { in: cs.map((c) => c.id) } },
    _count: { _all: true },
  });
  const responses = await ctx.db.surveyResponse.groupBy({
    by: ["campaignId"],
    where: { campaignId: { in: cs.map((c) => c.id) } },
    _count: { _all: true },
  });
  const held = await ctx.db.surveyResponseHolding.groupBy({
    by: ["campaignId"],
    where: { campaignId: { in: cs.map((c) => c.id) } },
    _count: { _all: true },
  });
  return cs.map((c) => {
    const onBehalf = Boolean(loadFormTemplate(c.templateId).enteredBy);
    const of = (responded: boolean) =>
      counts.filter((x) => x.campaignId === c.id && x.responded === responded).reduce((n, x) => n + x._count._all, 0);
    const entered =
      (responses.find((r) => r.campaignId === c.id)?._count._all ?? 0) + (held.find((r) => r.campaignId === c.id)?._count._all ?? 0);
    const state = campaignState(c, now);
    const answered = onBehalf ? entered : of(true);
    return {
      id: c.id,
      title: c.title,
      templateId: c.templateId,
      state,
      window: `${formatDay(c.opensAt, tz)} – ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}`,
      invited: of(true) + of(false),
      answered: respondentCount(answered, ctx.config.MIN_GROUP_SIZE, state === "closed"),
      onBehalf,
    };
  });
}
