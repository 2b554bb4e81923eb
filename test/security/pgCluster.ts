// A throwaway PostgreSQL 15 cluster under /tmp for fault tests: the machine's shared server is
// never restarted. Runs as the `postgres` user when the tests run as root (initdb refuses root).
import { execFileSync } from "node:child_process";
import { mkdtempSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPrisma, freePort } from "../../services/db";
import { migrate } from "../../prisma/migrate";
import { seedDemo } from "../../prisma/seed";

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface PgCluster {
  url: string;
  port: number;
  stop(): void;
  start(): void;
  destroy(): void;
}

function run(cmd: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const line = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", line], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), "assure-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
  run(`${BIN}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const start = () =>
    run(`${BIN}/pg_ctl`, [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`,
      "start",
    ]);
  const stop = () => run(`${BIN}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private cluster with the schema migrated and the demo directory seeded. */
export async function startSeededPgCluster(): Promise<PgCluster> {
  const pgc = await startPgCluster();
  await migrate(pgc.url);
  const db = createPrisma(pgc.url, 2);
  await seedDemo(db);
  await db.$disconnect();
  return pgc;
}
