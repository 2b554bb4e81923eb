// The real service (bot/service.ts) as a child process, for the tests that kill it or restart its
// database: against DATABASE_URL, with a fixed clock (CLOCK, ISO), the outbox sender on when
// SENDER=1, BACKGROUND_WORK inline unless given (process: the sender and scheduler in a forked
// worker), the scheduler only with SCHEDULER_ENABLED=true, DELIVERY_LEASE_MS when given. Prints
// "ready <url>" once it listens;
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
  ...(env.DELIVERY_LEASE_MS ? { DELIVERY_LEASE_MS: env.DELIVERY_LEASE_MS } : {}),
  DATABASE_URL: env.DATABASE_URL!,
});
// CLOCK_RUNS=1: the clock starts at CLOCK and runs (leases expire), instead of standing still.
const start = new Date(env.CLOCK ?? Date.now()).getTime();
const started = Date.now();
const clock = env.CLOCK_RUNS === "1" ? { now: () => new Date(start + Date.now() - started) } : new ManualClock(env.CLOCK ?? new Date());
const service = await startService({
  config,
  clock,
  log: createLogger(config.LOG_LEVEL),
  databaseUrl: env.DATABASE_URL!,
  seedDemo: false,
  startSender: env.SENDER === "1",
  extraRoutes: (app) => app.get("/test/pids", (_req, res) => void res.json({ pid: process.pid, worker: service.worker?.pid ?? null })),
});
console.log(`ready ${service.url}`);
process.on("SIGTERM", () => void service.close().then(() => process.exit(0)));
