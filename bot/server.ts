// HTTP edge: Express 5 with the Bot Framework endpoint, health probes, and (in development) the
// local chat page. Authentication of /api/messages is botbuilder's JWT validation whenever an app
// id is configured; with none (local development) it is off and the server says so at start.
import express, { type Request, type Response, type NextFunction } from "express";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { CloudAdapter, type TurnContext } from "botbuilder";
import { ConnectorFactory, type AuthenticateRequestResult, type ClaimsIdentity, type ConnectorClient } from "botframework-connector";
import type { Activity } from "botbuilder";
import type { AppContext } from "../services/context";
import type { Logger } from "../services/logger";
import { admittedTenants, authEnabled, tenantAdmitted } from "../services/config";
import { authOptions, credentialsFactory } from "./credentials";
import { cachedPromise } from "./promiseCache";
import { ReusingBotFrameworkAuthentication } from "./reusedClients";
import type { AssureBot } from "./teamsBot";

/**
 * botbuilder's token validation writes every refused token to stderr with console.error (a stack
 * trace each: 500 garbage tokens made 578 KB). Refusals are logged once, by the edge, through the
 * structured logger; console.error is silent only inside an authentication, for its own call chain.
 */
const authenticating = new AsyncLocalStorage<true>();
let consoleQuieted = false;
function quietConsoleDuringAuthentication(): void {
  if (consoleQuieted) return;
  consoleQuieted = true;
  const error = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (!authenticating.getStore()) error(...args);
  };
}

/**
 * Refusals (invalid activity, token or tenant) logged at warn, once each, at most `limit` a minute
 * and without stack traces: a flood of garbage requests cannot flood the log. The count of those
 * not logged goes with the next line logged.
 */
export function refusalLogger(log: Logger, limit = 20, windowMs = 60_000) {
  let windowStart = 0;
  let logged = 0;
  let notLogged = 0;
  return (kind: string, fields: Record<string, unknown> = {}): void => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      logged = 0;
    }
    if (logged >= limit) {
      notLogged++;
      return;
    }
    logged++;
    log.warn({ kind, ...fields, ...(notLogged ? { notLogged } : {}) }, "request refused");
    notLogged = 0;
  };
}

/** The first line of an error's message, bounded: enough to diagnose, no stack, no token. */
const reasonOf = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .split("\n")[0]!
    .slice(0, 200);

/** botbuilder's authentication, with one connector client per app id, service URL and audience. */
class StrictBotFrameworkAuthentication extends ReusingBotFrameworkAuthentication {
  /** Connector clients by app id, service URL and audience (see createConnectorFactory). */
  private readonly clients = new Map<string, Promise<ConnectorClient>>();

  /**
   * CloudAdapter builds a ConnectorClient for every turn (credentials, pipeline, policies): a
   * visible share of the service's CPU (docs/load.md), for a client most turns never use (a card
   * action is answered in the HTTP response). The client holds no per-turn state (its token comes from
   * botbuilder's own cache), so one per app id, service URL and audience serves every turn; a
   * failed creation is not kept, and the map is bounded because without authentication the
   * service URL is whatever the caller wrote.
   */
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const inner = super.createConnectorFactory(claimsIdentity);
    // botbuilder's factory keeps the app id it was made for; were that ever not so, no caching.
    if (!("appId" in inner)) return inner;
    const appId = String((inner as { appId?: string }).appId ?? "");
    const clients = this.clients;
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return cachedPromise(clients, `${appId}\n${serviceUrl}\n${audience ?? ""}`, () => inner.create(serviceUrl, audience), 64);
      }
    })();
  }
}

/** The adapter and the authentication it uses (the HTTP edge authenticates before the adapter runs a turn). */
export class AssureAdapter extends CloudAdapter {
  constructor(readonly auth: StrictBotFrameworkAuthentication) {
    super(auth);
  }

  /** Runs the turn of an activity already authenticated (see createHttpApp). */
  runAuthenticated(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authenticated, activity, logic);
  }
}

export function createAdapter(app: AppContext): AssureAdapter {
  const auth = new StrictBotFrameworkAuthentication(authOptions(app.config), credentialsFactory(app.config));
  const adapter = new AssureAdapter(auth);
  adapter.onTurnError = async (context, err) => {
    // A proactive turn (the outbox sender's continueConversation) must fail loudly so the sender
    // retries: swallowing it here marked undelivered cards as sent and told the user "Sorry".
    if (context.activity?.type === "event" && context.activity.name === "ContinueConversation") throw err;
    app.log.error({ err }, "unhandled turn error");
    try {
      await context.sendActivity("Sorry, something went wrong on our side. Nothing you entered was lost.");
    } catch {
      /* the connector may be unreachable: the error is logged */
    }
  };
  return adapter;
}

const httpUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      return ["http:", "https:"].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, "must be an http(s) URL");
const account = z
  .object({ id: z.string().max(1024), aadObjectId: z.string().max(128).optional(), name: z.string().max(1024).optional() })
  .passthrough();

/**
 * The envelope every activity must have before botbuilder sees it: botbuilder answers 500 (or
 * crashes inside a turn) on wrong types there. The content (text, card data) is checked by routes.
 */
