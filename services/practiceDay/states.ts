// The states of an audit-of-practice day, its sampled cases and its recommendations, in one place
// (Halton Children and Young People's Services Quality Assurance Framework, "The audit").
import { defineMachine } from "../stateMachine";

/** A day: planned → audit teams agreed from the volunteers → cases selected (five weeks before) → the lead manager's report. */
export const practiceDayMachine = defineMachine({
  entity: "practice_day",
  table: "PracticeDay",
  statuses: ["planned", "teams_agreed", "cases_selected", "reported"],
  initial: "planned",
  steps: {
    agreeTeams: { from: ["planned", "teams_agreed"], to: "teams_agreed" },
    selectCases: { from: ["teams_agreed"], to: "cases_selected" },
    report: { from: ["cases_selected"], to: "reported" },
  },
});

/** A sampled case: the worker confirms attendance; the pair writes its analysis; the lead manager quality-assures it. */
export const practiceDayCaseMachine = defineMachine({
  entity: "practice_day_case",
  table: "PracticeDayCase",
  statuses: ["selected", "confirmed", "analysed", "assured"],
  initial: "selected",
  steps: {
    confirm: { from: ["selected"], to: "confirmed" },
    // A worker who never confirmed does not stop the pair recording what the file shows.
    submitAnalysis: { from: ["selected", "confirmed"], to: "analysed" },
    assure: { from: ["analysed"], to: "assured" },
  },
});

/** A recommendation to a line manager, open until they confirm completion in writing. */
export const practiceDayRecommendationMachine = defineMachine({
  entity: "practice_day_recommendation",
  table: "PracticeDayRecommendation",
  statuses: ["open", "completed"],
  initial: "open",
  steps: { complete: { from: ["open"], to: "completed" } },
});
