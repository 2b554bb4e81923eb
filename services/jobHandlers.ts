// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { retentionJob } from "./retention";

export function buildJobHandlers(): JobHandlers {
  return {
    "retention.run": (tx, ctx) => retentionJob(tx, ctx),
  };
}
