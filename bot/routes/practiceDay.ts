// Audit-of-practice days (Halton framework): the QA team plans them; staff volunteer, confirm
// attendance, write a pair's analysis; the lead manager quality-assures and reports; line managers
// confirm recommendations. Thin: validate with the card's zod schema, call the service, render.
import { byId, cardRoute, fieldAgain, command, reply, saveOrSubmit, showRoute, type Command } from "../router";
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

export const commands: Command[] = [
  command("practice day", "practiceDay.mine", "Audit of practice days: volunteer, confirm attendance, your team's cases"),
  command("practice days", "practiceDay.home", "Plan the year's audit of practice days (QA team)"),
];

type Typed = { heldOn?: string; lead?: string; theme?: string };
const typedDay = (d: Typed) => ({ heldOn: d.heldOn ?? "", lead: d.lead ?? "", theme: d.theme ?? "none" });

export function routes() {
  const [manage, participate] = ["practiceDay.manage", "practiceDay.participate"] as const;
  return [
    showRoute("practiceDay.home", manage, "practice-days", (app) => practiceDaysHome(app)),
    cardRoute(
      "practiceDay.schedule",
      manage,
      scheduleSchema,
      "practice-day",
      async ({ app, actor, data }) => {
        const { heldOn, lead, theme } = typedDay(data);
        const day = await scheduleDay(app, actor, { heldOn, leadId: lead, theme });
        return dayCardData(app, actor, day.id, "Date set. Every member of staff has been asked to volunteer.");
      },
      async ({ app, data }, err) => reply("practice-days", await practiceDaysHome(app, typedDay(data), err.fieldErrors, err.message)),
    ),
    cardRoute("practiceDay.open", participate, dayRefSchema, "practice-day", byId("dayId", dayCardData)),
    cardRoute("practiceDay.agreeTeams", manage, dayRefSchema, "practice-day", async ({ app, actor, data }) => {
      await agreeTeams(app, actor, data.dayId);
      return dayCardData(app, actor, data.dayId, "Audit teams agreed.");
    }),
    cardRoute("practiceDay.select", manage, dayRefSchema, "practice-day", async ({ app, actor, data }) => {
      const r = await selectNow(app, actor, data.dayId);
      const notice = r.alreadySelected
        ? "The cases were already selected: nothing was selected twice."
        : `${r.count} cases selected; each worker has been asked to confirm attendance.`;
      return dayCardData(app, actor, data.dayId, notice);
    }),
    cardRoute(
      "practiceDay.report",
      participate,
      reportSchema,
      "practice-day",
      ({ app, actor, data }) => writeReport(app, actor, data.dayId, data.findings ?? "", data.organisational ?? ""),
      fieldAgain("practice-day", "findings", byId("dayId", dayCardData)),
    ),
    showRoute("practiceDay.mine", participate, "practice-day-mine", myPracticeDays),
    cardRoute("practiceDay.volunteer", participate, dayRefSchema, "practice-day-volunteer", byId("dayId", volunteer)),
    cardRoute("practiceDay.confirm", participate, dayCaseRefSchema, "practice-day-notice", byId("dayCaseId", confirmAttendance)),
    cardRoute("practiceDay.analysis.open", participate, dayCaseRefSchema, "practice-day-analysis", byId("dayCaseId", analysisCard)),
    ...saveOrSubmit(
      ["practiceDay.analysis.save", "practiceDay.analysis.submit"],
      participate,
      analysisSchema,
      async ({ app, actor, data: { dayCaseId, ...answers } }, submit) =>
        reply("practice-day-analysis", await saveAnalysis(app, actor, dayCaseId, answers, submit)),
      async ({ app, actor, data: { dayCaseId, ...answers } }, err) =>
        reply("practice-day-analysis", await analysisCard(app, actor, dayCaseId, { answers, errors: err.fieldErrors, error: err.message })),
    ),
    cardRoute(
      "practiceDay.assure",
      participate,
      assureSchema,
      "practice-day-analysis",
      ({ app, actor, data }) => assureAnalysis(app, actor, data.dayCaseId, data),
      async ({ app, actor, data }, err) =>
        reply("practice-day-analysis", {
          ...(await analysisCard(app, actor, data.dayCaseId, { errors: err.fieldErrors, error: err.message })),
          recommendation: data.recommendation ?? "",
          poorPractice: data.poorPractice === "true" ? "true" : "false",
        }),
    ),
    cardRoute(
      "practiceDay.recommendation.open",
      participate,
      recRefSchema,
      "practice-day-recommendation",
      byId("recId", recommendationCard),
    ),
    cardRoute(
      "practiceDay.recommendation.complete",
      participate,
      completeSchema,
      "practice-day-recommendation",
      ({ app, actor, data }) => completeRecommendation(app, actor, data.recId, data.note ?? ""),
      fieldAgain("practice-day-recommendation", "note", byId("recId", recommendationCard)),
    ),
  ];
}
