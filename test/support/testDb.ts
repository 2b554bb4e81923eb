// One fresh database per test file. With TEST_DATABASE_URL (CI: the machine's PostgreSQL) the
// global setup builds a migrated, seeded template once and each file copies it; without it, each
// file gets an embedded in-memory PostgreSQL (PGlite), migrated and seeded.
import pg from "pg";
import { randomBytes } from "node:crypto";
import { migrate } from "../../prisma/migrate";
import { seedDemo } from "../../prisma/seed";
import { createPrisma, startEmbeddedPostgres } from "../../services/db";

export interface TestDatabase {
  url: string;
  embedded: boolean;
  drop(): Promise<void>;
}

export function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a scratch database on `serverUrl`, even with sessions still open (tests and benchmarks). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const a = new pg.Client({ connectionString: serverUrl });
  await a.connect();
  await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => a.end());
}

export async function createTestDatabase(opts: { seed?: boolean } = {}): Promise<TestDatabase> {
  const seed = opts.seed ?? true;
  const server = process.env.TEST_DATABASE_URL;
  const template = process.env.ASSURE_TEST_TEMPLATE;
  if (server && template) {
    const name = `${process.env.ASSURE_TEST_PREFIX ?? "assure_t"}_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${seed ? template : `${template}_empty`}"`);
          break;
        } catch (err) {
          if (attempt >= 10 || !/being accessed by other users/.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 200 + attempt * 100));
        }
      }
    } finally {
      await admin.end();
    }
    const url = withDatabase(server, name);
    return {
      url,
      embedded: false,
      drop: () => dropDatabase(server, name),
    };
  }
  const handle = await startEmbeddedPostgres("memory://");
  await migrate(handle.url);
  if (seed) {
    const db = createPrisma(handle.url, 2);
    await seedDemo(db);
    await db.$disconnect();
  }
  return { url: handle.url, embedded: true, drop: () => handle.close() };
}
