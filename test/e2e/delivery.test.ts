// Proactive delivery end to end: the real sender, the real database, the fake Bot Connector (which
// enforces Teams' limits and injects faults) and the fake Graph.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, type Harness, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { enqueueCardUpdate, enqueueMessage } from "../../services/outbox";
import { OutboxSender } from "../../bot/delivery";
import { startFakeGraph, type FakeGraph } from "../fakes/graph";
import { createGraphClient } from "../../services/graph/client";
import { syncDirectoryFromGraph } from "../../services/directory/graphSync";
import { managerChain } from "../../services/directory/staff";

const clock = new ManualClock(new Date("2026-11-24T10:00:00Z"));
let h: Harness;
let staff: StaffRef[];
let n = 0;

async function send(to: StaffRef, text: string, extra: { cardKey?: string } = {}) {
  const key = `test:${++n}`;
  await h.db.$transaction((tx) =>
    enqueueMessage(tx, { recipientId: to.id, idempotencyKey: key, payload: { template: "message", data: { title: "", text } }, ...extra }),
  );
  return key;
}
const row = (key: string) => h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });
const texts = (s: StaffRef) => h.connector.cardsTo(h.conversationOf(s)).map((c) => cardText(c));
const advance = (ms: number) => clock.advance(ms);

beforeAll(async () => {
  h = await startHarness({ clock, env: { DELIVERY_GLOBAL_RPS: "20", DELIVERY_MAX_ATTEMPTS: "3" } });
  staff = await h.db.staff.findMany({ orderBy: { email: "asc" } });
});
afterAll(async () => {
  await h?.close();
});

/**
 * Teams' ceiling at 20/s. The fake runs in this test's process: when the loop is busy it reads a
 * request up to 35 ms after the sender wrote it (measured with the CPU starved), which would count
 * as the sender's lateness. Its window is 950 ms, so only the sender's own timing (20 slots per
 * 1,020 ms) is judged.
 */
const CEILING_20 = { globalLimit: 20, globalWindowMs: 950 };

