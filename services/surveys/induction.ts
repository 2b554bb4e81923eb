// The induction questionnaire: each new member of staff is invited three months after their start
// date (Bexley Children's Social Care Quality Assurance Framework, §4.1 Induction: "a short
// evaluation questionnaire after 3 months"). A daily job adds the starters due to the current
// induction campaign (opening a new one when none has four weeks left), once per person: anyone
// already invited to an induction campaign is skipped, and a starter missed by a few days (the
// job did not run, or they were added to the directory late) is still invited up to six months on.
// Answers go through the campaign model (sealed until the close, no figure below MIN_GROUP_SIZE).
import type { AppContext } from "../context";
import { loadFormTemplate } from "../forms/templateSchema";
import { isoDate, localDate } from "../workingTime";
import { endOfLocalDay } from "./days";
import { inviteToCampaign, openCampaignTx } from "./open";
import { CampaignStatus } from "./states";

export const INDUCTION_TEMPLATE = "induction-3-month";
const DUE_AFTER_MONTHS = 3;
/** Starters not invited by then (six months after starting) are no longer new starters. */
const LATEST_MONTHS = 6;
const CAMPAIGN_DAYS = 56;
const MIN_DAYS_LEFT = 28;

/** The local date `months` before `today`, clamped to the month's last day (31 Dec → 30 Sep). */
function monthsBefore(today: { y: number; m: number; d: number }, months: number): string {
  const first = new Date(Date.UTC(today.y, today.m - 1 - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return isoDate({ y: first.getUTCFullYear(), m: first.getUTCMonth() + 1, d: Math.min(today.d, last) });
}

/** Invites the starters who are due; returns how many were invited. Idempotent (one run per day). */
export async function inviteNewStarters(ctx: AppContext): Promise<number> {
  const tz = ctx.config.TIMEZONE;
  const now = ctx.clock.now();
  const today = localDate(now, tz);
  const startedTo = monthsBefore(today, DUE_AFTER_MONTHS);
  const startedFrom = monthsBefore(today, LATEST_MONTHS);
  const template = loadFormTemplate(INDUCTION_TEMPLATE);
  return ctx.db.$transaction(
    async (tx) => {
      // Two runs at once (a retried job) invite each person once.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${"survey:induction"}, 0))::text`;
      const invited = await tx.surveyParticipation.findMany({
        where: { campaign: { templateId: INDUCTION_TEMPLATE } },
        select: { staffId: true },
      });
      const due = await tx.staff.findMany({
        where: {
          active: true,
          startDate: { gte: new Date(`${startedFrom}T00:00:00Z`), lte: new Date(`${startedTo}T00:00:00Z`) },
          id: { notIn: invited.map((p) => p.staffId) },
        },
        select: { id: true },
        orderBy: { id: "asc" },
      });
      if (!due.length) return 0;
      const ids = due.map((s) => s.id);
      const current = await tx.surveyCampaign.findFirst({
        where: {
          templateId: INDUCTION_TEMPLATE,
          templateVersion: template.version,
          createdById: null,
          status: CampaignStatus.open,
          opensAt: { lte: now },
          closesAt: { gt: new Date(now.getTime() + MIN_DAYS_LEFT * 86_400_000) },
        },
        orderBy: { closesAt: "desc" },
      });
      if (current) await inviteToCampaign(tx, ctx, current, template, ids);
      else
        await openCampaignTx(tx, ctx, null, template, {
          templateId: INDUCTION_TEMPLATE,
          audience: { startedFrom, startedTo },
          opensAt: now,
          closesAt: endOfLocalDay(isoDate(localDate(new Date(now.getTime() + CAMPAIGN_DAYS * 86_400_000), tz)), tz),
          repeatEveryMonths: null,
          staffIds: ids,
        });
      return ids.length;
    },
    { timeout: 60_000 },
  );
}
