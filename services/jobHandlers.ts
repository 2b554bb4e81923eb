// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { actionDueJob, auditFollowUpJob } from "./audit/actions";

export function buildJobHandlers(): JobHandlers {
  return {
    "audit.followUp": auditFollowUpJob,
    "action.due": actionDueJob,
  };
}
