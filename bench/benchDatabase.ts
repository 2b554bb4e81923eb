// A throwaway database for one benchmark run: created on a PostgreSQL server now, dropped (even
// with sessions still open) by drop().
import { randomBytes } from "node:crypto";
import pg from "pg";
import { withDatabase } from "../test/support/testDb";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function onServer(server: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Creates `assure_bench_<random>` on `server`; throws if the server cannot be reached. */
export async function createBenchDatabase(server: string): Promise<BenchDatabase> {
  const name = `assure_bench_${randomBytes(4).toString("hex")}`;
  await onServer(server, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: withDatabase(server, name),
    drop: () => onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
