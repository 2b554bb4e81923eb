// `npm run db:migrate`: apply prisma/migrations to DATABASE_URL (or the embedded database).
import { loadConfig } from "../services/config";
import { openDatabase } from "../services/db";
import { migrate } from "../prisma/migrate";

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
try {
  const r = await migrate(db.url);
  console.log(r.applied.length ? `applied: ${r.applied.join(", ")}` : "up to date", `(${r.alreadyApplied} already applied)`);
} finally {
  await db.close();
}
