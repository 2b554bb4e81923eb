// The scheduler inside the running service: Agenda's dispatcher picks up due deadlines by itself
// (SCHEDULER_ENABLED), recurring jobs are registered, operators can read the queue at /admin/jobs.
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { waitFor } from "../support/wait";
import express from "express";
import type { AddressInfo } from "node:net";
import { cardText, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { planSupervision } from "../../services/supervision/plan";

const clock = new ManualClock("2026-12-01T09:00:00Z");
const TOKEN = "test-admin-token-123";

const h = useHarness({ clock, env: { SCHEDULER_ENABLED: "true", SCHEDULER_POLL_MS: "200", ADMIN_TOKEN: TOKEN } }, async () => {});

describe("scheduler in the service", () => {
  it("runs a due reminder without anyone calling runDueJobs, and lists the queue for operators", async () => {
    const nqsw = (await h.db.staff.findUniqueOrThrow({ where: { email: "quinn.reid@council.example" } })) as StaffRef;
    const tm = (await h.db.staff.findUniqueOrThrow({ where: { email: "zara.adeyemi@council.example" } })) as StaffRef;
    await h.install(tm);
    await planSupervision(h.service.ctx, { staffIds: [nqsw.id] });
    const first = await h.db.supervisionSession.findFirstOrThrow({ where: { superviseeId: nqsw.id }, orderBy: { dueOn: "asc" } });

    const res = await fetch(`${h.service.url}/admin/jobs?status=pending&limit=5`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { jobs: { key: string; name: string; runAt: string }[]; summary: { name: string; count: number }[] };
    expect(body.jobs[0]!.key).toBe(`supervision:${first.id}:reminder`);
    expect(body.summary.find((s) => s.name === "supervision.remind")!.count).toBe(19); // weekly to 1 Mar, then fortnightly to 1 Jun
    expect((await fetch(`${h.service.url}/admin/jobs`)).status).toBe(401);
    expect((await fetch(`${h.service.url}/admin/jobs`, { headers: { authorization: "Bearer wrong-token-000000" } })).status).toBe(401);

    clock.set("2026-12-04T08:30:00Z"); // the first reminder is due; Agenda's dispatcher finds it on its next poll
    await waitFor(
      "the reminder job to run",
      async () => (await h.db.scheduledJob.findUnique({ where: { key: `supervision:${first.id}:reminder` } }))?.status === "done",
    );
    await h.drainOutbox();
    expect(cardText(h.connector.cardsTo(h.conversationOf(tm)).at(-1))).toContain("Supervision: Quinn Reid");
    expect(h.service.scheduler!.stats.ran).toBeGreaterThanOrEqual(1);

    const recurring = await h.service.scheduler!.agenda.queryJobs({ name: "supervision.plan" });
    expect(recurring.total).toBe(1);
  });

  it("GET /admin/jobs does not exist without an ADMIN_TOKEN", async () => {
    const { mountAdminJobs } = await import("../../bot/adminJobs");
    const app = express();
    const ctx = h.service.ctx;
    mountAdminJobs(app, { ...ctx, config: { ...ctx.config, ADMIN_TOKEN: "" } });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const port = (server.address() as AddressInfo).port;
      expect((await fetch(`http://127.0.0.1:${port}/admin/jobs`, { headers: { authorization: "Bearer " } })).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
