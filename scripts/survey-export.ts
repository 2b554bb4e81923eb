// `tsx scripts/survey-export.ts <campaignId> --by <email> [--out ./reports-out]`: writes the
// results of a survey campaign as XLSX (summary + one sheet per section) and CSV. Results by team
// or role group respect MIN_GROUP_SIZE; open answers are listed anonymously in a random order.
import { DomainError } from "../services/errors";
import { campaignResults } from "../services/surveys/results";
import { exportResults } from "../services/surveys/resultsExport";
import { actorByEmail, flag, runCli } from "./cli";

const campaignId = process.argv[2];
if (!campaignId || campaignId.startsWith("--") || !flag("by")) {
  console.error("usage: tsx scripts/survey-export.ts <campaignId> --by <email> [--out ./reports-out]");
  process.exit(2);
}
await runCli(
  async (ctx) => {
    // An unknown --by is a plain Error here: not caught below, so it ends the script with a stack trace.
    const results = await campaignResults(ctx, await actorByEmail(ctx.db, flag("by")!, Error), campaignId);
    const files = await exportResults(results, flag("out") ?? "reports-out");
    console.log(`${files.xlsx}\n${files.csv}`);
    return 0;
  },
  { errorMessage: (err) => (err instanceof DomainError ? [err.message] : undefined) },
);
