// `npm start`: load configuration, start the service, shut down gracefully on SIGINT/SIGTERM.
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { startService } from "./service";

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const service = await startService({ config, log }).catch((err) => {
  log.fatal({ err }, "Assure could not start");
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: finishing in-flight work");
  const force = setTimeout(() => {
    log.error("shutdown took too long; exiting");
    process.exit(1);
  }, 15_000);
  force.unref();
  await service.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
