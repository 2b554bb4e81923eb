// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { markSupervisionOverdue, sendSupervisionReminder } from "./supervision/sessions";
import { OVERDUE_JOB, REMIND_JOB } from "./supervision/plan";

export function buildJobHandlers(): JobHandlers {
  return {
    [REMIND_JOB]: sendSupervisionReminder,
    [OVERDUE_JOB]: markSupervisionOverdue,
  };
}
