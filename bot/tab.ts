// The Home tab (a Teams personal tab and a channel tab): its page (tab/), the two browser libraries
// it uses served from node_modules (no CDN), and its JSON API. Every API call is authenticated by
// bot/tabAuth.ts (Teams SSO; "act as" only where the local chat page is on) and is one use-case
// call (services/home/); a refused token gets 401 and no data.
import express, { type Express, type Request, type Response } from "express";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../services/context";
import type { Actor } from "../services/permissions";
import { DomainError, NotPermitted, ValidationFailed } from "../services/errors";
import { whatWaitsOn } from "../services/home/waiting";
import { dashboardFor } from "../services/home/dashboard";
import { drillFor } from "../services/home/drill";
import { dashboardScope, hasDashboard } from "../services/home/scope";
import { refusalLogger } from "./server";
import { createTabAuthenticator, TabUnauthorized } from "./tabAuth";
import { devChatEnabled } from "./devchat/devChat";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const TAB_DIR = path.resolve(here, "../tab");

/** Where Teams (web, desktop, mobile) frames a tab from. */
const FRAME_ANCESTORS =
  "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com";
const CSP = `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors ${FRAME_ANCESTORS}`;

/** The chat with the bot, with a command typed in (Teams deep link); the local chat page without an app id. */
export function chatLink(botId: string, command: string): string {
  if (!botId) return `/dev/chat${command ? `#${encodeURIComponent(command)}` : ""}`;
  const q = new URLSearchParams({ users: `28:${botId}` });
  if (command) q.set("message", command);
  return `https://teams.microsoft.com/l/chat/0/0?${q.toString()}`;
}

export function mountTab(app: Express, ctx: AppContext): void {
  const devActAs = devChatEnabled(ctx);
  const auth = createTabAuthenticator(ctx, { devActAs });
  const refused = refusalLogger(ctx.log);
  const botId = ctx.config.MicrosoftAppId;

  const page = (file: string) => (_req: Request, res: Response) => {
    res.setHeader("content-security-policy", CSP);
    res.setHeader("cache-control", "no-cache");
    res.sendFile(path.join(TAB_DIR, file));
  };
  app.get("/tab", page("index.html"));
  app.get("/tab/config", page("config.html"));
  app.use("/tab/static", express.static(TAB_DIR, { index: false, maxAge: "5m" }));
  const vendor = (file: string) => (_req: Request, res: Response) => {
    res.setHeader("cache-control", "public, max-age=86400");
    res.type("application/javascript").sendFile(file);
  };
  // The packages' browser builds, found beside their main files (their "exports" do not list them).
  app.get("/tab/vendor/teams.js", vendor(path.join(path.dirname(require.resolve("@microsoft/teams-js")), "MicrosoftTeams.min.js")));
  app.get("/tab/vendor/chart.js", vendor(path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js")));

  /** One API route: authenticate, call the use case, answer JSON (401 / 403 / 400 without detail of the token). */
  const api = (handler: (actor: Actor, req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    res.setHeader("cache-control", "no-store");
    let actor: Actor;
    try {
      actor = await auth.actorOf(req);
    } catch (err) {
      refused("tab: invalid token", { reason: err instanceof TabUnauthorized ? err.message : "error" });
      res.status(401).json({ error: "Unauthorized" });
      return;
    }
    try {
      res.json(await handler(actor, req));
    } catch (err) {
      if (err instanceof NotPermitted) res.status(403).json({ error: err.message });
      else if (err instanceof ValidationFailed || err instanceof DomainError) res.status(400).json({ error: err.message });
      else {
        ctx.log.error({ err }, "tab API failed");
        res.status(500).json({ error: "internal error" });
      }
    }
  };
  const query = (req: Request) => req.query as Record<string, unknown>;

  app.get(
    "/tab/api/me",
    api(async (actor) => {
      const scope = hasDashboard(actor) ? await dashboardScope(ctx, actor).catch(() => null) : null;
      return {
        name: actor.name,
        dashboard: scope !== null,
        scope: scope?.label ?? "",
        teams: scope?.teams ?? [],
        chat: chatLink(botId, ""),
      };
    }),
  );
  app.get(
    "/tab/api/waiting",
    api(async (actor) => {
      const w = await whatWaitsOn(ctx, actor);
      return { ...w, items: w.items.map((i) => ({ ...i, link: chatLink(botId, i.command) })) };
    }),
  );
  app.get(
    "/tab/api/dashboard",
    api((actor, req) => dashboardFor(ctx, actor, query(req))),
  );
  app.get(
    "/tab/api/drill",
    api((actor, req) => drillFor(ctx, actor, query(req))),
  );
  // Whether this server offers "act as" (development only), for the page outside Teams; the people
  // to act as are the local chat page's list (/dev/staff), mounted on the same condition.
  app.get("/tab/api/mode", (_req, res) => {
    res.json({ devActAs });
  });
}
