// Background work: the outbox sender and the scheduler. By default they run in the service's own
// process (BACKGROUND_WORK=inline). With BACKGROUND_WORK=process the service forks one worker
// process for them (bot/worker.ts), so a fan-out of thousands of cards, or a burst of card
// updates, never shares an event loop with the people pressing buttons. Both modes run the same
// code below; the outbox and the job table make either safe with any number of instances.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CloudAdapter } from "botbuilder";
import type { AppContext } from "../services/context";
import { configEnv } from "../services/config";
import { OutboxSender } from "./delivery";
import { startScheduler, type Scheduler } from "../scheduler";
import { buildJobHandlers } from "../services/jobHandlers";
import { createGraphClient } from "../services/graph/client";

export interface BackgroundWork {
  sender: OutboxSender;
  scheduler?: Scheduler;
  stop(): Promise<void>;
}

/**
 * The sender (started unless told otherwise) and, when SCHEDULER_ENABLED and not told otherwise,
 * the scheduler.
 */
export async function startBackgroundWork(
  ctx: AppContext,
  adapter: CloudAdapter,
  opts: { databaseUrl: string; startSender?: boolean; startScheduler?: boolean },
): Promise<BackgroundWork> {
  const config = ctx.config;
  const graph = createGraphClient(config);
  const sender = new OutboxSender(ctx, adapter, config.MicrosoftAppId, graph ? { graph } : {});
  if (opts.startSender ?? true) sender.start();
  const scheduler =
    config.SCHEDULER_ENABLED && (opts.startScheduler ?? true)
      ? await startScheduler(ctx, { databaseUrl: opts.databaseUrl, handlers: buildJobHandlers(), pollMs: config.SCHEDULER_POLL_MS })
      : undefined;
  return {
    sender,
    scheduler,
    async stop() {
      await scheduler?.stop();
      await sender.stop();
    },
  };
}

/** The worker process as the service sees it. */
export interface WorkerProcess {
  /** The worker's process id now (a new one after a restart). */
  readonly pid: number | undefined;
  /** Something became deliverable (a person opened the bot): the worker's sender claims at once. */
  wake(): void;
  /** Graceful stop: the worker finishes sends in flight and hands back the rest, then exits. */
  stop(): Promise<void>;
}

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.ts");
const RESTART_MS = 2_000;

/**
 * Forks bot/worker.ts (with the tsx loader, as `npm start` runs) on the service's database, and
 * starts it again if it dies. Resolves once the worker's sender and scheduler are running.
 */
export async function forkWorker(ctx: AppContext, databaseUrl: string): Promise<WorkerProcess> {
  let child: ChildProcess | undefined;
  let stopping = false;
  // A worker that cannot start (the database still away) is tried again until it can.
  const restart = () =>
    setTimeout(() => {
      if (!stopping)
        start().catch((err: unknown) => {
          ctx.log.error({ err }, "background worker did not restart: trying again");
          restart();
        });
    }, RESTART_MS).unref();
  const start = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      // The worker gets this service's configuration (which need not come from process.env: tests).
      const env = { ...process.env, ...configEnv(ctx.config), DATABASE_URL: databaseUrl };
      const c = fork(WORKER, [], { execArgv: ["--import", "tsx"], env, stdio: "inherit" });
      child = c;
      let ready = false;
      c.on("message", (m: { type?: string }) => {
        if (m?.type !== "ready") return;
        ready = true;
        resolve();
      });
      c.once("exit", (code, signal) => {
        if (!ready) return reject(new Error(`background worker exited before it was ready (${code ?? signal})`));
        if (stopping) return;
        ctx.log.error({ code, signal }, "background worker died: starting it again");
        restart();
      });
    });
  await start();
  return {
    get pid() {
      return child?.pid;
    },
    wake() {
      if (child?.connected) child.send({ type: "wake" });
    },
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((resolve) => c.once("exit", resolve));
      if (c.connected) c.send({ type: "stop" });
      else c.kill("SIGTERM");
      const force = setTimeout(() => c.kill("SIGKILL"), 15_000);
      await gone;
      clearTimeout(force);
    },
  };
}
