// Exactly once across processes: two real scheduler processes (Agenda dispatchers over
// runDueJobs) against one database; one is killed with SIGKILL in the middle of the run. Every
// job's effect (an outbox message and an append-only history row) must exist exactly once, and
// none may be lost. Catch-up: after downtime, overdue jobs run once each, in due order.
import { describe, expect, it } from "vitest";
import { useDatabase } from "../support/hooks";
import type { Db } from "../../services/db";
import { spawnWorker } from "../support/spawnWorker";
import { ManualClock } from "../../services/clock";
import { createLogger } from "../../services/logger";
import { loadConfig } from "../../services/config";
import { runAllDueJobs, runDueJobs, scheduleNewJobs, type JobHandlers } from "../../services/jobs";
import { recordHistory } from "../../services/history";
import type { AppContext } from "../../services/context";

let db: Db;
let url: string;
useDatabase(
  (opened, at) => {
    db = opened;
    url = at;
  },
  { connections: 4 },
);
const CLOCK = "2026-12-01T09:00:00Z";

async function effectsPerKey(prefix: string) {
  const rows = await db.history.groupBy({
    by: ["entityId"],
    where: { action: "effect", entityId: { startsWith: prefix } },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.entityId, r._count._all]));
}

describe("scheduler processes", () => {
  it("two processes, one killed mid-run: every job's effect happens exactly once, none lost", async () => {
    const N = 600;
    const due = new Date(new Date(CLOCK).getTime() - 60_000);
    await scheduleNewJobs(
      db,
      Array.from({ length: N }, (_, i) => ({
        key: `kill:${i}`,
        name: "test.effect",
        runAt: new Date(due.getTime() + i),
        data: { recipientId: `r${i % 7}` },
      })),
    );
    const env = { DATABASE_URL: url, CLOCK, MODE: "agenda", POLL_MS: "200", LEASE_MS: "3000", BATCH: "20", EFFECT_MS: "5" };
    const [a, b] = await Promise.all([spawnWorker(env), spawnWorker(env)]);
    // Let both work, then kill one while it holds claimed jobs and open transactions.
    const started = Date.now();
    while ((await db.history.count({ where: { action: "effect" } })) < N / 4) {
      if (Date.now() - started > 90_000) throw new Error(`no progress:\n${a.output()}\n${b.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    a.child.kill("SIGKILL");
    await a.exited;
    const killedMidRun = await db.scheduledJob.count({ where: { status: "running" } });
    // The survivor finishes everything, including what the killed process had claimed (after its lease).
    for (;;) {
      const open = await db.scheduledJob.count({ where: { status: { in: ["pending", "running"] } } });
      if (open === 0) break;
      if (Date.now() - started > 150_000) throw new Error(`jobs left: ${open}\n${b.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    b.child.kill("SIGTERM");
    await b.exited;

    const per = await effectsPerKey("kill:");
    expect(per.size).toBe(N); // none lost
    expect([...per.values()].filter((n) => n !== 1)).toEqual([]); // none twice
    expect(await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: "effect:kill:" } } })).toBe(N);
    expect(await db.scheduledJob.count({ where: { key: { startsWith: "kill:" }, status: "done" } })).toBe(N);
    // Both processes did work, and the kill really interrupted claimed jobs.
    const pids = await db.$queryRaw<{ pid: string; n: bigint }[]>`
      SELECT after->>'pid' AS pid, COUNT(*) AS n FROM "History" WHERE action = 'effect' AND "entityId" LIKE 'kill:%' GROUP BY 1`;
    expect(pids.length).toBe(2);
    expect(killedMidRun).toBeGreaterThan(0);
  }, 200_000);

  it("catch-up after downtime: overdue jobs run once each, oldest first, even with two runners", async () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    const ctx: AppContext = {
      db,
      config: loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent" }),
      clock,
      log: createLogger("silent"),
    };
    const order: string[] = [];
    const handlers: JobHandlers = {
      async "test.catchup"(tx, _ctx, _data, job) {
        order.push(job.key);
        await recordHistory(tx, { entityType: "outbox", entityId: job.key, action: "effect" });
      },
    };
    // 120 deadlines spread over 60 days, written in shuffled order.
    const specs = Array.from({ length: 120 }, (_, i) => ({
      key: `catchup:${String(i).padStart(3, "0")}`,
      name: "test.catchup",
      runAt: new Date(clock.now().getTime() + (i + 1) * 12 * 3_600_000),
    }));
    const shuffled = [...specs].sort(
      (x, y) => ((x.key.charCodeAt(10) * 31 + x.key.charCodeAt(9)) % 17) - ((y.key.charCodeAt(10) * 31 + y.key.charCodeAt(9)) % 17),
    );
    for (const s of shuffled) await scheduleNewJobs(db, [s]);
    expect((await runDueJobs(ctx, handlers)).ran).toBe(0); // nothing due yet

    clock.advanceDays(90); // the service was down for three months
    const [r1, r2] = await Promise.all([runAllDueJobs(ctx, handlers, { limit: 10 }), runAllDueJobs(ctx, handlers, { limit: 10 })]);
    expect(r1.ran + r2.ran).toBe(120);
    const per = await effectsPerKey("catchup:");
    expect(per.size).toBe(120);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    // Each runner claims the oldest due batch first: the start order follows the due order batch by batch.
    const batches = (keys: string[]) => keys.map((k) => Math.floor(Number(k.slice(8)) / 20));
    const b = batches(order);
    expect(b.every((v, i) => i === 0 || v >= b[i - 1]! - 1)).toBe(true);
    // A single runner after downtime runs strictly in due order.
    order.length = 0;
    await scheduleNewJobs(
      db,
      [...specs].reverse().map((s) => ({ ...s, key: `re${s.key}`, runAt: new Date(s.runAt.getTime() + 90 * 86_400_000) })),
    );
    clock.advanceDays(200);
    await runAllDueJobs(ctx, handlers, { limit: 7 });
    expect(order).toEqual(specs.map((s) => `re${s.key}`));
    // Running again after catch-up does nothing: no storm of repeats.
    expect((await runAllDueJobs(ctx, handlers)).ran).toBe(0);
  });
});

describe("a failing job", () => {
  it("is undone alone and retried later; the others in its batch commit", async () => {
    const clock = new ManualClock("2027-06-01T09:00:00Z");
    const ctx: AppContext = { db, config: loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent" }), clock, log: createLogger("silent") };
    let fail = true;
    const handlers: JobHandlers = {
      async "test.maybe"(tx, _ctx, data, job) {
        await recordHistory(tx, { entityType: "outbox", entityId: job.key, action: "effect" });
        if (data.bad && fail) throw new Error("temporarily broken");
      },
    };
    await scheduleNewJobs(
      db,
      [0, 1, 2, 3].map((i) => ({ key: `maybe:${i}`, name: "test.maybe", runAt: clock.now(), data: { bad: i === 1 } })),
    );
    const r = await runDueJobs(ctx, handlers);
    expect(r).toMatchObject({ ran: 3, failed: 1 });
    const bad = await db.scheduledJob.findUniqueOrThrow({ where: { key: "maybe:1" } });
    expect(bad).toMatchObject({ status: "pending", attempts: 1, lastError: "temporarily broken" });
    expect((await effectsPerKey("maybe:")).get("maybe:1")).toBeUndefined(); // its effect was rolled back
    fail = false;
    clock.advance(61_000);
    expect((await runDueJobs(ctx, handlers)).ran).toBe(1);
    expect([...(await effectsPerKey("maybe:")).values()]).toEqual([1, 1, 1, 1]);
  });
});
