// Structured logs (pino). One root logger; request- and job-scoped children carry their ids.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service: "assure" },
    redact: {
      // Free text can hold sensitive practice detail: never log card payloads or tokens.
      paths: ["req.headers.authorization", "*.password", "*.MicrosoftAppPassword", "*.GRAPH_CLIENT_SECRET", "payload", "answers"],
      censor: "[redacted]",
    },
  });
}
