// The states of an audit-of-practice day, its sampled cases and its recommendations, in one place
// (Halton Children and Young People's Services Quality Assurance Framework, "The audit").
import { defineMachine } from "../stateMachine";

/** A day: planned → audit teams agreed from the volunteers → cases selected (five weeks before) → the lead manager's report. */
export const practiceDayMachine = defineMachine("practice_day", ["planned", "teams_agreed", "cases_selected", "reported"], {
  agreeTeams: "planned | teams_agreed -> teams_agreed",
  selectCases: "teams_agreed -> cases_selected",
  report: "cases_selected -> reported",
});

/** A sampled case: the worker confirms attendance; the pair writes its analysis; the lead manager quality-assures it. */
export const practiceDayCaseMachine = defineMachine("practice_day_case", ["selected", "confirmed", "analysed", "assured"], {
  confirm: "selected -> confirmed",
  // A worker who never confirmed does not stop the pair recording what the file shows.
  submitAnalysis: "selected | confirmed -> analysed",
  assure: "analysed -> assured",
});

/** A recommendation to a line manager, open until they confirm completion in writing. */
export const practiceDayRecommendationMachine = defineMachine("practice_day_recommendation", ["open", "completed"], {
  complete: "open -> completed",
});
