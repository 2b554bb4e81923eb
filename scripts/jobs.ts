// npm run jobs — the scheduler's queue for operators: pending, running and failed jobs by name
// and due time. Read-only. Options: --status pending,failed  --limit 50  --json
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { createPrisma, openDatabase } from "../services/db";
import { systemClock } from "../services/clock";
import { listJobs } from "../services/jobs";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const config = loadConfig();
const log = createLogger("warn");
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR }, log);
const db = createPrisma(database.url, 2);
try {
  const statuses = opt("status")?.split(",").filter(Boolean);
  const result = await listJobs({ db, config, clock: systemClock, log }, { statuses, limit: Number(opt("limit") ?? 50) });
  if (args.includes("--json")) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log("Jobs by name and status");
    console.table(result.summary.map((s) => ({ name: s.name, status: s.status, count: s.count, next: s.nextRunAt?.toISOString() ?? "" })));
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
} finally {
  await db.$disconnect();
  await database.close();
}
