// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { REMINDER_JOB, selfAssessmentReminder } from "./audit/selfAssessment";
import { actionDueJob, auditFollowUpJob } from "./audit/actions";

export function buildJobHandlers(): JobHandlers {
  return {
    [REMINDER_JOB]: selfAssessmentReminder,
    "audit.followUp": auditFollowUpJob,
    "action.due": actionDueJob,
  };
}
