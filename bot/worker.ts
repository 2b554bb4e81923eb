// The background worker process (BACKGROUND_WORK=process): the outbox sender and the scheduler,
// forked by the service (bot/background.ts) on the service's database. It serves no HTTP.
// IPC from the service: {type:"wake"} (something became deliverable), {type:"stop"} (finish
// sends in flight, hand back the rest, exit). It stops the same way on SIGTERM/SIGINT.
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { createPrisma } from "../services/db";
import { systemClock } from "../services/clock";
import type { AppContext } from "../services/context";
import { createAdapter } from "./server";
import { startBackgroundWork } from "./background";

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL).child({ process: "worker" });
const databaseUrl = config.DATABASE_URL;
if (!databaseUrl) {
  log.fatal("the background worker needs DATABASE_URL (the service passes its own)");
  process.exit(1);
}
const db = createPrisma(databaseUrl, Math.min(config.DB_POOL_MAX, 5));
const ctx: AppContext = { db, config, clock: systemClock, log };
const work = await startBackgroundWork(ctx, createAdapter(ctx), { databaseUrl });
log.info({ scheduler: !!work.scheduler }, "background worker running: outbox sender and scheduler");
process.send?.({ type: "ready" });

let stopping = false;
async function stop(why: string) {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "background worker stopping");
  await work.stop();
  await db.$disconnect();
  process.exit(0);
}
process.on("message", (m: { type?: string }) => {
  if (m?.type === "wake") work.sender.wake();
  if (m?.type === "stop") void stop("asked by the service");
});
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
// The service went away without asking (killed): do not outlive it.
process.on("disconnect", () => void stop("the service is gone"));
