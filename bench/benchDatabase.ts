// A throwaway database for one benchmark run: created on a PostgreSQL server now, dropped (even
// with sessions still open) by drop(). Every benchmark finds its server the same way
// (benchServerUrl), so `npm run bench:…` with no settings measures this machine's PostgreSQL.
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

/** This machine's PostgreSQL (trust auth), the server benchmarks use when nothing else is named. */
const LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

/** The server for scratch databases: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else DATABASE_URL's server, else this machine's. */
export function benchServerUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || LOCAL_SERVER;
}

/**
 * A scratch database on benchServerUrl(), or undefined (said on stderr) when BENCH_DATABASE=pglite
 * or the server cannot be reached: the caller then uses the embedded PGlite, and says so in its result.
 */
export async function scratchDatabaseOrNone(): Promise<BenchDatabase | undefined> {
  if (process.env.BENCH_DATABASE === "pglite") return undefined;
  const server = benchServerUrl();
  try {
    return await createBenchDatabase(server);
  } catch (err) {
    console.error(
      `no PostgreSQL server reachable at ${new URL(server).host} (${(err as Error).message}): using the embedded PGlite (one backend)`,
    );
    return undefined;
  }
}