const activityEnvelope = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(1024).optional(),
    serviceUrl: httpUrl,
    channelId: z.string().max(64).optional(),
    from: account,
    recipient: account.partial().optional(),
    conversation: z
      .object({
        id: z.string().min(1).max(1024),
        tenantId: z.string().max(128).optional(),
        conversationType: z.string().max(64).optional(),
      })
      .passthrough(),
    text: z.string().optional(),
    name: z.string().max(256).optional(),
    replyToId: z.string().max(1024).optional(),
    timestamp: z.string().max(64).optional(),
    channelData: z.record(z.string(), z.unknown()).optional(),
    entities: z.array(z.unknown()).max(100).optional(),
    attachments: z.array(z.unknown()).max(50).optional(),
  })
  .passthrough();

/** The invokes this bot handles; others get a 400 (botbuilder would answer 501). */
const HANDLED_INVOKES = new Set(["adaptiveCard/action"]);

export function checkActivity(body: unknown): string | undefined {
  const parsed = activityEnvelope.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return `The activity is not valid (${first?.path.join(".") || "body"}: ${first?.message ?? "invalid"}).`;
  }
  const a = parsed.data;
  if (a.type === "invoke") {
    if (!a.name || !HANDLED_INVOKES.has(a.name)) return `This bot does not handle the invoke "${(a.name ?? "").slice(0, 64)}".`;
    const action = (a.value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
    if (!action || typeof action !== "object" || typeof action.verb !== "string") return "The card action has no verb.";
  }
  return undefined;
}

export interface HttpOptions {
  ready: () => Promise<boolean>;
  extraRoutes?: (app: express.Express) => void;
}

/** Activity dates as botbuilder's own entry point leaves them (Date objects, the raw text kept). */
function withDates(a: Activity): Activity {
  const raw = a as unknown as Record<string, unknown>;
  for (const [key, rawKey] of [
    ["timestamp", "rawTimestamp"],
    ["localTimestamp", "rawLocalTimestamp"],
    ["expiration", "rawExpiration"],
  ] as const)
    if (typeof raw[key] === "string") {
      raw[rawKey] = raw[key];
      raw[key] = new Date(raw[key]);
    }
  return a;
}

export function createHttpApp(appCtx: AppContext, adapter: AssureAdapter, bot: AssureBot, opts: HttpOptions): express.Express {
  const log = appCtx.log;
  const app = express();
  app.disable("x-powered-by");
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = (req.headers["x-request-id"] as string | undefined) ?? randomUUID();
    res.setHeader("x-request-id", id);
    // The request's line is a debug one: its timer and listener only when it is written.
    if (log.isLevelEnabled("debug")) {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.debug({ requestId: id, method: req.method, path: req.path, status: res.statusCode, ms }, "http");
      });
    }
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

  // The same tenants as the Home tab's (admittedTenants); throws, with authentication on, when none is configured.
  const admitted = admittedTenants(appCtx.config);
  const refused = refusalLogger(log);
  quietConsoleDuringAuthentication();
  app.post("/api/messages", async (req: Request, res: Response) => {
    const body = req.body as
      { type?: unknown; conversation?: { tenantId?: string }; channelData?: { tenant?: { id?: string } } } | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body) || typeof body.type !== "string") {
      refused("invalid activity");
      res.status(400).json({ error: "The body must be a Bot Framework activity (JSON with a type)." });
      return;
    }
    const invalid = checkActivity(body);
    if (invalid) {
      refused("invalid activity", { reason: invalid });
      res.status(400).json({ error: invalid });
      return;
    }
    const activity = withDates(body as unknown as Activity);
    // Authenticate first: before that, every refusal is the same 401 (no tenant probing), and
    // nothing of why (issuer, signature, metadata fetch) reaches the caller.
    let authenticated: AuthenticateRequestResult;
    try {
      const header = req.headers.authorization ?? "";
      authenticated = await authenticating.run(true, () => adapter.auth.authenticateRequest(activity, header));
    } catch (err) {
      refused("invalid token", { reason: reasonOf(err) });
      res.status(401).json({ error: "Unauthorized" });
      return;
    }
    if (admitted !== "any") {
      // Both places Teams names the tenant must be admitted (a forged one in either is refused).
      const named = [body.channelData?.tenant?.id, body.conversation?.tenantId].filter((t) => t !== undefined);
      if (named.length === 0 || !named.every((t) => tenantAdmitted(admitted, t))) {
        refused("tenant not allowed", { tenant: String(named[0] ?? "").slice(0, 64) });
        res.status(403).json({ error: "Forbidden" });
        return;
      }
    }
    try {
      const reply = await adapter.runAuthenticated(authenticated, activity, (context) => bot.run(context));
      res.status(reply?.status ?? 200);
      if (reply?.body !== undefined) res.send(reply.body);
      res.end();
    } catch (err) {
      if (res.headersSent) log.error({ err }, "processing an activity failed after answering");
      else {
        log.error({ err }, "processing an activity failed");
        res.status(500).json({ error: "internal error" });
      }
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
