// A throwaway database for one benchmark run: created on a PostgreSQL server now, dropped (even
// with sessions still open) by drop().
import { randomBytes } from "node:crypto";
import pg from "pg";
import { dropDatabase, withDatabase } from "../test/support/testDb";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates `assure_bench_<random>` on `server`; throws if the server cannot be reached. */
export async function createBenchDatabase(server: string): Promise<BenchDatabase> {
  const name = `assure_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  return {
    name,
    url: withDatabase(server, name),
    drop: () => dropDatabase(server, name),
  };
}
