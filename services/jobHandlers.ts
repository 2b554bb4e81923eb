// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { STAGE_JOB, stageDeadlinePassed } from "./escalation/escalation";

export function buildJobHandlers(): JobHandlers {
  return {
    [STAGE_JOB]: (tx, ctx, data) => stageDeadlinePassed(tx, ctx, data),
  };
}
