// Composition root: database → migrations → (demo seed) → bot → HTTP → sender → scheduler
// (in this process, or in a forked worker process with BACKGROUND_WORK=process: bot/background.ts).
// Used by `npm start` (bot/main.ts), by the end-to-end tests and by the benchmarks, so all three
// run the same service.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { admittedTenants, backgroundWorkIn, listenHost, type Config } from "../services/config";
import { systemClock, type Clock } from "../services/clock";
import { createLogger, type Logger } from "../services/logger";
import { createPrisma, openDatabase, type DatabaseHandle } from "../services/db";
import type { AppContext } from "../services/context";
import { migrate } from "../prisma/migrate";
import { seedDemo } from "../prisma/seed";
import { buildRouter } from "./routes";
import { AssureBot } from "./teamsBot";
import { createAdapter, createHttpApp } from "./server";
import type { OutboxSender } from "./delivery";
import { devChatEnabled, mountDevChat } from "./devchat/devChat";
import { mountAdminJobs } from "./adminJobs";
import { mountTab } from "./tab";
import type { Scheduler } from "../scheduler";
import { forkWorker, startBackgroundWork, type WorkerProcess } from "./background";

export interface ServiceOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** Overrides config.DATABASE_URL (tests pass their own database). */
  databaseUrl?: string;
  seedDemo?: boolean;
  startSender?: boolean;
  extraRoutes?: Parameters<typeof createHttpApp>[3]["extraRoutes"];
}

export interface RunningService {
  url: string;
  port: number;
  ctx: AppContext;
  /** The in-process sender (started unless startSender is false); none with BACKGROUND_WORK=process. */
  sender?: OutboxSender;
  /** The forked background worker (BACKGROUND_WORK=process). */
  worker?: WorkerProcess;
  bot: AssureBot;
  database: DatabaseHandle;
  /** Running when config.SCHEDULER_ENABLED, in this process (BACKGROUND_WORK=inline). */
  scheduler?: Scheduler;
  close(): Promise<void>;
}

export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const config = opts.config;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  // Refuses, before anything is opened, a configuration that would not say which tenants it serves.
  admittedTenants(config);
  const database = await openDatabase(
    { databaseUrl: opts.databaseUrl ?? config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, pglitePort: config.PGLITE_PORT },
    log,
  );
  if (!config.SURVEY_SEAL_KEY && config.NODE_ENV !== "test")
    log.warn(
      "SURVEY_SEAL_KEY is not set: open surveys' answers are sealed with the public development key. Set it in any real deployment.",
    );
  const migrated = await migrate(database.url);
  if (migrated.applied.length) log.info({ applied: migrated.applied }, "migrations applied");
  const db = createPrisma(database.url, database.embedded ? 4 : config.DB_POOL_MAX);
  const ctx: AppContext = { db, config, clock: opts.clock ?? systemClock, log };
  if (opts.seedDemo ?? config.DEMO_SEED) {
    const seeded = await seedDemo(db, { onlyIfEmpty: true });
    if (!seeded.skipped) log.info({ staff: seeded.staff, cases: seeded.cases }, "demo directory seeded");
  }
  const router = buildRouter();
  const adapter = createAdapter(ctx);
  const backgroundWork = backgroundWorkIn(config, database.embedded);
  const separate = backgroundWork === "process";
  // Someone became reachable: wake whichever sender runs (set once it does).
  let wakeSender = (): void => {};
  const bot = new AssureBot(ctx, router, { onReachable: () => wakeSender() });
  let closing = false;
  const http = createHttpApp(ctx, adapter, bot, {
    ready: async () => {
      if (closing) return false;
      await db.$queryRaw`SELECT 1`;
      return true;
    },
    extraRoutes: (app) => {
      if (devChatEnabled(ctx)) mountDevChat(app, ctx);
      mountAdminJobs(app, ctx);
      mountTab(app, ctx);
      opts.extraRoutes?.(app);
    },
  });
  const server: Server = await new Promise((resolve) => {
    const s = http.listen(config.PORT, listenHost(config), () => resolve(s));
  });
  const bound = server.address() as AddressInfo;
  const port = bound.port;
  // Inline: the sender and scheduler run here. Separate: they run in the forked worker, and this
  // process builds neither (nor a Graph client).
  const started = separate
    ? undefined
    : await startBackgroundWork(ctx, adapter, { databaseUrl: database.url, startSender: opts.startSender ?? true });
  const worker = separate && (opts.startSender ?? true) ? await forkWorker(ctx, database.url) : undefined;
  if (worker) wakeSender = () => worker.wake();
  else if (started) wakeSender = () => started.sender.wake();
  const url = `http://127.0.0.1:${port}`;
  // The address really bound (not the one the local URL uses to reach it).
  log.info(
    { address: bound.address, port, url: `${url}/api/messages`, embeddedDatabase: database.embedded, backgroundWork },
    `Assure is listening on ${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${port}`,
  );

  return {
    url,
    port,
    ctx,
    sender: started?.sender,
    worker,
    bot,
    database,
    scheduler: started?.scheduler,
    async close() {
      closing = true;
      await started?.scheduler?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections?.();
      });
      await worker?.stop();
      await started?.sender.stop();
      await db.$disconnect();
      await database.close();
    },
  };
}
