// Child process of bench/actions.ts: the service under test (bot/service.ts, as `npm start` runs
// it), so the 100 virtual users and the fake Bot Connector in the parent do not share its event
// loop and the latency measured is the service's. Configured by the environment the parent passes.
// IPC: sends {type:"ready", url, databaseUrl} once listening; answers {type:"cpu"} with its CPU
// time so far (µs); closes the service and exits on {type:"stop"}.
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { startService } from "../bot/service";

const config = loadConfig();
const service = await startService({ config, log: createLogger(config.LOG_LEVEL), seedDemo: true });
process.send?.({ type: "ready", url: service.url, databaseUrl: service.database.url });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "cpu") {
    const c = process.cpuUsage();
    process.send?.({ type: "cpu", micros: c.user + c.system });
  }
  if (m?.type === "stop") void service.close().then(() => process.exit(0));
});
