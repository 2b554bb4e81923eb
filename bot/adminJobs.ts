// GET /admin/jobs: the scheduler's queue (pending, running, failed) as JSON, read-only, for
// operators. Requires `Authorization: Bearer ${ADMIN_TOKEN}`; without an ADMIN_TOKEN it does not exist.
import { timingSafeEqual } from "node:crypto";
import type express from "express";
import type { AppContext } from "../services/context";
import { listJobs } from "../services/jobs";

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function mountAdminJobs(app: express.Express, ctx: AppContext): void {
  app.get("/admin/jobs", async (req, res) => {
    const token = ctx.config.ADMIN_TOKEN;
    if (!token) {
      res.status(404).json({ error: "not found" });
      return;
    }
    if (!tokenMatches(req.headers.authorization, token)) {
      res.setHeader("WWW-Authenticate", "Bearer");
      res.status(401).json({ error: "An admin bearer token is required." });
      return;
    }
    const status = typeof req.query.status === "string" ? req.query.status.split(",").filter(Boolean) : undefined;
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit) || 200));
    res.json(await listJobs(ctx, { statuses: status, limit }));
  });
}
