// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { REPORT_JOB, sendMonthlyReports } from "./reports";

export function buildJobHandlers(): JobHandlers {
  return {
    [REPORT_JOB]: sendMonthlyReports,
  };
}
