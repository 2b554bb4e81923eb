// Faults: the database restarted mid-run (a private PostgreSQL cluster, never the shared one), the
// Bot Connector answering 429/5xx or dropping connections, and a process killed and restarted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { ManualClock } from "../../services/clock";
import { createLogger } from "../../services/logger";
import { startService } from "../../bot/service";
import { enqueueMessage } from "../../services/outbox";
import { recordHistory } from "../../services/history";
import { startFakeConnector } from "../fakes/botConnector";
import { Harness, cardText, testConfig, type StaffRef } from "../support/harness";
import { startSeededPgCluster, type PgCluster } from "./pgCluster";

describe("PostgreSQL restarted mid-run", () => {
  let pgc: PgCluster;
  let h: Harness;
  let user: StaffRef;

  beforeAll(async () => {
    pgc = await startSeededPgCluster();
    const connector = await startFakeConnector({ rateLimits: false });
    const clock = new ManualClock();
    const config = testConfig(pgc.url);
    const service = await startService({ config, clock, log: createLogger(config.LOG_LEVEL), databaseUrl: pgc.url, startSender: false });
    h = new Harness(service, connector, { url: pgc.url, embedded: false, drop: async () => pgc.destroy() }, clock);
    user = await h.one("PRACTITIONER", "CIC");
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const ready = async () => (await fetch(`${h.service.url}/readyz`)).status;

  it("answers clearly while the database is down, reports not ready, and recovers with committed data intact", async () => {
    await h.install(user);
    await h.db.$transaction(async (tx) => {
      await recordHistory(tx, { entityType: "staff", entityId: user.id, action: "fault-test.committed", actorId: user.id });
      await enqueueMessage(tx, {
        recipientId: user.id,
        idempotencyKey: "fault-test:1",
        payload: { template: "message", data: { title: "Committed", text: "before the restart" } },
        notBefore: h.clock.now(),
      });
    });
    expect(await ready()).toBe(200);

    pgc.stop();
    expect(await ready()).toBe(503);
    expect((await fetch(`${h.service.url}/healthz`)).status).toBe(200);
    const during = await h.execute(user, "help.show");
    expect(during.status).toBe(200);
    expect(during.text).toContain("Something went wrong on our side");
    expect(during.text).toContain("Nothing you entered was lost");
    const said = await h.say(user, "help");
    expect(said.status).toBe(200);
    expect(said.cards.map(cardText).join("\n")).toContain("Something went wrong on our side");

    pgc.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await ready();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const after = await h.execute(user, "help.show");
    expect(after.text).toContain(user.name);
    expect(await h.db.history.count({ where: { action: "fault-test.committed" } })).toBe(1);
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: "fault-test:1" } })).toBe(1);
    expect(await h.db.conversationReference.count({ where: { staffId: user.id } })).toBe(1);
    expect(await h.drainOutbox()).toBe(1);
    expect(h.connector.cardsTo(h.conversationOf(user)).filter((c) => cardText(c).includes("before the restart")).length).toBe(1);
  });

  it("never answers 5xx to requests in flight while the database restarts", async () => {
    const staff = (await h.staffWithRole("PRACTITIONER")).slice(0, 10);
    const statuses: number[] = [];
    const texts: string[] = [];
    const fire = async () => {
      for (let round = 0; round < 6; round++) {
        const rs = await Promise.all(staff.map((s) => h.execute(s, "help.show")));
        for (const r of rs) {
          statuses.push(r.status);
          texts.push(r.text);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const load = fire();
    await new Promise((r) => setTimeout(r, 60));
    pgc.stop();
    await new Promise((r) => setTimeout(r, 150));
    pgc.start();
    await load;
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const t of texts) expect(t).toMatch(/What Assure can do|Something went wrong on our side|Assure/);
    // Afterwards everyone is served again.
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await h.execute(staff[0]!, "help.show")).text.includes(staff[0]!.name);
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).toBe(true);
  });
});

describe("Bot Connector faults", () => {
  const h = useHarness({ env: { DELIVERY_MAX_ATTEMPTS: "20" } });

  it("delivers every proactive card exactly once through 429s, 5xx and connection resets", async () => {
    const people = (await h.staffWithRole("TEAM_MANAGER")).slice(0, 5);
    for (const p of people) await h.install(p);
    h.connector.reset();
    await h.db.$transaction(async (tx) => {
      for (const p of people)
        for (let i = 0; i < 4; i++)
          await enqueueMessage(tx, {
            recipientId: p.id,
            idempotencyKey: `faults:${p.id}:${i}`,
            payload: { template: "message", data: { title: `Card ${i}`, text: `number ${i} for ${p.name}` } },
            notBefore: h.clock.now(),
          });
    });
    h.connector.injectFaults({ status: 429, count: 4, retryAfterSeconds: 0 });
    h.connector.injectFaults({ status: 503, count: 3 });
    h.connector.injectFaults({ status: 502, count: 2 });
    h.connector.injectResets(3);
    for (let round = 0; round < 30; round++) {
      await h.drainOutbox();
      const left = await h.db.outboxMessage.count({ where: { status: { not: "sent" } } });
      if (left === 0) break;
      (h.clock as ManualClock).advance(120_000);
    }
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: "faults:" } } });
    expect(rows.length).toBe(20);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    expect(h.connector.stats.faults + h.connector.stats.total429 + h.connector.stats.resets).toBeGreaterThanOrEqual(12);
    // A failed proactive send is retried by the outbox, never turned into a "Sorry" message.
    expect(h.connector.activities.filter((a) => String(a.body?.text ?? "").includes("Sorry")).length).toBe(0);
    for (const p of people) {
      const texts = h.connector.cardsTo(h.conversationOf(p)).map(cardText);
      for (let i = 0; i < 4; i++)
        expect(texts.filter((t) => t.includes(`number ${i} for ${p.name}`)).length, `${p.name} card ${i}`).toBe(1);
    }
  });

  it("answers an action even when the connector is failing (the reply travels in the HTTP response)", async () => {
    const s = await h.one("SERVICE_MANAGER");
    h.connector.injectFaults({ status: 503, count: 50 });
    const r = await h.execute(s, "help.show");
    expect(r.status).toBe(200);
    expect(r.text).toContain(s.name);
    h.connector.reset();
  });
});
