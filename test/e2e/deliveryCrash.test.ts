// Crash safety of proactive delivery: a send whose outcome never reached the database. The sender
// that made it dies after the request left it (its outcome statement's connection is killed while
// it waits, so the row stays 'sending' under the dead sender's lease, exactly as a crash leaves
// it); another sender takes the row over when the lease expires. With Graph it looks in the
// recipient's chat (the fake Graph reads what the fake Bot Connector accepted) before sending again.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, type Harness, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { enqueueCardUpdate, enqueueMessage, type OutboxPayload } from "../../services/outbox";
import { OutboxSender } from "../../bot/delivery";
import { startFakeGraph, type FakeGraph } from "../fakes/graph";
import { createGraphClient } from "../../services/graph/client";
import { createPrisma } from "../../services/db";
import { cardOutboxId } from "../../cards/render";
import type { AppContext } from "../../services/context";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";

const clock = new ManualClock(new Date("2026-11-24T10:00:00Z"));
const catalogId = "assure-catalog-id";
let h: Harness;
let graph: FakeGraph;
let graphClient: GraphClient;
let ctx: AppContext;
let staff: StaffRef[];
let n = 0;

async function enqueue(to: StaffRef, payload: OutboxPayload, cardKey?: string): Promise<string> {
  const key = `crash:${++n}`;
  await h.db.$transaction((tx) =>
    enqueueMessage(tx, { recipientId: to.id, idempotencyKey: key, payload, ...(cardKey ? { cardKey } : {}) }),
  );
  return key;
}
const card = (text: string): OutboxPayload => ({ template: "message", data: { title: "", text } });
const row = (key: string) => h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sender "crashing" claims the row and sends it; the fake Bot Connector takes 300 ms to answer (and
 * answers `fault` if given, else accepts). Meanwhile the test locks the row, so the sender's outcome
 * statement waits; its connection is then terminated: the outcome never reaches PostgreSQL, as
 * when the process dies in that window. The sender has its own connection pool.
 */
async function crashAfterRequest(
  key: string,
  opts: { graph?: GraphClient; fault?: number; survive?: (sender: OutboxSender) => Promise<void> } = {},
): Promise<void> {
  const id = (await row(key)).id;
  const db = createPrisma(h.database.url, 2);
  const crashing = new OutboxSender({ ...ctx, db }, undefined, "", {
    instanceId: "crashing",
    ...(opts.graph ? { graph: opts.graph } : {}),
  });
  const before = h.connector.requests.length;
  h.connector.setLatency(300);
  if (opts.fault) h.connector.injectFaults({ status: opts.fault, count: 1 });
  const lock = new pg.Client({ connectionString: h.database.url });
  await lock.connect();
  try {
    const drained = crashing.drainOnce(10);
    await until("the request to reach the connector", () => h.connector.requests.length > before);
    await lock.query("BEGIN");
    await lock.query(`SELECT 1 FROM "OutboxMessage" WHERE id = $1 FOR UPDATE`, [id]);
    const blocked = `SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`;
    await until("the outcome statement to wait on the lock", async () => (await lock.query(blocked)).rowCount! > 0);
    await lock.query(`SELECT pg_terminate_backend(pid) FROM (${blocked}) b`);
    await lock.query("ROLLBACK");
    await drained;
    expect(await row(key)).toMatchObject({ status: "sending", lockedBy: "crashing", sentAt: null });
    clock.advance(ctx.config.DELIVERY_LEASE_MS + 1_000); // the dead sender's lease expires
    // survive: the sender did not die, only its outcome write failed (e.g. PostgreSQL restarted).
    await opts.survive?.(crashing);
  } finally {
    h.connector.setLatency(0);
    await lock.end();
    await db.$disconnect().catch(() => undefined);
  }
}

beforeAll(async () => {
  h = await startHarness({
    clock,
    env: {
      GRAPH_TENANT_ID: "tenant-1",
      GRAPH_CLIENT_ID: "client-1",
      GRAPH_CLIENT_SECRET: "secret",
      GRAPH_BASE_URL: "http://127.0.0.1:9/", // replaced below, once the fake listens
      GRAPH_AUTHORITY_URL: "http://127.0.0.1:9/",
      TEAMS_APP_CATALOG_ID: catalogId,
    },
  });
  staff = await h.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" } });
  graph = await startFakeGraph({
    users: staff.map((s) => ({ id: s.aadObjectId!, displayName: s.name, userPrincipalName: s.email, mail: s.email })),
    apps: [{ id: catalogId, externalId: "assure-manifest-id", displayName: "Assure" }],
    botAppId: "assure-bot",
    connector: h.connector, // Teams is one backend: Graph's chats are what the connector accepted
  });
  const c = h.service.ctx;
  // People reached through Graph get the configured Teams service URL: point it at the fake.
  ctx = { ...c, config: { ...c.config, GRAPH_BASE_URL: graph.url, GRAPH_AUTHORITY_URL: graph.url, TEAMS_SERVICE_URL: h.connector.url } };
  graphClient = createGraphClient(ctx.config)!;
});
afterAll(async () => {
  await h?.close();
  await graph?.close();
});

