// Audit-of-practice days (Halton framework): the QA team plans them; staff volunteer, confirm
// attendance, write a pair's analysis; the lead manager quality-assures and reports; line managers
// confirm recommendations. Thin: validate with the card's zod schema, call the service, render.
import { z } from "zod";
import { defineRoute, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { ValidationFailed } from "../../services/errors";
import { agreeTeams, scheduleDay, selectNow, volunteer } from "../../services/practiceDay/days";
import {
  analysisCard,
  assureAnalysis,
  completeRecommendation,
  confirmAttendance,
  recommendationCard,
  saveAnalysis,
} from "../../services/practiceDay/analysis";
import { dayCardData, myPracticeDays, practiceDaysHome, writeReport } from "../../services/practiceDay/views";
import {
  analysisSchema,
  assureSchema,
  completeSchema,
  dayCaseRefSchema,
  dayRefSchema,
  recRefSchema,
  reportSchema,
  scheduleSchema,
} from "../../cards/schemas/practiceDay";

export const practiceDayCommands: Command[] = [
  {
    words: "practice day",
    verb: "practiceDay.mine",
    description: "Audit of practice days: volunteer, confirm attendance, your team's cases",
  },
  { words: "practice days", verb: "practiceDay.home", description: "Plan the year's audit of practice days (QA team)" },
];

const none = z.object({}).passthrough();

export function practiceDayRoutes() {
  return [
    defineRoute({
      verb: "practiceDay.home",
      capability: "practiceDay.manage",
      schema: none,
      async handle({ app }) {
        return { card: renderCard("practice-days", await practiceDaysHome(app)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.schedule",
      capability: "practiceDay.manage",
      schema: scheduleSchema,
      async handle({ app, actor, data }) {
        const typed = { heldOn: data.heldOn ?? "", lead: data.lead ?? "", theme: data.theme ?? "none" };
        try {
          const day = await scheduleDay(app, actor, { heldOn: typed.heldOn, leadId: typed.lead, theme: typed.theme });
          return {
            card: renderCard(
              "practice-day",
              await dayCardData(app, actor, day.id, "Date set. Every member of staff has been asked to volunteer."),
            ),
          };
        } catch (err) {
          if (err instanceof ValidationFailed)
            return { card: renderCard("practice-days", await practiceDaysHome(app, typed, err.fieldErrors, err.message)) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "practiceDay.open",
      capability: "practiceDay.participate",
      schema: dayRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("practice-day", await dayCardData(app, actor, data.dayId)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.agreeTeams",
      capability: "practiceDay.manage",
      schema: dayRefSchema,
      async handle({ app, actor, data }) {
        await agreeTeams(app, actor, data.dayId);
        return { card: renderCard("practice-day", await dayCardData(app, actor, data.dayId, "Audit teams agreed.")) };
      },
    }),
    defineRoute({
      verb: "practiceDay.select",
      capability: "practiceDay.manage",
      schema: dayRefSchema,
      async handle({ app, actor, data }) {
        const r = await selectNow(app, actor, data.dayId);
        const notice = r.alreadySelected
          ? "The cases were already selected: nothing was selected twice."
          : `${r.count} cases selected; each worker has been asked to confirm attendance.`;
        return { card: renderCard("practice-day", await dayCardData(app, actor, data.dayId, notice)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.report",
      capability: "practiceDay.participate",
      schema: reportSchema,
      async handle({ app, actor, data }) {
        try {
          return {
            card: renderCard("practice-day", await writeReport(app, actor, data.dayId, data.findings ?? "", data.organisational ?? "")),
          };
        } catch (err) {
          if (err instanceof ValidationFailed && err.fieldErrors.findings)
            return {
              card: renderCard("practice-day", { ...(await dayCardData(app, actor, data.dayId)), findingsError: err.fieldErrors.findings }),
            };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "practiceDay.mine",
      capability: "practiceDay.participate",
      schema: none,
      async handle({ app, actor }) {
        return { card: renderCard("practice-day-mine", await myPracticeDays(app, actor)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.volunteer",
      capability: "practiceDay.participate",
      schema: dayRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("practice-day-volunteer", await volunteer(app, actor, data.dayId)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.confirm",
      capability: "practiceDay.participate",
      schema: dayCaseRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("practice-day-notice", await confirmAttendance(app, actor, data.dayCaseId)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.analysis.open",
      capability: "practiceDay.participate",
      schema: dayCaseRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("practice-day-analysis", await analysisCard(app, actor, data.dayCaseId)) };
      },
    }),
    ...(["save", "submit"] as const).map((kind) =>
      defineRoute({
        verb: `practiceDay.analysis.${kind}`,
        capability: "practiceDay.participate",
        schema: analysisSchema,
        async handle({ app, actor, data }) {
          const { dayCaseId, ...answers } = data;
          try {
            return { card: renderCard("practice-day-analysis", await saveAnalysis(app, actor, dayCaseId, answers, kind === "submit")) };
          } catch (err) {
            if (err instanceof ValidationFailed)
              return {
                card: renderCard(
                  "practice-day-analysis",
                  await analysisCard(app, actor, dayCaseId, { answers, errors: err.fieldErrors, error: err.message }),
                ),
              };
            throw err;
          }
        },
      }),
    ),
    defineRoute({
      verb: "practiceDay.assure",
      capability: "practiceDay.participate",
      schema: assureSchema,
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard("practice-day-analysis", await assureAnalysis(app, actor, data.dayCaseId, data)) };
        } catch (err) {
          if (err instanceof ValidationFailed)
            return {
              card: renderCard("practice-day-analysis", {
                ...(await analysisCard(app, actor, data.dayCaseId, { errors: err.fieldErrors, error: err.message })),
                recommendation: data.recommendation ?? "",
                poorPractice: data.poorPractice === "true" ? "true" : "false",
              }),
            };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "practiceDay.recommendation.open",
      capability: "practiceDay.participate",
      schema: recRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("practice-day-recommendation", await recommendationCard(app, actor, data.recId)) };
      },
    }),
    defineRoute({
      verb: "practiceDay.recommendation.complete",
      capability: "practiceDay.participate",
      schema: completeSchema,
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard("practice-day-recommendation", await completeRecommendation(app, actor, data.recId, data.note ?? "")) };
        } catch (err) {
          if (err instanceof ValidationFailed && err.fieldErrors.note)
            return {
              card: renderCard("practice-day-recommendation", {
                ...(await recommendationCard(app, actor, data.recId)),
                noteError: err.fieldErrors.note,
              }),
            };
          throw err;
        }
      },
    }),
  ];
}
