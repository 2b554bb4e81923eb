// The real service (bot/service.ts) as a child process, for the tests that kill it or restart its
// database: against DATABASE_URL, with a fixed clock (CLOCK, ISO), the outbox sender on when
// SENDER=1, BACKGROUND_WORK inline unless given (process: the sender and scheduler in a forked
// worker), the scheduler only with SCHEDULER_ENABLED=true. Prints "ready <url>" once it listens;
// GET /test/pids answers this process's id and the forked worker's.
import { loadConfig } from "../../services/config";
import { ManualClock } from "../../services/clock";
import { createLogger } from "../../services/logger";
import { startService } from "../../bot/service";

const env = process.env;
const config = loadConfig({
  NODE_ENV: "test",
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: env.WORKER_LOG_LEVEL ?? "silent",
  DEMO_SEED: "false",
  SCHEDULER_ENABLED: env.SCHEDULER_ENABLED ?? "false",
  SCHEDULER_POLL_MS: env.SCHEDULER_POLL_MS ?? "5000",
  BACKGROUND_WORK: env.BACKGROUND_WORK ?? "inline", // inline: the tests drive the sender and its clock in this process
  DELIVERY_POLL_MS: env.DELIVERY_POLL_MS ?? "100",
  DATABASE_URL: env.DATABASE_URL!,
});
const service = await startService({
  config,
  clock: new ManualClock(env.CLOCK ?? new Date()),
  log: createLogger(config.LOG_LEVEL),
  databaseUrl: env.DATABASE_URL!,
  seedDemo: false,
  startSender: env.SENDER === "1",
  extraRoutes: (app) => app.get("/test/pids", (_req, res) => void res.json({ pid: process.pid, worker: service.worker?.pid ?? null })),
});
console.log(`ready ${service.url}`);
process.on("SIGTERM", () => void service.close().then(() => process.exit(0)));
