// Survey cards: "survey" lists a person's open surveys (and, for the QA team, the campaigns and a
// form to open one); the form pages; results; export; close. Business rules are in services/surveys.
import { defineRoute, showRoute, command, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { campaignRefSchema, nextStepSchema, openSurveySchema, surveyPageSchema } from "../../cards/schemas/surveys";
import type { AppContext } from "../../services/context";
import type { Actor } from "../../services/permissions";
import { addNextStep } from "../../services/surveys/nextSteps";
import { renderFormPage } from "../../services/forms/engine";
import { answerSurvey, closeCampaign } from "../../services/surveys/campaigns";
import { campaignResults } from "../../services/surveys/results";
import { openSurveyFromForm, surveyHome } from "../../services/surveys/home";
import { exportCampaignResults, resultsCardData } from "../../services/surveys/resultsCard";

const home = async (app: AppContext, actor: Actor, notice = "") => ({
  card: renderCard("survey-home", await surveyHome(app, actor, notice)),
});

export const commands: Command[] = [
  command("survey", "survey.home", "Your open surveys (the QA team also opens and closes surveys here)", { button: "Surveys" }),
  command("surveys", "survey.home", "Same as survey"),
];

export function routes() {
  return [
    showRoute("survey.home", "surveys.mine", "survey-home", (app, actor) => surveyHome(app, actor)),
    defineRoute({
      verb: "survey.page",
      capability: "surveys.mine",
      schema: surveyPageSchema,
      anonymous: true,
      async handle({ app, actor, data }) {
        const { campaignId, page, nav, ...rest } = data;
        const outcome = await answerSurvey(app, actor, { campaignId, page, nav, data: rest });
        if (outcome.kind === "page") return { card: renderFormPage(outcome.template, outcome.view) };
        if (outcome.again) return home(app, actor, outcome.message);
        return { card: renderCard("message", { title: outcome.title, text: outcome.message }) };
      },
    }),
    defineRoute({
      verb: "survey.open",
      capability: "survey.manage",
      schema: openSurveySchema,
      handle: async ({ app, actor, data }) => home(app, actor, await openSurveyFromForm(app, actor, data)),
    }),
    defineRoute({
      verb: "survey.close",
      capability: "survey.manage",
      schema: campaignRefSchema,
      async handle({ app, actor, data }) {
        await closeCampaign(app, actor, data.campaignId);
        return home(app, actor, "The survey is closed: no more answers will be taken.");
      },
    }),
    defineRoute({
      verb: "survey.nextSteps.add",
      capability: "surveys.mine",
      schema: nextStepSchema,
      handle: async ({ app, actor, data }) => ({ card: renderCard("survey-next-steps", { ...(await addNextStep(app, actor, data)) }) }),
    }),
    defineRoute({
      verb: "survey.results",
      // The QA team, and heads of service for a closed Health Check (campaignResults decides).
      capability: "surveys.mine",
      schema: campaignRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("survey-results", resultsCardData(await campaignResults(app, actor, data.campaignId))) };
      },
    }),
    defineRoute({
      verb: "survey.export",
      capability: "survey.manage",
      schema: campaignRefSchema,
      async handle({ app, actor, data }) {
        const files = await exportCampaignResults(app, actor, data.campaignId);
        return {
          card: renderCard("message", {
            title: "Exported",
            text: `Written on the Assure server: ${files.xlsx} (Excel) and ${files.csv} (CSV).`,
          }),
        };
      },
    }),
  ];
}
