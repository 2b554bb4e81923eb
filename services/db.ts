// Storage: Prisma 7 over @prisma/adapter-pg. With DATABASE_URL it uses that PostgreSQL server;
// without it, an embedded PostgreSQL (PGlite) served over the wire protocol, data under PGLITE_DIR.
import net from "node:net";
import { mkdirSync } from "node:fs";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import type { Logger } from "./logger";

export type Db = PrismaClient;
/** A transaction client: what services receive to write state, history and outbox atomically. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts an embedded PostgreSQL (PGlite) and serves it on 127.0.0.1. `dataDir` "memory://" keeps
 * it in memory (tests). Several clients share one backend: fine for a one-process local run.
 */
export async function startEmbeddedPostgres(dataDir: string, port = 0, log?: Logger): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const listenPort = port || (await freePort());
  const server = new PGLiteSocketServer({ db, port: listenPort, host: "127.0.0.1", maxConnections: 64 });
  await server.start();
  const url = `postgresql://postgres@127.0.0.1:${listenPort}/postgres?sslmode=disable`;
  log?.info({ dataDir, port: listenPort }, "embedded PostgreSQL (PGlite) started");
  return {
    url,
    embedded: true,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

export async function openDatabase(
  opts: { databaseUrl?: string; pgliteDir: string; pglitePort?: number },
  log?: Logger,
): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: false, close: async () => {} };
  return startEmbeddedPostgres(opts.pgliteDir, opts.pglitePort ?? 0, log);
}

export function createPrisma(url: string, poolMax = 10): Db {
  const adapter = new PrismaPg({ connectionString: url, max: poolMax });
  // A burst of users can hold every pooled connection for a moment: a transaction waits up to 5 s
  // for one (Prisma's default, 2 s, turned a short queue into "Something went wrong").
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 5_000 } });
}
