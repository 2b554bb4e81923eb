// Child process of bench/actions.ts: the service under test (bot/service.ts, as `npm start` runs
// it), so the 100 virtual users and the fake Bot Connector in the parent do not share its event
// loop and the latency measured is the service's. Configured by the environment the parent passes.
// IPC: sends {type:"ready", url, databaseUrl} once listening; answers {type:"cpu"} with its CPU
// time so far (µs), its background worker's (BACKGROUND_WORK=process) and its event-loop delay
// since the last answer (ms) and the time requests spent in it since then (`served`); closes the service and exits on {type:"stop"}.
import { monitorEventLoopDelay } from "node:perf_hooks";
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { startService } from "../bot/service";

/** CPU (µs) of the background worker process (BACKGROUND_WORK=process), from /proc; 0 without one. */
const ticksPerSecond = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
function workerCpuMicros(): number {
  const pid = service?.worker?.pid;
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6; // utime, stime
  } catch {
    return 0;
  }
}

const config = loadConfig();
const service = await startService({ config, log: createLogger(config.LOG_LEVEL), seedDemo: true });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

// Time in this process per /api/messages request, from its arrival (headers parsed) to the last
// byte of the answer handed to the socket: the service's share of what a user waits.
const arrived = new WeakMap<IncomingMessage, number>();
let served: number[] = [];
diagnostics.subscribe("http.server.request.start", (m) => {
  const { request } = m as { request: IncomingMessage };
  if (request.url === "/api/messages") arrived.set(request, performance.now());
});
diagnostics.subscribe("http.server.response.finish", (m) => {
  const { request } = m as { request: IncomingMessage };
  const t = arrived.get(request);
  if (t !== undefined) served.push(performance.now() - t);
});
process.send?.({ type: "ready", url: service.url, databaseUrl: service.database.url });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "cpu") {
    const c = process.cpuUsage();
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const loop = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    loopDelay.reset();
    process.send?.({ type: "cpu", micros: c.user + c.system, workerMicros: workerCpuMicros(), loop, served });
    served = [];
  }
  if (m?.type === "stop") void service.close().then(() => process.exit(0));
});
// The benchmark is gone (it failed): stop the service, and with it its worker.
process.on("disconnect", () => void service.close().then(() => process.exit(0)));
