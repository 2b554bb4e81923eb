// HTTP edge: Express 5 with the Bot Framework endpoint, health probes, and (in development) the
// local chat page. Authentication of /api/messages is botbuilder's JWT validation whenever an app
// id is configured; with none (local development) it is off and the server says so at start.
import express, { type Request, type Response, type NextFunction } from "express";
import { randomUUID } from "node:crypto";
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";
import type { AppContext } from "../services/context";
import { authEnabled } from "../services/config";
import type { AssureBot } from "./teamsBot";

export function createAdapter(app: AppContext): CloudAdapter {
  const c = app.config;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: c.MicrosoftAppId,
    MicrosoftAppPassword: c.MicrosoftAppPassword,
    MicrosoftAppType: c.MicrosoftAppType,
    MicrosoftAppTenantId: c.MicrosoftAppTenantId,
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, err) => {
    app.log.error({ err }, "unhandled turn error");
    try {
      await context.sendActivity("Sorry, something went wrong on our side. Nothing you entered was lost.");
    } catch {
      /* the connector may be unreachable: the error is logged */
    }
  };
  return adapter;
}

export interface HttpOptions {
  ready: () => Promise<boolean>;
  extraRoutes?: (app: express.Express) => void;
}

export function createHttpApp(appCtx: AppContext, adapter: CloudAdapter, bot: AssureBot, opts: HttpOptions): express.Express {
  const log = appCtx.log;
  const app = express();
  app.disable("x-powered-by");
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = (req.headers["x-request-id"] as string | undefined) ?? randomUUID();
    res.setHeader("x-request-id", id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ requestId: id, method: req.method, path: req.path, status: res.statusCode, ms }, "http");
    });
    next();
  });
  app.use(express.json({ limit: "256kb" }));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const ok = await opts.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "not ready" });
  });

  const allowed = appCtx.config.ALLOWED_TENANT_IDS;
  app.post("/api/messages", async (req: Request, res: Response) => {
    const body = req.body as
      { type?: unknown; conversation?: { tenantId?: string }; channelData?: { tenant?: { id?: string } } } | undefined;
    if (!body || typeof body !== "object" || typeof body.type !== "string") {
      res.status(400).json({ error: "The body must be a Bot Framework activity (JSON with a type)." });
      return;
    }
    if (allowed.length > 0) {
      const tenant = body.channelData?.tenant?.id ?? body.conversation?.tenantId;
      if (!tenant || !allowed.includes(tenant)) {
        log.warn({ tenant }, "activity from a tenant that is not allowed");
        res.status(403).json({ error: "This tenant is not allowed to use this bot." });
        return;
      }
    }
    try {
      await adapter.process(req, res, (context) => bot.run(context));
    } catch (err) {
      log.error({ err }, "adapter.process failed");
      if (!res.headersSent) res.status(500).json({ error: "internal error" });
    }
  });
  opts.extraRoutes?.(app);

  // Malformed JSON and other body errors: a clear 4xx, never a crash.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, "http error");
    res.status(status).json({ error: status === 500 ? "internal error" : `Bad request: ${err.message}` });
  });
  if (!authEnabled(appCtx.config)) {
    log.warn("AUTHENTICATION IS OFF: no MicrosoftAppId is configured. Use this only for local development.");
  }
  return app;
}
