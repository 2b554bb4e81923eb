// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";

export function buildJobHandlers(): JobHandlers {
  return {};
}
