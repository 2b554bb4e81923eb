// The "survey" card: a person's open surveys and, for the QA team, the campaigns and a form to open
// one. Opening a campaign from that form. Card data is built here so the route only renders it.
import type { AppContext } from "../context";
import { may, type Actor } from "../permissions";
import type { CardData } from "../../cards/schemas/cardData";
import { listFormTemplates } from "../forms/templateSchema";
import { isoDate, localDate } from "../workingTime";
import { endOfLocalDay, listCampaigns, myOpenSurveys, openCampaign, parseAudience, startOfLocalDay } from "./campaigns";

export const STATE_LABELS = { scheduled: "not open yet", open: "open", closed: "closed" } as const;

/**
 * While a survey is open its count of answers moves only in whole steps of the minimum group size,
 * so its timing cannot tie a submit to a person (the exact count shows once it closes). The
 * frameworks say nothing of this: it is the authority's own default.
 */
export const RUNNING_NOTE = (min: number) =>
  `Counted in steps of ${min} until it closes, so the count never moves with one person's answer (the authority's own default).`;

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Reminders to people who have not answered, every this many days, unless the QA team says otherwise. */
const DEFAULT_REMINDER_DAYS = 7;

export async function surveyHome(ctx: AppContext, actor: Actor, notice = ""): Promise<CardData<"survey-home">> {
  const manage = may(actor, "survey.manage");
  const [mine, teams, campaigns] = await Promise.all([
    myOpenSurveys(ctx, actor),
    manage ? ctx.db.team.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true } }) : [],
    manage ? listCampaigns(ctx, actor) : [],
  ]);
  return {
    notice,
    mine: mine.map((m) => ({
      campaignId: m.campaignId,
      title: m.title,
      note: `Open until ${m.closes}.${m.onBehalf ? " Filled in by the QA team for each family called." : ""}`,
      button: m.onBehalf ? "Enter a family's answers" : m.resume ? "Resume" : "Start",
    })),
    manage,
    campaigns: campaigns.map((c) => ({
      ...c,
      stateLabel: STATE_LABELS[c.state],
      counts: `${sentence(c.onBehalf ? `${c.answered} families surveyed.` : `${c.answered} of ${c.invited} answered.`)}${
        c.state === "closed" ? "" : ` ${RUNNING_NOTE(ctx.config.MIN_GROUP_SIZE)}`
      }`,
    })),
    templates: listFormTemplates()
      .filter((t) => !t.id.startsWith("audit-"))
      .map((t) => ({ title: t.title, value: t.id })),
    audiences: [
      { title: "All staff", value: "all" },
      { title: "Practitioners", value: "practitioners" },
      { title: "Managers (deputy team manager and above)", value: "managers" },
      { title: "New starters (started 3 to 4 months ago)", value: "starters" },
      ...teams.map((t) => ({ title: `Team: ${t.name}`, value: `team:${t.id}` })),
    ],
    form: {
      templateId: "health-check",
      audience: "all",
      opensOn: isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE)),
      closesOn: "",
      reminderEveryDays: DEFAULT_REMINDER_DAYS,
    },
  };
}

export interface OpenSurveyForm {
  templateId: string;
  audience: string[];
  opensOn: string;
  closesOn: string;
  reminderEveryDays: number;
  repeatYearly: boolean;
}

/** Opens a campaign from the QA team's form (local days in the authority's time zone); says what happens next. */
export async function openSurveyFromForm(ctx: AppContext, actor: Actor, form: OpenSurveyForm): Promise<string> {
  const tz = ctx.config.TIMEZONE;
  const { campaign, invited } = await openCampaign(ctx, actor, {
    templateId: form.templateId,
    audience: parseAudience(form.audience, ctx.clock.now()),
    opensAt: startOfLocalDay(form.opensOn, tz),
    closesAt: endOfLocalDay(form.closesOn, tz),
    reminderEveryDays: form.reminderEveryDays,
    // Yearly: the next round opens on the same date with the same form (item ids stay comparable).
    ...(form.repeatYearly ? { repeatEveryMonths: 12 } : {}),
  });
  const yearly = campaign.repeatEveryMonths === 12 ? " It opens again every year on the same date." : "";
  return `${campaign.title} is open for ${invited} people. Invitations go out through Teams (not during quiet hours).${yearly}`;
}