describe("a send in doubt after a crash", () => {
  it("with Graph: one Teams accepted is found in the chat, recorded with Teams' id and not sent again", async () => {
    // Someone who opened the bot (a Bot Framework `a:` conversation: the chat is found through the
    // installation) and someone reached through Graph (their conversation id is the chat id).
    const opened = staff[0]!;
    await h.install(opened);
    graph.install(opened.aadObjectId!, catalogId); // opening the bot installed it
    const reached = staff[1]!;
    for (const [p, label] of [
      [opened, "opened"],
      [reached, "reached"],
    ] as const) {
      h.connector.reset();
      const graphFrom = graph.requests.length;
      const key = await enqueue(p, card(`survey for ${label}`), `crash:card:${label}`);
      await crashAfterRequest(key, { graph: graphClient });
      const accepted = h.connector.activities;
      expect(accepted).toHaveLength(1); // Teams has it; the database does not know
      const conversationId = accepted[0]!.conversationId;
      expect(cardOutboxId(accepted[0]!.body?.attachments?.[0]?.content)).toBe((await row(key)).id);

      const taker = new OutboxSender(ctx, undefined, "", { instanceId: "taker", graph: graphClient });
      await taker.drainOnce(10);
      expect(h.connector.activities).toHaveLength(1); // not sent again
      expect(taker.stats).toMatchObject({ took_over: 1, inDoubt: 1, reconciled: 1, resentInDoubt: 0, sent: 0, requests: 0 });
      const r = await row(key);
      expect(r).toMatchObject({ status: "sent", activityId: accepted[0]!.activityId, conversationId, attempts: 1, lockedBy: null });
      const chatReads = graph.requests.slice(graphFrom).filter((q) => /^\/v1\.0\/chats\/[^/]+\/messages$/.test(q.path));
      expect(chatReads.length).toBe(1);
      expect(chatReads[0]!.query).toMatch(/\$filter=lastModifiedDateTime gt \d{4}-/);
      expect(chatReads[0]!.path).toContain(label === "reached" ? conversationId : `19:${opened.aadObjectId}_assure-bot@unq.gbl.spaces`);
      if (label === "opened") expect(graph.requests.slice(graphFrom).some((q) => q.path.endsWith("/chat"))).toBe(true);

      // The card instance was recorded with Teams' id: an update replaces the card in place.
      await h.db.$transaction((tx) =>
        enqueueCardUpdate(tx, {
          recipientId: p.id,
          cardKey: `crash:card:${label}`,
          idempotencyKey: `${key}:v2`,
          payload: card(`survey for ${label}, closed`),
        }),
      );
      await taker.drainOnce(10);
      expect((await row(`${key}:v2`)).status).toBe("sent");
      expect(h.connector.activities.map((a) => [a.kind, a.activityId])).toEqual([
        ["send", accepted[0]!.activityId],
        ["update", accepted[0]!.activityId],
      ]);
      const state = h.connector.messageState(conversationId, accepted[0]!.activityId);
      expect(cardText(state?.body.attachments?.[0]?.content)).toBe(`survey for ${label}, closed`);
    }
  });

  it("with Graph: one Teams never accepted is looked for, not found, and sent once", async () => {
    const p = staff[2]!;
    await h.install(p);
    graph.install(p.aadObjectId!, catalogId);
    h.connector.reset();
    const graphFrom = graph.requests.length;
    const key = await enqueue(p, card("never got there"));
    await crashAfterRequest(key, { graph: graphClient, fault: 503 });
    expect(h.connector.activities).toHaveLength(0);

    const taker = new OutboxSender(ctx, undefined, "", { instanceId: "taker", graph: graphClient });
    await taker.drainOnce(10);
    expect(taker.stats).toMatchObject({ inDoubt: 1, reconciled: 0, resentInDoubt: 0, sent: 1 });
    expect(graph.requests.slice(graphFrom).filter((q) => q.path.endsWith("/messages"))).toHaveLength(1);
    expect(h.connector.activities).toHaveLength(1);
    expect(cardText(h.connector.activities[0]!.body?.attachments?.[0]?.content)).toBe("never got there");
    expect(await row(key)).toMatchObject({ status: "sent", activityId: h.connector.activities[0]!.activityId });
  });

  it("an instance whose outcome write failed, and which lives on, takes its own row back when the lease expires", async () => {
    // One instance is the usual deployment: a row it no longer holds must not wait for another one.
    const p = staff[4]!;
    await h.install(p);
    graph.install(p.aadObjectId!, catalogId);
    h.connector.reset();
    const key = await enqueue(p, card("not stranded"));
    await crashAfterRequest(key, {
      graph: graphClient,
      survive: async (survivor) => {
        expect(survivor.stats.sent).toBe(1); // Teams accepted it; recording that failed
        await survivor.drainOnce(10);
        expect(survivor.stats).toMatchObject({ took_over: 1, inDoubt: 1, reconciled: 1, resentInDoubt: 0, requests: 1 });
      },
    });
    expect(h.connector.activities).toHaveLength(1); // found in the chat, not sent again
    expect(await row(key)).toMatchObject({ status: "sent", activityId: h.connector.activities[0]!.activityId, lockedBy: null });
  });

  it("a send whose answer was lost after the request went out is looked for in the chat before it is sent again", async () => {
    const p = staff[5]!;
    await h.install(p);
    graph.install(p.aadObjectId!, catalogId);
    for (const withGraph of [true, false]) {
      h.connector.reset();
      const key = await enqueue(p, card(`answer lost ${withGraph}`));
      const sender = new OutboxSender(ctx, undefined, "", { instanceId: "lossy", ...(withGraph ? { graph: graphClient } : {}) });
      h.connector.injectLostAnswers(1); // Teams takes the message; its answer never comes back
      await sender.drainOnce(10);
      expect(h.connector.activities).toHaveLength(1);
      expect(sender.stats).toMatchObject({ unanswered: 1, retried: 1, sent: 0 });
      const waiting = await row(key);
      expect(waiting.status).toBe("pending");
      expect(waiting.lastError).toMatch(/^no answer after the request was sent/);

      clock.advance(60_000); // the retry is due
      await sender.drainOnce(10);
      expect(sender.stats.inDoubt).toBe(1);
      if (withGraph) {
        // Found in the chat: recorded with Teams' id, not sent twice.
        expect(sender.stats).toMatchObject({ reconciled: 1, resentInDoubt: 0, requests: 1 });
        expect(h.connector.activities).toHaveLength(1);
      } else {
        // Nothing to look in: sent again, and counted as such.
        expect(sender.stats).toMatchObject({ reconciled: 0, resentInDoubt: 1, requests: 2 });
        expect(h.connector.activities).toHaveLength(2);
      }
      expect(await row(key)).toMatchObject({ status: "sent", activityId: h.connector.activities.at(-1)!.activityId, lockedBy: null });
    }
  });

  it("without Graph (or without a marker) it is sent again, counted: at-least-once", async () => {
    const p = staff[3]!;
    await h.install(p);
    h.connector.reset();
    const key = await enqueue(p, card("twice, knowingly"));
    await crashAfterRequest(key);
    const taker = new OutboxSender(ctx, undefined, "", { instanceId: "taker" });
    await taker.drainOnce(10);
    expect(taker.stats).toMatchObject({ took_over: 1, inDoubt: 1, reconciled: 0, resentInDoubt: 1, sent: 1 });
    const sent = h.connector.activities;
    expect(sent).toHaveLength(2); // the duplicate, carrying the same marker
    expect(sent.map((a) => cardOutboxId(a.body?.attachments?.[0]?.content))).toEqual([(await row(key)).id, (await row(key)).id]);
    expect(await row(key)).toMatchObject({ status: "sent", activityId: sent[1]!.activityId });

    // A plain-text message carries no marker: even with Graph it is sent again, counted.
    h.connector.reset();
    const graphFrom = graph.requests.length;
    const text = await enqueue(p, { text: "plain words" });
    await crashAfterRequest(text);
    const withGraph = new OutboxSender(ctx, undefined, "", { instanceId: "taker-2", graph: graphClient });
    await withGraph.drainOnce(10);
    expect(withGraph.stats).toMatchObject({ inDoubt: 1, reconciled: 0, resentInDoubt: 1 });
    expect(h.connector.activities.map((a) => a.body?.text)).toEqual(["plain words", "plain words"]);
    expect(graph.requests.slice(graphFrom).filter((q) => q.path.endsWith("/messages"))).toHaveLength(0);
  });
});
