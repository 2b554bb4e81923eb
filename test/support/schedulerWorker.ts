// A scheduler process for the multi-process tests and the benchmark: the real scheduler (Agenda
// dispatcher over runDueJobs) or a bare runDueJobs loop, against DATABASE_URL, with a fixed clock,
// and a test job "test.effect" whose effects (an outbox message and a history row) are counted.
//   DATABASE_URL, CLOCK (ISO), MODE=agenda|loop, POLL_MS, LEASE_MS, BATCH, EFFECT_MS (work per job)
import { loadConfig } from "../../services/config";
import { ManualClock } from "../../services/clock";
import { createLogger } from "../../services/logger";
import { createPrisma } from "../../services/db";
import type { AppContext } from "../../services/context";
import { runDueJobs, type JobHandlers } from "../../services/jobs";
import { enqueueMessage } from "../../services/outbox";
import { recordHistory } from "../../services/history";
import { startScheduler } from "../../scheduler";

const env = process.env;
const url = env.DATABASE_URL!;
const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: env.WORKER_LOG_LEVEL ?? "silent", DATABASE_URL: url, DEMO_SEED: "false" });
const ctx: AppContext = {
  db: createPrisma(url, 4),
  config,
  clock: new ManualClock(env.CLOCK ?? new Date()),
  log: createLogger(config.LOG_LEVEL),
};
const effectMs = Number(env.EFFECT_MS ?? 0);
const leaseMs = Number(env.LEASE_MS ?? 300_000);
const batch = Number(env.BATCH ?? 50);

export const testHandlers: JobHandlers = {
  async "test.effect"(tx, _ctx, data, job) {
    await enqueueMessage(tx, {
      recipientId: String(data.recipientId ?? "nobody"),
      idempotencyKey: `effect:${job.key}`,
      payload: { text: job.key },
    });
    await recordHistory(tx, { entityType: "outbox", entityId: job.key, action: "effect", after: { pid: process.pid } });
    if (effectMs) await new Promise((r) => setTimeout(r, effectMs));
  },
};

let ran = 0;
if (env.MODE === "loop") {
  let stop = false;
  process.on("SIGTERM", () => (stop = true));
  console.log("ready");
  while (!stop) {
    const r = await runDueJobs(ctx, testHandlers, { limit: batch, leaseMs });
    ran += r.ran;
    if (r.ran + r.failed + r.skipped === 0) await new Promise((res) => setTimeout(res, Number(env.POLL_MS ?? 100)));
  }
  console.log(JSON.stringify({ pid: process.pid, ran }));
  await ctx.db.$disconnect();
} else {
  const scheduler = await startScheduler(ctx, {
    databaseUrl: url,
    handlers: testHandlers,
    pollMs: Number(env.POLL_MS ?? 200),
    leaseMs,
    batchSize: batch,
    recurring: [],
  });
  console.log("ready");
  process.on("SIGTERM", () => {
    void scheduler.stop().then(async () => {
      await ctx.db.$disconnect();
      // stdout is a pipe: exit only once the line is written.
      process.stdout.write(`${JSON.stringify({ pid: process.pid, ran: scheduler.stats.ran })}\n`, () => process.exit(0));
    });
  });
}
