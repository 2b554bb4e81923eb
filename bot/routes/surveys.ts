// Survey cards: "survey" lists a person's open surveys (and, for the QA team, the campaigns and a
// form to open one); the form pages; results; export; close. Business rules are in services/surveys.
import { z } from "zod";
import path from "node:path";
import { defineRoute } from "../router";
import { renderCard } from "../../cards/render";
import { typedNumber } from "../../cards/schemas/cardData";
import { campaignRefSchema, nextStepSchema, openSurveySchema, surveyPageSchema } from "../../cards/schemas/surveys";
import { addNextStep } from "../../services/surveys/nextSteps";
import type { AppContext } from "../../services/context";
import { may, type Actor } from "../../services/permissions";
import { listFormTemplates } from "../../services/forms/templateSchema";
import { renderFormPage } from "../../services/forms/engine";
import { isoDate, localDate } from "../../services/workingTime";
import {
  answerSurvey,
  closeCampaign,
  endOfLocalDay,
  listCampaigns,
  myOpenSurveys,
  openCampaign,
  parseAudience,
  startOfLocalDay,
} from "../../services/surveys/campaigns";
import { campaignResults, exportResults, type SurveyResults } from "../../services/surveys/results";

const STATE_LABELS = { scheduled: "not open yet", open: "open", closed: "closed" } as const;

async function homeCard(app: AppContext, actor: Actor, notice = "", form?: Record<string, unknown>) {
  const mine = await myOpenSurveys(app, actor);
  const manage = may(actor, "survey.manage");
  const today = isoDate(localDate(app.clock.now(), app.config.TIMEZONE));
  const teams = manage ? await app.db.team.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true } }) : [];
  const campaigns = manage ? await listCampaigns(app, actor) : [];
  return renderCard("survey-home", {
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
      counts: c.onBehalf ? `${c.answered} families surveyed.` : `${c.answered} of ${c.invited} answered.`,
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
      opensOn: today,
      closesOn: "",
      ...form,
      reminderEveryDays: form ? typedNumber(form.reminderEveryDays) : 7,
    },
  });
}

function resultsCard(r: SurveyResults) {
  const fmt = (x: number | null) => (x === null ? "–" : x.toFixed(1));
  const facts = [
    r.campaign.onBehalf
      ? { title: "Families surveyed", value: r.responded }
      : {
          title: "Response rate",
          value: `${r.responded} of ${r.invited}${r.responseRatePct === null ? "" : ` (${r.responseRatePct}%)`}`,
        },
    ...(r.withheld ? [{ title: "Answers", value: r.withheld }] : []),
    {
      title: "Compared with",
      value: r.previous ? `${r.previous.title}, ${r.previous.window} (${r.previous.responses} responses)` : "no earlier survey",
    },
  ];
  return renderCard("survey-results", {
    campaignId: r.campaign.id,
    title: r.campaign.title,
    window: r.campaign.window,
    stateLabel: STATE_LABELS[r.campaign.state],
    facts,
    sections: r.sections.map((s) => ({
      title: s.title,
      questions: s.questions.map((q) => {
        let stat: string;
        if (q.n === null) {
          stat = r.withheld || `not shown (fewer than ${r.minGroupSize} answered)`;
        } else if (q.mean !== null || q.scaleMax !== null) {
          stat = `Mean ${fmt(q.mean)} of ${q.scaleMax} (${q.n} answered)`;
          if (q.previousMean !== null) stat += ` · before: ${fmt(q.previousMean)}`;
          if (q.changePct !== null) stat += ` · ${q.changePct > 0 ? "+" : ""}${q.changePct}%`;
        } else if (q.type === "text" || q.type === "longtext") {
          stat = `${q.n} written answers (listed anonymously, in random order, in the export)`;
        } else {
          stat = q.distribution.map((d) => `${d.label}: ${d.count}`).join(" · ");
        }
        return { text: q.text, stat };
      }),
    })),
    groups: r.groups.map((g) => ({
      label: `${g.kind === "role" ? "Role" : "Team"}: ${g.label}`,
      value: g.suppressed ? `not shown (fewer than ${r.minGroupSize})` : `${g.n} responses`,
    })),
    suppressionNote: r.suppressionNote,
  });
}

export function surveyRoutes() {
  return [
    defineRoute({
      verb: "survey.home",
      capability: "surveys.mine",
      // The caller's own surveys: no object id is read from card data.
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        return { card: await homeCard(app, actor) };
      },
    }),
    defineRoute({
      verb: "survey.page",
      capability: "surveys.mine",
      schema: surveyPageSchema,
      anonymous: true,
      async handle({ app, actor, data }) {
        const { campaignId, page, nav, ...rest } = data;
        const outcome = await answerSurvey(app, actor, { campaignId, page, nav, data: rest });
        if (outcome.kind === "page") return { card: renderFormPage(outcome.template, outcome.view) };
        if (outcome.again) return { card: await homeCard(app, actor, outcome.message) };
        return { card: renderCard("message", { title: outcome.title, text: outcome.message }) };
      },
    }),
    defineRoute({
      verb: "survey.open",
      capability: "survey.manage",
      schema: openSurveySchema,
      async handle({ app, actor, data }) {
        const tz = app.config.TIMEZONE;
        const { campaign, invited } = await openCampaign(app, actor, {
          templateId: data.templateId,
          audience: parseAudience(data.audience, app.clock.now()),
          opensAt: startOfLocalDay(data.opensOn, tz),
          closesAt: endOfLocalDay(data.closesOn, tz),
          reminderEveryDays: data.reminderEveryDays,
          // Yearly: the next round opens on the same date with the same form (item ids stay comparable).
          ...(data.repeatYearly ? { repeatEveryMonths: 12 } : {}),
        });
        return {
          card: await homeCard(
            app,
            actor,
            `${campaign.title} is open for ${invited} people. Invitations go out through Teams (not during quiet hours).${
              campaign.repeatEveryMonths === 12 ? " It opens again every year on the same date." : ""
            }`,
          ),
        };
      },
    }),
    defineRoute({
      verb: "survey.close",
      capability: "survey.manage",
      schema: campaignRefSchema,
      async handle({ app, actor, data }) {
        await closeCampaign(app, actor, data.campaignId);
        return { card: await homeCard(app, actor, "The survey is closed: no more answers will be taken.") };
      },
    }),
    defineRoute({
      verb: "survey.nextSteps.add",
      capability: "surveys.mine",
      schema: nextStepSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("survey-next-steps", { ...(await addNextStep(app, actor, data)) }) };
      },
    }),
    defineRoute({
      verb: "survey.results",
      // The QA team, and heads of service for a closed Health Check (campaignResults decides).
      capability: "surveys.mine",
      schema: campaignRefSchema,
      async handle({ app, actor, data }) {
        return { card: resultsCard(await campaignResults(app, actor, data.campaignId)) };
      },
    }),
    defineRoute({
      verb: "survey.export",
      capability: "survey.manage",
      schema: campaignRefSchema,
      async handle({ app, actor, data }) {
        const files = await exportResults(
          await campaignResults(app, actor, data.campaignId),
          process.env.REPORTS_DIR ?? "reports-out",
          app.clock.now(),
        );
        return {
          card: renderCard("message", {
            title: "Exported",
            text: `Written on the Assure server: ${path.basename(files.xlsx)} (Excel) and ${path.basename(files.csv)} (CSV).`,
          }),
        };
      },
    }),
  ];
}
