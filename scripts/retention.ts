// `npm run retention -- --dry-run`: what the retention rules would remove (counts by table), or,
// without --dry-run, remove it. Periods: RETENTION_* in the environment (see .env.example).
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { createPrisma, openDatabase } from "../services/db";
import { systemClock } from "../services/clock";
import { applyRetention, formatRetentionReport } from "../services/retention";
import { migrate } from "../prisma/migrate";

const dryRun = process.argv.includes("--dry-run");
const json = process.argv.includes("--json");
const config = loadConfig();
const log = createLogger(process.env.LOG_LEVEL ?? "warn");
const database = await openDatabase(
  { databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, pglitePort: config.PGLITE_PORT },
  log,
);
// The embedded database (local use) is migrated like `npm start` does; a server is left as it is.
if (database.embedded) await migrate(database.url);
const db = createPrisma(database.url, 2);
try {
  const report = await applyRetention({ db, config, clock: systemClock, log }, { dryRun });
  console.log(json ? JSON.stringify(report) : formatRetentionReport(report));
} finally {
  await db.$disconnect();
  await database.close();
}
