// Vitest global setup: with TEST_DATABASE_URL, build the per-run template databases (migrated;
// migrated + demo directory) that every test file copies, and drop everything this run made.
import { rmSync } from "node:fs";
import { CAPTURED_DIR } from "./capturedCards";
import pg from "pg";
import { migrate } from "../../prisma/migrate";
import { seedDemo } from "../../prisma/seed";
import { createPrisma } from "../../services/db";
import { withDatabase } from "./testDb";

export default async function setup() {
  // Cards captured by this run's tests (test/support/cardGuard.ts) replace the last run's.
  rmSync(CAPTURED_DIR, { recursive: true, force: true });
  const server = process.env.TEST_DATABASE_URL;
  if (!server) return;
  const prefix = `assure_t${Date.now().toString(36)}${process.pid}`;
  const template = `${prefix}_tpl`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  for (const name of [template, `${template}_empty`]) {
    await admin.query(`CREATE DATABASE "${name}"`);
    await migrate(withDatabase(server, name));
  }
  const db = createPrisma(withDatabase(server, template), 2);
  await seedDemo(db);
  await db.$disconnect();
  process.env.ASSURE_TEST_TEMPLATE = template;
  process.env.ASSURE_TEST_PREFIX = prefix;

  return async () => {
    const dbs = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${prefix}%`]);
    for (const r of dbs.rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    await admin.end();
  };
}
