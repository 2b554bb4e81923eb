// Local chat without a Microsoft 365 tenant (development only). Serves a page that renders the
// bot's cards with the official `adaptivecards` renderer and posts REAL activities to
// /api/messages; the bot's replies come back through a minimal in-process Bot Connector endpoint
// (/dev/connector/v3/...), exactly the HTTP path Teams would use. Mounted only when authentication
// is off (no MicrosoftAppId) and DEV_CHAT is on (default in development).
import express, { type Express, type Request, type Response } from "express";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { EventEmitter } from "node:events";
import type { AppContext } from "../../services/context";
import { deliverHeldNow, heldDeliveries, heldUntilText, mayDeliverHeldNow } from "../../services/delivery/held";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

interface Stored {
  id: string;
  conversationId: string;
  seq: number;
  activity: Record<string, unknown>;
}

export function devChatEnabled(ctx: AppContext): boolean {
  if (ctx.config.MicrosoftAppId) return false;
  return ctx.config.DEV_CHAT ?? ctx.config.NODE_ENV === "development";
}

export function mountDevChat(app: Express, ctx: AppContext): void {
  const messages: Stored[] = [];
  let seq = 0;
  const page = readFileSync(path.join(here, "page.html"), "utf8");
  const renderer = readFileSync(require.resolve("adaptivecards/dist/adaptivecards.min.js"), "utf8");

  app.get("/dev/chat", (_req, res) => {
    res.type("html").send(page);
  });
  app.get("/dev/adaptivecards.js", (_req, res) => {
    res.type("application/javascript").send(renderer);
  });
  app.get("/dev/staff", async (_req, res) => {
    const staff = await ctx.db.staff.findMany({
      where: { active: true, aadObjectId: { not: null } },
      select: { aadObjectId: true, name: true, jobTitle: true, teamId: true },
      orderBy: [{ teamId: "asc" }, { name: "asc" }],
    });
    res.json(staff);
  });
  app.get("/dev/messages", (req, res) => {
    const conv = String(req.query.conversation ?? "");
    const after = Number(req.query.after ?? 0);
    res.json(messages.filter((m) => m.conversationId === conv && m.seq > after));
  });
  // The bot's messages pushed as they arrive (server-sent events), so a reply shows at once.
  const arrivals = new EventEmitter().setMaxListeners(0);
  app.get("/dev/events", (req, res) => {
    const conv = String(req.query.conversation ?? "");
    let after = Number(req.get("last-event-id") ?? req.query.after ?? 0);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    const push = () => {
      for (const m of messages.filter((x) => x.conversationId === conv && x.seq > after)) {
        after = m.seq;
        res.write(`id: ${m.seq}\ndata: ${JSON.stringify(m)}\n\n`);
      }
    };
    push();
    arrivals.on(conv, push);
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    req.on("close", () => {
      clearInterval(keepAlive);
      arrivals.off(conv, push);
    });
  });
  // Cards held by quiet hours, and releasing them (development only).
  app.get("/dev/held", async (_req, res) => {
    const { count, until } = await heldDeliveries(ctx.db, ctx.clock.now());
    res.json({ count, until: until ? heldUntilText(until, ctx.config.TIMEZONE) : null, canDeliverNow: mayDeliverHeldNow(ctx.config) });
  });
  app.post("/dev/deliver-now", async (_req, res) => {
    res.json({ released: await deliverHeldNow(ctx.db, ctx.config, ctx.clock.now()) });
  });

  // The minimal Bot Connector the bot talks to when activities come from this page.
  const connector = express.Router();
  connector.post("/v3/conversations", (req: Request, res: Response) => {
    const member = (req.body?.members?.[0] ?? {}) as { id?: string };
    res.status(201).json({ id: `dev:${member.id ?? randomUUID()}` });
  });
  const store = (conversationId: string, activity: Record<string, unknown>, id: string = randomUUID()) => {
    const existing = messages.find((m) => m.id === id);
    if (existing) {
      existing.activity = activity;
      existing.seq = ++seq;
    } else messages.push({ id, conversationId, seq: ++seq, activity });
    if (messages.length > 2000) messages.splice(0, messages.length - 2000);
    arrivals.emit(conversationId);
    return id;
  };
  connector.post(["/v3/conversations/:cid/activities", "/v3/conversations/:cid/activities/:aid"], (req: Request, res: Response) => {
    const id = store(String(req.params.cid), req.body as Record<string, unknown>);
    res.json({ id });
  });
  connector.put("/v3/conversations/:cid/activities/:aid", (req: Request, res: Response) => {
    store(String(req.params.cid), req.body as Record<string, unknown>, String(req.params.aid));
    res.json({ id: req.params.aid });
  });
  connector.delete("/v3/conversations/:cid/activities/:aid", (req: Request, res: Response) => {
    const i = messages.findIndex((m) => m.id === req.params.aid);
    if (i >= 0) messages.splice(i, 1);
    res.status(200).json({});
  });
  app.use("/dev/connector", connector);
  ctx.log.warn("development chat page enabled at /dev/chat (authentication is off)");
}
