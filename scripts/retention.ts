// `npm run retention -- --dry-run`: what the retention rules would remove (counts by table), or,
// without --dry-run, remove it. Periods: RETENTION_* in the environment (see .env.example).
import { applyRetention, formatRetentionReport } from "../services/retention";
import { runCli } from "./cli";

const dryRun = process.argv.includes("--dry-run");
const json = process.argv.includes("--json");
// The embedded database (local use) is migrated like `npm start` does; a server is left as it is.
await runCli(
  async (ctx) => {
    const report = await applyRetention(ctx, { dryRun });
    console.log(json ? JSON.stringify(report) : formatRetentionReport(report));
  },
  { logLevel: process.env.LOG_LEVEL ?? "warn", migrate: "embedded", database: { log: true, pglitePort: true } },
);
