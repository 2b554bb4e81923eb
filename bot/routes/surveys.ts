// Survey cards: "survey" lists a person's open surveys (and, for the QA team, the campaigns and a
// form to open one); the form pages; results; export; close. Business rules are in services/surveys.
import { cardRoute, command, defineRoute, reply, route, showRoute, type Command } from "../router";
import { campaignRefSchema, nextStepSchema, openSurveySchema, surveyPageSchema } from "../../cards/schemas/surveys";
import type { AppContext } from "../../services/context";
import type { Actor } from "../../services/permissions";
import { addNextStep } from "../../services/surveys/nextSteps";
import { renderFormPage } from "../../services/forms/engine";
import { answerSurvey, closeCampaign } from "../../services/surveys/campaigns";
import { campaignResults } from "../../services/surveys/results";
import { openSurveyFromForm, surveyHome } from "../../services/surveys/home";
import { exportCampaignResults, resultsCardData } from "../../services/surveys/resultsCard";

const home = async (app: AppContext, actor: Actor, notice = "") => reply("survey-home", await surveyHome(app, actor, notice));

export const commands: Command[] = [
  command("survey", "survey.home", "Your open surveys (the QA team also opens and closes surveys here)", { button: "Surveys" }),
  command("surveys", "survey.home", "Same as survey"),
];

export function routes() {
  const [mine, manage] = ["surveys.mine", "survey.manage"] as const;
  return [
    showRoute("survey.home", mine, "survey-home", (app, actor) => surveyHome(app, actor)),
    // Anonymous: the answers are logged without the actor.
    defineRoute({
      verb: "survey.page",
      capability: mine,
      schema: surveyPageSchema,
      anonymous: true,
      async handle({ app, actor, data: { campaignId, page, nav, ...rest } }) {
        const outcome = await answerSurvey(app, actor, { campaignId, page, nav, data: rest });
        if (outcome.kind === "page") return { card: renderFormPage(outcome.template, outcome.view) };
        if (outcome.again) return home(app, actor, outcome.message);
        return reply("message", { title: outcome.title, text: outcome.message });
      },
    }),
    route("survey.open", manage, openSurveySchema, async ({ app, actor, data }) =>
      home(app, actor, await openSurveyFromForm(app, actor, data)),
    ),
    route("survey.close", manage, campaignRefSchema, async ({ app, actor, data }) => {
      await closeCampaign(app, actor, data.campaignId);
      return home(app, actor, "The survey is closed: no more answers will be taken.");
    }),
    cardRoute("survey.nextSteps.add", mine, nextStepSchema, "survey-next-steps", async ({ app, actor, data }) => ({
      ...(await addNextStep(app, actor, data)),
    })),
    // The QA team, and heads of service for a closed Health Check (campaignResults decides).
    cardRoute("survey.results", mine, campaignRefSchema, "survey-results", async ({ app, actor, data }) =>
      resultsCardData(await campaignResults(app, actor, data.campaignId)),
    ),
    cardRoute("survey.export", manage, campaignRefSchema, "message", async ({ app, actor, data }) => {
      const files = await exportCampaignResults(app, actor, data.campaignId);
      return {
        title: "Exported",
        text: `Written on the Assure server: ${files.xlsx} (Excel) and ${files.csv} (CSV). Whoever runs Assure copies them from its reports folder to the QA team (a Teams file link is not available yet); the results card has the same figures.`,
      };
    }),
  ];
}
