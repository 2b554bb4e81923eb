// npm run jobs — the scheduler's queue for operators: pending, running and failed jobs by name
// and due time. Read-only. Options: --status pending,failed  --limit 50  --json
import { listJobs } from "../services/jobs";
import { flag, runCli } from "./cli";

await runCli(
  async (ctx) => {
    const statuses = flag("status")?.split(",").filter(Boolean);
    const result = await listJobs(ctx, { statuses, limit: Number(flag("limit") ?? 50) });
    if (process.argv.slice(2).includes("--json")) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log("Jobs by name and status");
      console.table(
        result.summary.map((s) => ({ name: s.name, status: s.status, count: s.count, next: s.nextRunAt?.toISOString() ?? "" })),
      );
      console.log(`Next ${result.jobs.length} (${statuses?.join(", ") ?? "pending, running, failed"}) by due time`);
      console.table(
        result.jobs.map((j) => ({
          due: j.runAt.toISOString(),
          name: j.name,
          key: j.key,
          status: j.status,
          attempts: j.attempts,
          error: j.lastError ?? "",
        })),
      );
    }
  },
  { logLevel: "warn", migrate: "never", database: { log: true } },
);
