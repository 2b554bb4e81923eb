// Storage: Prisma 7 over @prisma/adapter-pg. With DATABASE_URL it uses that PostgreSQL server;
// without it, an embedded PostgreSQL (PGlite) served over the wire protocol, data under PGLITE_DIR.
import net from "node:net";
import { mkdirSync } from "node:fs";
import pg from "pg";
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

/** A TCP port on 127.0.0.1 that nothing listens on now (the system picks it). */
export async function freePort(): Promise<number> {
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
  keepExtendedQueriesTogether(server);
  await server.start();
  keepSocketErrorsHandled(server, log);
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

// Extended-protocol message types that leave a query cycle open until Sync ("S"): Parse, Bind,
// Describe, Execute, Close, Flush.
const OPENS_CYCLE = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);
const SYNC = 0x53;

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(err: unknown): void;
  onData(data: Uint8Array): void;
}

interface SocketQueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(m: Uint8Array, o: { onRawData(d: Uint8Array): void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

/**
 * pglite-socket (0.2.x) shares one PostgreSQL backend between connections and interleaves their
 * wire messages one by one, keeping a connection exclusive only inside a transaction. Two clients
 * using the extended protocol (every parameterised query: Parse/Bind/Execute/Sync) then clobber
 * each other's unnamed statement ("bind message supplies 3 parameters, but prepared statement \"\"
 * requires 2"). This keeps a connection exclusive from its first extended-protocol message until its Sync, as well as
 * inside transactions.
 */
function keepExtendedQueriesTogether(server: unknown): void {
  const q = (server as { queryQueue: SocketQueryQueue }).queryQueue;
  let openCycle: number | null = null;
  q.processQueue = async function processQueue(this: SocketQueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const holder = openCycle ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = holder === null ? 0 : this.queue.findIndex((m) => m.handlerId === holder);
        if (index === -1) break; // wait for the holder's next message
        const item = this.queue.splice(index, 1)[0]!;
        const type = item.message[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (d) => {
                bytes += d.length;
                item.onData(d);
              },
            }),
          );
        } catch (err) {
          item.reject(err);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        if (OPENS_CYCLE.has(type)) openCycle = item.handlerId;
        else if (type === SYNC || openCycle === item.handlerId) openCycle = null;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  const clear = q.clearTransactionIfNeeded.bind(q);
  q.clearTransactionIfNeeded = async (handlerId: number) => {
    if (openCycle === handlerId) openCycle = null;
    await clear(handlerId);
    await q.processQueue();
  };
}

/**
 * pglite-socket listens to a connection's errors only while it serves it: on an error or a close
 * it removes every 'error' listener and ends the socket, so a reset arriving after that (a client
 * gone abruptly) was an unhandled 'error' event that ended the process. Every socket keeps one.
 */
function keepSocketErrorsHandled(server: unknown, log?: Logger): void {
  const s = server as EventTarget & { server?: net.Server };
  s.addEventListener("error", (e) => log?.debug({ err: (e as CustomEvent).detail }, "embedded PostgreSQL: a connection failed"));
  s.server?.on("connection", (socket) => {
    const ignore = () => {};
    socket.on("error", ignore);
    const removeAll = socket.removeAllListeners.bind(socket);
    socket.removeAllListeners = (event?: string | symbol) => {
      removeAll(event);
      if (event === undefined || event === "error") socket.on("error", ignore);
      return socket;
    };
  });
}

export async function openDatabase(
  opts: { databaseUrl?: string; pgliteDir: string; pglitePort?: number },
  log?: Logger,
): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: false, close: async () => {} };
  return startEmbeddedPostgres(opts.pgliteDir, opts.pglitePort ?? 0, log);
}

export function createPrisma(url: string, poolMax = 10): Db {
  // One pool for Prisma and for the hand-written SQL of the hot paths (services/sql.ts).
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5_000 });
  // A pooled connection that dies while idle (PostgreSQL restarted) is dropped by pg; without a
  // listener its error would end the process before Prisma's adapter has added its own.
  pool.on("error", () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  // A burst of users can hold every pooled connection for a moment: a transaction waits up to 5 s
  // for one, not Prisma's default 2 s, so a short queue does not become "Something went wrong".
  const db = new PrismaClient({ adapter, transactionOptions: { maxWait: 5_000 } });
  pools.set(db, pool);
  return db;
}

// Kept beside the client, not on it: a Prisma transaction client forwards the properties of the
// client it came from, so a `pool` property would let SQL meant for a transaction escape it.
const pools = new WeakMap<Db, pg.Pool>();

/** The pool createPrisma opened for this client: the hand-written SQL (services/sql.ts) runs on it. */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("This database client was not made by createPrisma: it has no pool for hand-written SQL");
  return pool;
}
