// Composition root: database → migrations → (demo seed) → bot → HTTP → sender → scheduler.
// Used by `npm start` (bot/main.ts), by the end-to-end tests and by the benchmarks, so all three
// run the same service.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../services/config";
import { systemClock, type Clock } from "../services/clock";
import { createLogger, type Logger } from "../services/logger";
import { createPrisma, openDatabase, type DatabaseHandle } from "../services/db";
import type { AppContext } from "../services/context";
import { migrate } from "../prisma/migrate";
import { seedDemo } from "../prisma/seed";
import { buildRouter } from "./routes";
import { AssureBot } from "./teamsBot";
import { createAdapter, createHttpApp } from "./server";
import { OutboxSender } from "./delivery";
import { devChatEnabled, mountDevChat } from "./devchat/devChat";
import { mountAdminJobs } from "./adminJobs";
import { startScheduler, type Scheduler } from "../scheduler";
import { buildJobHandlers } from "../services/jobHandlers";
import { createGraphClient } from "../services/graph/client";

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
  sender: OutboxSender;
  bot: AssureBot;
  database: DatabaseHandle;
  /** Running when config.SCHEDULER_ENABLED. */
  scheduler?: Scheduler;
  close(): Promise<void>;
}

export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const config = opts.config;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const database = await openDatabase(
    { databaseUrl: opts.databaseUrl ?? config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, pglitePort: config.PGLITE_PORT },
    log,
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
  const graph = createGraphClient(config);
  const sender = new OutboxSender(ctx, adapter, config.MicrosoftAppId, graph ? { graph } : {});
  const bot = new AssureBot(ctx, router, { onReachable: () => sender.wake() });
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
      opts.extraRoutes?.(app);
    },
  });
  const server: Server = await new Promise((resolve) => {
    const s = http.listen(config.PORT, config.HOST, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  if (opts.startSender ?? true) sender.start();
  const scheduler = config.SCHEDULER_ENABLED
    ? await startScheduler(ctx, { databaseUrl: database.url, handlers: buildJobHandlers(), pollMs: config.SCHEDULER_POLL_MS })
    : undefined;
  const url = `http://127.0.0.1:${port}`;
  log.info({ url: `${url}/api/messages`, embeddedDatabase: database.embedded }, "Assure is listening");

  return {
    url,
    port,
    ctx,
    sender,
    bot,
    database,
    scheduler,
    async close() {
      closing = true;
      await scheduler?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections?.();
      });
      await sender.stop();
      await db.$disconnect();
      await database.close();
    },
  };
}
