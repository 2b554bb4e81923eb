// `npm run moderate -- --sample 10% [--return-days 10] [--as qa.officer@council.example] [--seed s]`:
// samples the audits completed in the last 6 months (stratified by auditor and grade) and
// allocates them to moderators, exactly as the `moderate` card does. Prints one JSON line.
import { loadConfig } from "../services/config";
import { createPrisma, openDatabase } from "../services/db";
import { migrate } from "../prisma/migrate";
import { systemClock } from "../services/clock";
import { createLogger } from "../services/logger";
import { parsePercent, sampleForModeration } from "../services/moderation/sampling";
import { DomainError } from "../services/errors";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sample = opt("sample");
if (!sample) {
  console.error("usage: npm run moderate -- --sample 10% [--return-days 10] [--as qa.officer@council.example] [--seed text]");
  process.exit(2);
}
const config = loadConfig();
const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
const db = createPrisma(handle.url, 2);
let code = 0;
try {
  await migrate(handle.url);
  const as = opt("as");
  const staff = as
    ? await db.staff.findUnique({ where: { email: as } })
    : await db.staff.findFirst({ where: { roles: { has: "QA_TEAM" }, active: true }, orderBy: { email: "asc" } });
  if (!staff) throw new Error(as ? `no staff member ${as}` : "no QA team member in the directory");
  const ctx = { db, config, clock: systemClock, log: createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL) };
  const r = await sampleForModeration(
    ctx,
    { id: staff.id, name: staff.name, roles: staff.roles, teamId: staff.teamId },
    {
      fraction: parsePercent(sample),
      returnWorkingDays: opt("return-days") ? Number(opt("return-days")) : undefined,
      seed: opt("seed"),
    },
  );
  console.log(JSON.stringify({ eligible: r.eligible, sampled: r.sampled, unallocated: r.unallocated, byModerator: r.byModerator }));
} catch (err) {
  console.error(err instanceof DomainError ? err.message : err);
  code = 1;
} finally {
  await db.$disconnect();
  await handle.close();
}
process.exit(code);
