// The child processes of bench/actions.ts (each node with the tsx loader, talking over IPC): the
// service instances (bench/actionsService.ts), the fake Bot Connector, the floor server and the
// round-robin proxy. Each runs with the bench's clock (bench/workingDayClock.mjs).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withBenchClock } from "./workingDayClock.mjs";

/** A child process of this benchmark. */
export interface Child {
  ready: { type: string; [k: string]: unknown };
  /** Sends {type} and resolves with the child's answer of the same type. */
  ask<T>(type: string): Promise<T>;
  close(): Promise<void>;
}

/** Starts `script` (in bench/); `imports` are modules loaded (after tsx) before it. */
export async function spawnChild(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = [], imports: string[] = []): Promise<Child> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const preload = imports.flatMap((m) => ["--import", path.resolve(m)]);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ...preload, path.join(here, script)], {
    env: withBenchClock(env),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`${script} exited (${code})`))));
  exited.catch(() => {});
  const next = <T>(type: string) =>
    Promise.race([
      new Promise<T>((resolve) => {
        const on = (m: { type?: string }) => {
          if (m?.type !== type) return;
          child.off("message", on);
          resolve(m as T);
        };
        child.on("message", on);
      }),
      exited,
    ]);
  const ready = await next<Child["ready"]>("ready");
  return {
    ready,
    ask<T>(type: string) {
      const reply = next<T>(type);
      child.send({ type });
      return reply;
    },
    async close() {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "stop" });
      await gone;
    },
  };
}

export interface ServiceCpu {
  micros: number;
  workerMicros: number;
  loop: { p50: number; p99: number; max: number };
  /** Time inside the service (ms) of each request to /api/messages answered since the last call. */
  served: number[];
}

export interface ServiceProcess {
  url: string;
  databaseUrl: string;
  /** CPU time (user + system) the service process has used so far, and its event-loop delay since the last call. */
  cpu(): Promise<ServiceCpu>;
  close(): Promise<void>;
}

/**
 * One service instance in its own process (bench/actionsService.ts): the virtual users, their card
 * checks and the fake Bot Connector would otherwise run on the service's event loop and add their
 * own lag to every latency measured. BENCH_SERVICE_NODE_ARGS adds node options (e.g. a CPU profile);
 * `imports` are modules the instance loads first (BENCH_VARIANT).
 */
export async function spawnService(env: NodeJS.ProcessEnv, imports: string[] = []): Promise<ServiceProcess> {
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = await spawnChild("actionsService.ts", env, nodeArgs, imports);
  return {
    url: child.ready.url as string,
    databaseUrl: child.ready.databaseUrl as string,
    cpu: () => child.ask("cpu"),
    close: () => child.close(),
  };
}
