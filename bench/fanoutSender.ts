// Child process of bench/fanout.ts: one outbox sender instance over the benchmark database.
// Waits for "go" on IPC (so a replacement can be warm before the first one is killed), reports its
// counters every 500 ms, stops gracefully on SIGTERM. SIGKILL is the crash being measured.
import { loadConfig } from "../services/config";
import { createPrisma } from "../services/db";
import { createLogger } from "../services/logger";
import { systemClock } from "../services/clock";
import { OutboxSender } from "../bot/delivery";
import { createGraphClient } from "../services/graph/client";

const config = loadConfig();
const db = createPrisma(config.DATABASE_URL!, config.DB_POOL_MAX);
const log = createLogger(config.LOG_LEVEL);
// With Graph configured (the benchmark's fake Graph), in-doubt sends are checked in the chat.
const graph = createGraphClient(config);
const sender = new OutboxSender({ db, config, clock: systemClock, log }, undefined, "", {
  instanceId: process.env.BENCH_INSTANCE ?? "bench",
  ...(graph ? { graph, graphConcurrency: 8 } : {}),
});
await db.$queryRaw`SELECT 1`;
process.send?.({ type: "ready" });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "go") {
    sender.start();
    sender.wake();
  }
  if (m?.type === "crash") {
    // In-process crash: claims are left behind (leases expire), in-flight requests finish.
    void sender.abandon().then(() => {
      process.send?.({ type: "stats", stats: sender.stats }, () => process.exit(137));
    });
  }
});
const timer = setInterval(() => process.send?.({ type: "stats", stats: sender.stats }), 500);
process.on("SIGTERM", () => {
  clearInterval(timer);
  void sender
    .stop()
    .then(() => db.$disconnect())
    .then(() => process.exit(0));
});
