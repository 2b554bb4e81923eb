// `tsx scripts/survey-export.ts <campaignId> --by <email> [--out ./reports-out]`: writes the
// results of a survey campaign as XLSX (summary + one sheet per section) and CSV. Results by team
// or role group respect MIN_GROUP_SIZE; open answers are listed anonymously in a random order.
import { loadConfig } from "../services/config";
import { createPrisma, openDatabase } from "../services/db";
import { migrate } from "../prisma/migrate";
import { createLogger } from "../services/logger";
import { systemClock } from "../services/clock";
import type { AppContext } from "../services/context";
import { DomainError } from "../services/errors";
import { campaignResults, exportResults } from "../services/surveys/results";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const campaignId = argv[0];
if (!campaignId || campaignId.startsWith("--") || !flag("by")) {
  console.error("usage: tsx scripts/survey-export.ts <campaignId> --by <email> [--out ./reports-out]");
  process.exit(2);
}
const config = loadConfig();
const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
const db = createPrisma(handle.url, 2);
const ctx: AppContext = { db, config, clock: systemClock, log: createLogger(config.LOG_LEVEL) };
let code = 0;
try {
  await migrate(handle.url);
  const s = await db.staff.findUnique({ where: { email: flag("by")!.toLowerCase() } });
  if (!s || !s.active) throw new Error(`No active member of staff with email ${flag("by")}.`);
  const results = await campaignResults(ctx, { id: s.id, name: s.name, roles: s.roles, teamId: s.teamId }, campaignId);
  const files = await exportResults(results, flag("out") ?? "reports-out");
  console.log(`${files.xlsx}\n${files.csv}`);
} catch (err) {
  if (!(err instanceof DomainError)) throw err;
  console.error(err.message);
  code = 1;
} finally {
  await db.$disconnect();
  await handle.close();
}
process.exit(code);
