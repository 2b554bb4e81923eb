// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { closeCampaignTx, sendReminders } from "./surveys/campaigns";

export function buildJobHandlers(): JobHandlers {
  return {
    "survey.reminder": async (tx, ctx, data) => {
      await sendReminders(tx, ctx, String(data.campaignId), Number(data.n ?? 1));
    },
    "survey.close": async (tx, ctx, data) => {
      await closeCampaignTx(tx, ctx, null, String(data.campaignId));
    },
  };
}