describe("proactive delivery", () => {
  // A request written later than its slot (the first one waits for its client) would make the one
  // a second after it the 21st in Teams' window: such a request waits for another slot instead.
  it("paces under the global ceiling and the per-conversation windows: nothing throttled, order kept", async () => {
    h.connector.setRateLimits(CEILING_20);
    const people = staff.slice(0, 30);
    for (const p of people) await h.install(p);
    h.connector.reset();
    h.connector.setRateLimits(CEILING_20);
    for (const p of people.slice(1)) for (let i = 0; i < 2; i++) await send(p, `bulk ${i}`);
    const busy = people[0]!;
    for (let i = 0; i < 12; i++) await send(busy, `busy ${i}`);
    const t0 = Date.now();
    await h.drainOutbox();
    const elapsed = Date.now() - t0;
    expect(
      h.connector.requests.filter((r) => r.status === 429).map((r) => `${r.time - t0} ms: ${r.limitedBy} window, ${r.conversationId}`),
    ).toEqual([]);
    expect(h.connector.stats.throttled).toBe(0);
    expect(h.connector.activities).toHaveLength(58 + 12);
    expect(texts(busy)).toEqual(Array.from({ length: 12 }, (_, i) => `busy ${i}`));
    // 70 requests at 20/s cannot take less than ~2.5 s; 12 to one conversation (8 per 2 s) ≥ 2 s.
    expect(elapsed).toBeGreaterThan(2_400);
    // Sent concurrently: several conversations within the same 100 ms.
    const times = h.connector.activities.map((a) => a.time);
    const maxIn1s = Math.max(...times.map((t) => times.filter((x) => x >= t && x < t + CEILING_20.globalWindowMs).length));
    expect(maxIn1s).toBeLessThanOrEqual(20);
    expect(maxIn1s).toBeGreaterThan(10);
    h.connector.setRateLimits(false);
  });

  it("honours Retry-After on a 429 and then delivers exactly once", async () => {
    const p = staff[0]!;
    h.connector.reset();
    const conv = h.conversationOf(p);
    h.connector.injectFaults({ status: 429, count: 1, retryAfterSeconds: 2, match: (r) => r.conversationId === conv });
    const key = await send(p, "after throttle");
    await h.drainOutbox();
    expect((await row(key)).status).toBe("pending");
    expect((await row(key)).lastError).toMatch(/429/);
    advance(3_000);
    await h.drainOutbox();
    expect((await row(key)).status).toBe("sent");
    const reqs = h.connector.requests.filter((r) => r.conversationId === conv);
    expect(reqs.map((r) => r.status)).toEqual([429, 201]);
    expect(reqs[1]!.time - reqs[0]!.time).toBeGreaterThanOrEqual(1_900);
    expect(texts(p)).toEqual(["after throttle"]);
  });

  it("retries a 503 and a connection reset, then succeeds exactly once (no hidden client retries)", async () => {
    const p = staff[1]!;
    h.connector.reset();
    h.connector.injectFaults({ status: 503, count: 1 });
    const key = await send(p, "third time lucky");
    await h.drainOutbox();
    expect((await row(key)).status).toBe("pending");
    h.connector.injectResets(1);
    advance(60_000);
    await h.drainOutbox();
    expect((await row(key)).status).toBe("pending");
    advance(60_000);
    await h.drainOutbox();
    const r = await row(key);
    expect(r.status).toBe("sent");
    expect(r.attempts).toBe(3);
    expect(h.connector.requests).toHaveLength(3);
    expect(texts(p)).toEqual(["third time lucky"]);
  });

  it("dead-letters after DELIVERY_MAX_ATTEMPTS with the reason, and the QA team sees it", async () => {
    const p = staff[2]!;
    h.connector.reset();
    const conv = h.conversationOf(p);
    h.connector.injectFaults({ status: 502, count: 10, match: (r) => r.conversationId === conv });
    const key = await send(p, "never arrives");
    for (let i = 0; i < 5; i++) {
      await h.drainOutbox();
      advance(120_000);
    }
    const r = await row(key);
    expect(r.status).toBe("dead");
    expect(r.attempts).toBe(3);
    expect(r.lastError).toMatch(/gave up after 3 attempts.*502/);
    expect(h.connector.requests.filter((q) => q.conversationId === conv)).toHaveLength(3);

    const qa = await h.one("QA_TEAM");
    const reply = await h.say(qa, "outbox");
    const text = cardText(reply.cards[0]);
    expect(text).toContain("Dead (gave up)");
    expect(text).toContain(`${p.name}: dead`);
    expect(text).toMatch(/gave up after 3 attempts/);
    expect(text).not.toContain("never arrives");
    const worker = await h.one("PRACTITIONER", "CP");
    expect(cardText((await h.say(worker, "outbox")).cards[0])).toMatch(/does not allow/);
  });

  it("treats 403 (blocked by the user) as final: recorded, never retried", async () => {
    const p = staff[3]!;
    h.connector.reset();
    h.connector.blockUser(h.conversationOf(p));
    const key = await send(p, "blocked");
    await h.drainOutbox();
    advance(600_000);
    await h.drainOutbox();
    const r = await row(key);
    expect(r.status).toBe("blocked");
    expect(r.lastError).toMatch(/ConversationBlockedByUser/);
    expect(h.connector.requests).toHaveLength(1);
    h.connector.unblockUser(h.conversationOf(p));
  });

  it("keeps a message waiting for someone who never opened the bot, and delivers it when they do", async () => {
    const p = staff[50]!;
    expect(await h.db.conversationReference.findUnique({ where: { staffId: p.id } })).toBeNull();
    h.connector.reset();
    const key = await send(p, "waiting for you");
    await h.drainOutbox();
    const r = await row(key);
    expect(r.status).toBe("waiting");
    expect(r.lastError).toMatch(/not reachable yet/);
    expect(h.connector.requests).toHaveLength(0);
    await h.install(p);
    await h.drainOutbox();
    expect((await row(key)).status).toBe("sent");
    expect(texts(p)).toContain("waiting for you");
  });

  it("updates a delivered card in place, through the same limiter", async () => {
    const p = staff[4]!;
    h.connector.reset();
    await send(p, "version 1", { cardKey: "test:card" });
    await h.drainOutbox();
    await h.db.$transaction((tx) =>
      enqueueCardUpdate(tx, {
        recipientId: p.id,
        cardKey: "test:card",
        idempotencyKey: "test:card:v2",
        payload: { template: "message", data: { title: "", text: "version 2" } },
      }),
    );
    await h.drainOutbox();
    const [sent, updated] = h.connector.activities;
    expect(sent?.kind).toBe("send");
    expect(updated?.kind).toBe("update");
    expect(updated?.activityId).toBe(sent?.activityId);
    expect(cardText(h.connector.messageState(sent!.conversationId, sent!.activityId)?.body.attachments?.[0]?.content)).toBe("version 2");
    // An update for a card that was never delivered is skipped, visibly.
    await h.db.$transaction((tx) =>
      enqueueCardUpdate(tx, { recipientId: p.id, cardKey: "test:none", idempotencyKey: "test:none:v2", payload: { text: "x" } }),
    );
    await h.drainOutbox();
    expect((await row("test:none:v2")).status).toBe("skipped");
  });

  it("two senders on the same database never send a row twice; an expired lease is taken over", async () => {
    const people = staff.slice(5, 25);
    h.connector.reset();
    h.connector.setRateLimits({ globalLimit: 50 });
    const keys: string[] = [];
    for (const p of people) for (let i = 0; i < 4; i++) keys.push(await send(p, `${p.email} #${i}`));
    // A crashed instance left one row claimed ('sending') with an expired lease.
    const orphan = keys[0]!;
    await h.db.outboxMessage.update({
      where: { idempotencyKey: orphan },
      data: { status: "sending", lockedBy: "crashed-instance", lockedUntil: new Date(clock.now().getTime() - 1) },
    });
    // Each may hold 10 rows, fewer than the 20 recipients' heads of line: the first to claim cannot
    // take every claimable row, so both send whichever of them is faster on this machine.
    const a = new OutboxSender(h.service.ctx, undefined, "", { instanceId: "A", maxHeld: 10 });
    const b = new OutboxSender(h.service.ctx, undefined, "", { instanceId: "B", maxHeld: 10 });
    a.start();
    b.start();
    a.wake();
    b.wake();
    const deadline = Date.now() + 30_000;
    // A 429 is retried after Retry-After on the test's clock, which stands still: stop and show it.
    while ((await h.db.outboxMessage.count({ where: { idempotencyKey: { in: keys }, status: "sent" } })) < keys.length) {
      if (h.connector.requests.some((r) => r.status === 429)) break;
      if (Date.now() > deadline) {
        const byStatus = await h.db.outboxMessage.groupBy({ by: ["status"], where: { idempotencyKey: { in: keys } }, _count: true });
        throw new Error(`not all sent: ${JSON.stringify({ byStatus, a: a.stats, b: b.stats })}`);
      }
      a.wake();
      b.wake();
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([a.stop(), b.stop()]);
    expect(h.connector.activities).toHaveLength(keys.length);
    expect(h.connector.stats.throttled).toBe(0);
    for (const p of people) expect(texts(p)).toEqual([0, 1, 2, 3].map((i) => `${p.email} #${i}`));
    expect(a.stats.sent + b.stats.sent).toBe(keys.length);
    expect(a.stats.sent).toBeGreaterThan(0);
    expect(b.stats.sent).toBeGreaterThan(0);
    expect(a.stats.took_over + b.stats.took_over).toBe(1);
    h.connector.setRateLimits(false);
  });
});

describe("several sender instances, one tenant ceiling", () => {
  it("two instances together stay under Teams' per-tenant ceiling: none throttled, each message once, in order", async () => {
    // Teams allows an app 50 requests per second per tenant, whatever number of instances sends
    // them; here the ceiling is 20/s (DELIVERY_GLOBAL_RPS) and the fake connector enforces it.
    const people = staff.slice(25, 45);
    for (const p of people) await h.install(p);
    h.connector.reset();
    h.connector.setRateLimits(CEILING_20);
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) for (const p of people) keys.push(await send(p, `${p.email} #${i}`));
    // Each holds at most 10 rows, fewer than the 20 recipients' heads of line: both take part.
    const a = new OutboxSender(h.service.ctx, undefined, "", { instanceId: "ceiling-A", maxHeld: 10 });
    const b = new OutboxSender(h.service.ctx, undefined, "", { instanceId: "ceiling-B", maxHeld: 10 });
    const t0 = Date.now();
    a.start();
    b.start();
    // A busy host's late timers lose slots (never used late), so the bound is generous.
    const deadline = Date.now() + 120_000;
    // A 429 is retried after Retry-After on the test's clock, which stands still: stop and show it.
    while ((await h.db.outboxMessage.count({ where: { idempotencyKey: { in: keys }, status: "sent" } })) < keys.length) {
      if (h.connector.requests.some((r) => r.status === 429)) break;
      if (Date.now() > deadline) {
        const byStatus = await h.db.outboxMessage.groupBy({ by: ["status"], where: { idempotencyKey: { in: keys } }, _count: true });
        throw new Error(`not all sent: ${JSON.stringify({ byStatus, a: a.stats, b: b.stats })}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsed = Date.now() - t0;
    await Promise.all([a.stop(), b.stop()]);
    expect(h.connector.requests.filter((r) => r.status === 429).map((r) => `${r.time - t0} ms: ${r.limitedBy} window`)).toEqual([]);
    expect(a.stats.throttled + b.stats.throttled).toBe(0);
    expect(h.connector.activities).toHaveLength(keys.length);
    for (const p of people) expect(texts(p)).toEqual([0, 1, 2, 3, 4].map((i) => `${p.email} #${i}`));
    // Both took part; together no faster than the ceiling (100 requests at 20/s: at least ~4.5 s).
    expect(a.stats.sent).toBeGreaterThan(0);
    expect(b.stats.sent).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThan(4_500);
    const times = h.connector.activities.map((x) => x.time);
    expect(Math.max(...times.map((t) => times.filter((x) => x >= t && x < t + CEILING_20.globalWindowMs).length))).toBeLessThanOrEqual(20);
    h.connector.setRateLimits(false);
  }, 180_000);
});

describe("reaching people through Graph", () => {
  let g: Harness;
  let graph: FakeGraph;
  const catalogId = "assure-catalog-id";

  beforeAll(async () => {
    const seeded = await h.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" } });
    graph = await startFakeGraph({
      users: seeded.map((s) => ({ id: s.aadObjectId!, displayName: s.name, userPrincipalName: s.email, mail: s.email })),
      apps: [{ id: catalogId, externalId: "assure-manifest-id", displayName: "Assure" }],
      botAppId: "assure-bot",
      installed: [{ userId: seeded[1]!.aadObjectId!, appId: catalogId }],
    });
    g = await startHarness({
      clock: new ManualClock(new Date("2026-11-24T10:00:00Z")),
      env: {
        GRAPH_TENANT_ID: "tenant-1",
        GRAPH_CLIENT_ID: "client-1",
        GRAPH_CLIENT_SECRET: "secret",
        GRAPH_BASE_URL: graph.url,
        GRAPH_AUTHORITY_URL: graph.url,
        TEAMS_APP_CATALOG_ID: catalogId,
      },
    });
  });
  afterAll(async () => {
    await g?.close();
    await graph?.close();
  });

  it("installs the app for someone who never spoke to the bot, finds the chat and delivers", async () => {
    // The sender talks to the service URL configured for Graph-reached people: point it at the fake.
    const ctx = g.service.ctx;
    const sender = new OutboxSender({ ...ctx, config: { ...ctx.config, TEAMS_SERVICE_URL: g.connector.url } }, undefined, "", {
      graph: createGraphClient(ctx.config)!,
    });
    const [fresh, preinstalled] = await g.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" }, take: 2 });
    // Teams knows each person in a chat by a Teams user id ("29:…"), which the Bot Connector gives
    // for their Entra object id; Graph gives only the latter.
    const teamsId = (p: { aadObjectId: string | null }) => `29:1teams-${p.aadObjectId!.slice(0, 8)}`;
    for (const p of [fresh!, preinstalled!]) g.connector.addMember({ id: teamsId(p), aadObjectId: p.aadObjectId! });
    // The Graph client's RetryHandler honours a 429 on the install.
    graph.injectFaults({
      status: 429,
      count: 1,
      retryAfterSeconds: 1,
      match: (m, path) => m === "POST" && path.endsWith("/installedApps"),
    });
    for (const [i, p] of [fresh!, preinstalled!].entries())
      await g.db.$transaction((tx) =>
        enqueueMessage(tx, {
          recipientId: p.id,
          idempotencyKey: `graph:${i}`,
          payload: { template: "message", data: { title: "", text: `hello ${i}` } },
        }),
      );
    while ((await sender.drainOnce(10)) > 0);
    for (const key of ["graph:0", "graph:1"])
      expect(
        await g.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key }, select: { status: true, lastError: true } }),
      ).toEqual({
        status: "sent",
        lastError: null,
      });
    const ref = await g.db.conversationReference.findUniqueOrThrow({ where: { staffId: fresh!.id } });
    expect(ref.conversationId).toMatch(/^19:.*@unq\.gbl\.spaces$/);
    expect(g.connector.cardsTo(ref.conversationId).map(cardText)).toEqual(["hello 0"]);
    // The reference and the card name the recipient as Teams does, not by their Entra object id.
    expect((ref.reference as { user: { id: string; aadObjectId: string } }).user).toMatchObject({
      id: teamsId(fresh!),
      aadObjectId: fresh!.aadObjectId,
    });
    const card = g.connector.activities.find((a) => a.conversationId === ref.conversationId)!;
    expect((card.body as { recipient?: { id?: string } }).recipient?.id).toBe(teamsId(fresh!));
    const posts = graph.requests.filter((r) => r.method === "POST" && r.path.endsWith("/teamwork/installedApps"));
    expect(posts.map((r) => r.status).sort()).toEqual([201, 409, 429].sort());
    expect(graph.requests.some((r) => r.query.includes(`teamsApp/id eq '${catalogId}'`))).toBe(true);
    expect(graph.requests.filter((r) => r.path.endsWith("/chat")).length).toBe(2);
    expect(graph.requests.every((r) => r.path.includes("oauth2") || /^Bearer fake-access-token/.test(r.authorization ?? ""))).toBe(true);
  });

  it("syncs staff details and the manager chain from Graph without touching CSV-only fields", async () => {
    const all = await g.db.staff.findMany({ where: { aadObjectId: { not: null } }, include: { lineManager: true } });
    const worker = all.find((s) => s.roles.includes("PRACTITIONER") && s.lineManager)!;
    const newBoss = all.find((s) => s.roles.includes("SERVICE_MANAGER"))!;
    const users = all.map((s) => ({
      id: s.aadObjectId!,
      displayName: s.id === worker.id ? `${s.name} (renamed)` : s.name,
      userPrincipalName: s.email,
      mail: s.email,
      jobTitle: s.jobTitle,
      department: "Children's Services",
      managerId: s.id === worker.id ? newBoss.aadObjectId : (s.lineManager?.aadObjectId ?? null),
    }));
    users.push({
      id: "0f0f0f0f-1111-4222-8333-444444444444",
      displayName: "New Starter",
      userPrincipalName: "new.starter@example.org",
      mail: "new.starter@example.org",
      jobTitle: "Social Worker",
      department: "Children's Services",
      managerId: worker.aadObjectId,
    });
    const dir = await startFakeGraph({ users, defaultPageSize: 25 });
    try {
      const client = createGraphClient({ ...g.service.ctx.config, GRAPH_BASE_URL: dir.url, GRAPH_AUTHORITY_URL: dir.url })!;
      const r = await syncDirectoryFromGraph(g.db, client, { pageSize: 25 });
      expect(r).toMatchObject({ users: users.length, created: 1, updated: all.length });
      const after = await g.db.staff.findUniqueOrThrow({ where: { id: worker.id } });
      expect(after.name).toBe(`${worker.name} (renamed)`);
      expect(after.department).toBe("Children's Services");
      expect(after.roles).toEqual(worker.roles);
      expect(after.teamId).toBe(worker.teamId);
      expect(after.lineManagerId).toBe(newBoss.id);
      expect((await managerChain(g.db, worker.id))[0]?.id).toBe(newBoss.id);
      const starter = await g.db.staff.findUniqueOrThrow({ where: { email: "new.starter@example.org" } });
      expect(starter).toMatchObject({ roles: [], source: "graph", lineManagerId: worker.id });
      expect(dir.requests.some((q) => q.query.includes("$levels=max") && q.consistencyLevel === "eventual")).toBe(true);
      expect(dir.requests.filter((q) => q.path === "/v1.0/users").length).toBeGreaterThan(1); // paged
    } finally {
      await dir.close();
    }
  });
});
