// The month's report as one person may see it: what the card, the files and the scheduled send
// are all built from (index.ts builds it; cardData.ts and files.ts present it).
import type { MonthlyReport } from "./monthly";
import type { AppendixRow, TeamSummary } from "./appendix";
import type { Trends } from "./trends";
import type { ObservationsAndDips } from "./observationsDips";
import type { Fact } from "./practiceAndPartnership";

export interface ViewOptions {
  /** Area means month by month (for the XLSX "Trends" sheet); the card needs the grade series only. */
  areaTrends?: boolean;
  /** The case-by-case appendix (team card, files). The at-a-glance card does not show it. Default true. */
  appendix?: boolean;
}

export interface MonthlyView {
  kind: "full" | "team";
  report: MonthlyReport;
  teams: TeamSummary[];
  appendix: AppendixRow[];
  trends: Trends;
  /** Practice observations and dip samples, apart from the full audits. */
  observationsAndDips?: ObservationsAndDips;
  /** Audit-of-practice days and multi-agency audits of the month (whole-authority reports only). */
  practiceAndPartnership?: Fact[];
}
