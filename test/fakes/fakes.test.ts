import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeConnector, type FakeConnector } from "./botConnector";
import { startFakeGraph, type FakeGraph, type GraphUser } from "./graph";
import { invokeActionExecute, messageActivity, personalConversationId, submitActivity } from "./activities";

const TENANT = "tenant-1";
const card = (title: string): Record<string, unknown> => ({
  type: "AdaptiveCard",
  version: "1.5",
  body: [{ type: "TextBlock", text: title }],
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
}

function convUrl(fake: FakeConnector, conversationId: string, rest = "activities"): string {
  return `${fake.url}v3/conversations/${encodeURIComponent(conversationId)}/${rest}`;
}

describe("fake Bot Connector", () => {
  let fake: FakeConnector;
  beforeAll(async () => {
    fake = await startFakeConnector({
      members: [
        { id: "29:u1", aadObjectId: "aad-1", name: "Ada One", email: "ada@x.test", userPrincipalName: "ada@x.test", tenantId: TENANT },
        { id: "29:u2", aadObjectId: "aad-2", name: "Bob Two", tenantId: TENANT },
      ],
    });
  });
  afterAll(async () => fake.close());
  afterEach(() => fake.reset());

  it("creates deterministic 1:1 conversations and records sends, replies, updates, deletes", async () => {
    const create = async (member: Record<string, string>): Promise<Response> =>
      post(`${fake.url}v3/conversations`, { bot: { id: "28:bot" }, members: [member], tenantId: TENANT, isGroup: false });
    const r1 = await create({ id: "29:u1" });
    expect(r1.status).toBe(201);
    const c1 = (await r1.json()) as { id: string; serviceUrl: string };
    expect(c1.id).toBe("a:conv-29:u1");
    expect(c1.serviceUrl).toBe(fake.url);
    // Same user again (by AAD id this time) → same conversation id.
    const c2 = (await (await create({ id: "aad-1" })).json()) as { id: string };
    expect(c2.id).toBe(c1.id);

    const sent = await post(
      convUrl(fake, c1.id),
      {
        type: "message",
        attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card("v1") }],
      },
      { Authorization: "Bearer abc" },
    );
    expect(sent.status).toBe(201);
    const { id: activityId } = (await sent.json()) as { id: string };
    expect(activityId).toBeTruthy();

    const reply = await post(`${convUrl(fake, c1.id)}/${encodeURIComponent(activityId)}`, { type: "message", text: "hi" });
    expect(reply.status).toBe(201);
    const replyId = ((await reply.json()) as { id: string }).id;
    expect(replyId).not.toBe(activityId);

    const upd = await fetch(`${convUrl(fake, c1.id)}/${activityId}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        type: "message",
        attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card("v2") }],
      }),
    });
    expect(upd.status).toBe(200);
    const updUnknown = await fetch(`${convUrl(fake, c1.id)}/nope`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: '{"type":"message"}',
    });
    expect(updUnknown.status).toBe(404);
    const del = await fetch(`${convUrl(fake, c1.id)}/${replyId}`, { method: "DELETE" });
    expect(del.status).toBe(200);

    expect(fake.activities.map((a) => a.kind)).toEqual(["send", "reply", "update", "delete"]);
    expect(fake.activities[0]?.authorization).toBe("Bearer abc");
    expect(fake.activities[0]?.bytes).toBeGreaterThan(50);
    expect(fake.activities[1]?.replyToId).toBe(activityId);
    expect(fake.sentTo("aad-1")).toHaveLength(3);
    expect(fake.sentTo("29:u1")).toHaveLength(3);
    expect(fake.sentTo(c1.id)).toHaveLength(3);
    expect(fake.sentTo("aad-2")).toHaveLength(0);
    expect(fake.lastCardTo("aad-1")).toEqual(card("v2"));
    expect(fake.cardsTo("aad-1")).toHaveLength(2);
    expect(fake.messageState(c1.id, replyId)?.deleted).toBe(true);
    expect(fake.requests.some((r) => r.decodedPath === `/v3/conversations/${c1.id}/activities` && r.status === 201)).toBe(true);
  });

  it("requires a tenant id on create, and returns members", async () => {
    const bad = await post(`${fake.url}v3/conversations`, { members: [{ id: "29:u2" }] });
    expect(bad.status).toBe(400);
    const ok = await post(`${fake.url}v3/conversations`, { members: [{ id: "29:u2" }], channelData: { tenant: { id: TENANT } } });
    const { id } = (await ok.json()) as { id: string };
    const members = (await (await fetch(convUrl(fake, id, "members"))).json()) as Array<{ id: string; aadObjectId: string }>;
    expect(members).toEqual([expect.objectContaining({ id: "29:u2", aadObjectId: "aad-2", name: "Bob Two" })]);
    const one = await fetch(convUrl(fake, id, "members/aad-2"));
    expect(((await one.json()) as { id: string }).id).toBe("29:u2");
    expect((await fetch(convUrl(fake, id, "members/ghost"))).status).toBe(404);
  });

  it("waitFor resolves on a future activity (event-based) and times out otherwise", async () => {
    const p = fake.waitFor((a) => a.body?.text === "later", 1000);
    setTimeout(() => void post(convUrl(fake, "a:conv-29:u1"), { type: "message", text: "later" }), 20);
    const a = await p;
    expect(a.conversationId).toBe("a:conv-29:u1");
    await expect(fake.waitFor((x) => x.body?.text === "never", 50)).rejects.toThrow(/waitFor/);
  });

  it("typing activities are accepted but excluded from sentTo by default", async () => {
    expect((await post(convUrl(fake, "a:conv-29:u2"), { type: "typing" })).status).toBe(201);
    expect(fake.sentTo("aad-2")).toHaveLength(0);
    expect(fake.sentTo("aad-2", { includeTyping: true })).toHaveLength(1);
  });

  it("throttles the 8th message within 1 s to one conversation with 429 + Retry-After", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let errorCode: string | undefined;
    for (let i = 0; i < 8; i++) {
      const r = await post(convUrl(fake, "a:conv-29:u1"), { type: "message", text: `m${i}` });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get("retry-after");
        errorCode = ((await r.json()) as { error: { code: string } }).error.code;
      }
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    expect(retryAfter).toBe("1");
    expect(errorCode).toBe("ThrottledRequest");
    expect(fake.throttledCount).toBe(1);
    expect(fake.stats.total429).toBe(1);
    // Another conversation is not affected.
    expect((await post(convUrl(fake, "a:conv-29:u2"), { type: "message", text: "x" })).status).toBe(201);
    expect(fake.sentTo("aad-1")).toHaveLength(7);
  });

  it("sliding windows are configurable and reopen after the window passes", async () => {
    fake.setRateLimits({ perConversation: [{ limit: 2, windowMs: 150 }], globalLimit: 0 });
    const send = async (): Promise<number> => (await post(convUrl(fake, "a:conv-29:u1"), { type: "message" })).status;
    expect([await send(), await send(), await send()]).toEqual([201, 201, 429]);
    await new Promise((r) => setTimeout(r, 170));
    expect(await send()).toBe(201);
    fake.setRateLimits({});
  });

  it("enforces the global per-app ceiling across conversations", async () => {
    fake.setRateLimits({ globalLimit: 5, globalWindowMs: 1000 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(convUrl(fake, `a:conv-29:x${i}`), { type: "message" })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    fake.setRateLimits(false);
    for (let i = 0; i < 20; i++) expect((await post(convUrl(fake, "a:conv-29:u1"), { type: "message" })).status).toBe(201);
    fake.setRateLimits({});
  });

  it("injects status faults, socket resets, blocks, latency, oversize", async () => {
    fake.injectFaults({ status: 503, count: 2 });
    const s = [];
    for (let i = 0; i < 3; i++) s.push((await post(convUrl(fake, "a:conv-29:u1"), { type: "message" })).status);
    expect(s).toEqual([503, 503, 201]);

    fake.injectFaults({ status: 412, count: 1 });
    expect((await post(convUrl(fake, "a:conv-29:u1"), { type: "message" })).status).toBe(412);

    fake.injectResets(1);
    await expect(post(convUrl(fake, "a:conv-29:u1"), { type: "message" })).rejects.toThrow();
    expect((await post(convUrl(fake, "a:conv-29:u1"), { type: "message" })).status).toBe(201);
    expect(fake.stats.resets).toBe(1);

    fake.blockUser("aad-2");
    const blocked = await post(convUrl(fake, "a:conv-29:u2"), { type: "message" });
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe("ConversationBlockedByUser");
    const blockedCreate = await post(`${fake.url}v3/conversations`, { members: [{ id: "29:u2" }], tenantId: TENANT });
    expect(blockedCreate.status).toBe(403);
    fake.blockUser("a:conv-29:u1", "BotDisabledByAdmin");
    const disabled = await post(convUrl(fake, "a:conv-29:u1"), { type: "message" });
    expect(((await disabled.json()) as { error: { code: string } }).error.code).toBe("BotDisabledByAdmin");
    fake.unblockUser("a:conv-29:u1");

    fake.setLatency(60);
    const t0 = Date.now();
    await post(convUrl(fake, "a:conv-29:u1"), { type: "message" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    fake.setLatency(0);

    const big = await post(convUrl(fake, "a:conv-29:u1"), { type: "message", text: "x".repeat(110_000) });
    expect(big.status).toBe(413);
  });

  it("seeded random faults are reproducible", async () => {
    const run = async (): Promise<number[]> => {
      const f = await startFakeConnector({ rateLimits: false });
      f.setRandomFaults({ rate429: 0.2, rate5xx: 0.2, seed: 7, statuses5xx: [500, 502, 503, 504] });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await post(`${f.url}v3/conversations/c/activities`, { type: "message" })).status);
      await f.close();
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.some((x) => x === 429)).toBe(true);
    expect(a.some((x) => x >= 500)).toBe(true);
    expect(a.some((x) => x === 201)).toBe(true);
  });

  it("requireAuth rejects requests without a bearer token", async () => {
    const f = await startFakeConnector({ requireAuth: true });
    expect((await post(`${f.url}v3/conversations/c/activities`, { type: "message" })).status).toBe(401);
    expect((await post(`${f.url}v3/conversations/c/activities`, { type: "message" }, { Authorization: "Bearer t" })).status).toBe(201);
    await f.close();
  });

  it("activity builders produce Teams-shaped activities", () => {
    const from = { aadObjectId: "aad-1", name: "Ada" };
    const m = messageActivity({ text: "hello", from, serviceUrl: fake.url, tenantId: TENANT });
    expect(m).toMatchObject({
      type: "message",
      channelId: "msteams",
      text: "hello",
      from: { id: "29:aad-1", aadObjectId: "aad-1" },
      recipient: { id: "28:assure-bot" },
      conversation: { id: "a:conv-29:aad-1", conversationType: "personal", tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
    });
    expect(personalConversationId(from)).toBe("a:conv-29:aad-1");
    const inv = invokeActionExecute({ verb: "approve", data: { k: 1 }, from, serviceUrl: fake.url, replyToId: "r1" });
    expect(inv).toMatchObject({
      type: "invoke",
      name: "adaptiveCard/action",
      replyToId: "r1",
      value: { action: { type: "Action.Execute", verb: "approve", data: { k: 1 } }, trigger: "manual" },
    });
    const sub = submitActivity({ data: { verb: "x" }, from, serviceUrl: fake.url });
    expect(sub.type).toBe("message");
    expect(sub.text).toBeUndefined();
    expect(sub.value).toEqual({ verb: "x" });
  });
});

describe("fake Microsoft Graph", () => {
  const users: GraphUser[] = [
    {
      id: "u-ceo",
      displayName: "Cee Oh",
      userPrincipalName: "ceo@x.test",
      mail: "ceo@x.test",
      jobTitle: "Director",
      department: "Exec",
      managerId: null,
    },
    {
      id: "u-head",
      displayName: "Head Person",
      userPrincipalName: "head@x.test",
      mail: "head@x.test",
      jobTitle: "Head of Service",
      department: "CSC",
      managerId: "u-ceo",
    },
    {
      id: "u-tm",
      displayName: "Team Manager",
      userPrincipalName: "tm@x.test",
      mail: "tm@x.test",
      jobTitle: "Team Manager",
      department: "CSC",
      managerId: "u-head",
    },
    {
      id: "u-sw1",
      displayName: "Social Worker 1",
      userPrincipalName: "sw1@x.test",
      mail: "sw1@x.test",
      jobTitle: "Social Worker",
      department: "CSC",
      managerId: "u-tm",
    },
    {
      id: "u-sw2",
      displayName: "Social Worker 2",
      userPrincipalName: "sw2@x.test",
      mail: null,
      jobTitle: "Social Worker",
      department: "CSC",
      managerId: "u-tm",
    },
  ];
  let g: FakeGraph;
  const auth = { Authorization: "Bearer anything" };
  beforeAll(async () => {
    g = await startFakeGraph({ users, apps: [{ id: "cat-1", externalId: "manifest-1", displayName: "Assure" }], botAppId: "bot-app" });
  });
  afterAll(async () => g.close());
  afterEach(() => g.reset());

  it("pages /users with $top, $select and @odata.nextLink", async () => {
    const seen: Array<Record<string, unknown>> = [];
    let next: string | undefined = `${g.v1}/users?$top=2&$select=id,displayName,department`;
    let pages = 0;
    while (next) {
      const r = await fetch(next, { headers: auth });
      expect(r.status).toBe(200);
      const j = (await r.json()) as { value: Array<Record<string, unknown>>; "@odata.nextLink"?: string };
      seen.push(...j.value);
      next = j["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect(Object.keys(seen[0] ?? {}).sort()).toEqual(["department", "displayName", "id"]);
    // Default property set has no department.
    const def = (await (await fetch(`${g.v1}/users/u-sw1`, { headers: auth })).json()) as Record<string, unknown>;
    expect(def.displayName).toBe("Social Worker 1");
    expect("department" in def).toBe(false);
    // UPN lookup and 404.
    expect((await fetch(`${g.v1}/users/sw2@x.test`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${g.v1}/users/ghost`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${g.v1}/users`)).status).toBe(401);
  });

  it("returns manager and the manager chain (ConsistencyLevel required for $levels)", async () => {
    const m = (await (await fetch(`${g.v1}/users/u-sw1/manager`, { headers: auth })).json()) as { id: string };
    expect(m.id).toBe("u-tm");
    expect((await fetch(`${g.v1}/users/u-ceo/manager`, { headers: auth })).status).toBe(404);

    const q = `${g.v1}/users/u-sw1?$expand=${encodeURIComponent("manager($levels=max;$select=id,displayName)")}&$select=id,displayName`;
    expect((await fetch(q, { headers: auth })).status).toBe(400);
    const r = await fetch(q, { headers: { ...auth, ConsistencyLevel: "eventual" } });
    expect(r.status).toBe(200);
    const j = (await r.json()) as Record<string, unknown>;
    const chain: string[] = [];
    let cur = j.manager as Record<string, unknown> | undefined;
    while (cur) {
      chain.push(cur.id as string);
      cur = cur.manager as Record<string, unknown> | undefined;
    }
    expect(chain).toEqual(["u-tm", "u-head", "u-ceo"]);
  });

  it("installs the app for a user, 409 on repeat, lists with $filter, gives the chat id", async () => {
    const body = { "teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/cat-1" };
    const h = { ...auth, "Content-Type": "application/json" };
    expect((await post(`${g.v1}/users/u-sw1/teamwork/installedApps`, body, h)).status).toBe(201);
    expect((await post(`${g.v1}/users/u-sw1/teamwork/installedApps`, body, h)).status).toBe(409);

    const filter = encodeURIComponent("teamsApp/externalId eq 'manifest-1'");
    const list = (await (
      await fetch(`${g.v1}/users/u-sw1/teamwork/installedApps?$expand=teamsApp&$filter=${filter}`, { headers: auth })
    ).json()) as { value: Array<{ id: string; teamsApp: { id: string } }> };
    expect(list.value).toHaveLength(1);
    expect(list.value[0]?.teamsApp.id).toBe("cat-1");
    const byId = (await (
      await fetch(`${g.v1}/users/u-sw1/teamwork/installedApps?$expand=teamsApp&$filter=${encodeURIComponent("teamsApp/id eq 'cat-1'")}`, {
        headers: auth,
      })
    ).json()) as { value: unknown[] };
    expect(byId.value).toHaveLength(1);
    const none = (await (
      await fetch(`${g.v1}/users/u-sw2/teamwork/installedApps?$expand=teamsApp&$filter=${filter}`, { headers: auth })
    ).json()) as { value: unknown[] };
    expect(none.value).toHaveLength(0);

    const instId = list.value[0]?.id ?? "";
    const chat = (await (
      await fetch(`${g.v1}/users/u-sw1/teamwork/installedApps/${encodeURIComponent(instId)}/chat`, { headers: auth })
    ).json()) as { id: string };
    expect(chat.id).toBe("19:u-sw1_bot-app@unq.gbl.spaces");
    expect(g.installations).toHaveLength(1);
  });

  it("lists a chat's messages from what the fake connector accepted, in Graph's shape, paged and filtered", async () => {
    const connector = await startFakeConnector({ rateLimits: false });
    try {
      g.setConnector(connector);
      const chat = "19:u-sw1_bot-app@unq.gbl.spaces";
      const send = async (conv: string, body: Record<string, unknown>): Promise<string> =>
        ((await (await post(convUrl(connector, conv), body)).json()) as { id: string }).id;
      const msg = (title: string, extra: Record<string, unknown> = {}) => ({
        type: "message",
        from: { id: "28:bot-app", name: "Assure" },
        conversation: { id: chat, conversationType: "personal" },
        recipient: { id: "29:sw1", aadObjectId: "u-sw1" },
        attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { ...card(title), id: `m-${title}` } }],
        ...extra,
      });
      // Unknown chat: 404. An installation's chat with nothing in it: empty.
      expect((await fetch(`${g.v1}/chats/${encodeURIComponent(chat)}/messages`, { headers: auth })).status).toBe(404);
      g.install("u-sw1", "cat-1");
      const empty = (await (await fetch(`${g.v1}/chats/${encodeURIComponent(chat)}/messages`, { headers: auth })).json()) as {
        value: unknown[];
      };
      expect(empty.value).toEqual([]);
      const ids: string[] = [];
      for (const t of ["a", "b", "c"]) {
        ids.push(await send(chat, msg(t)));
        await new Promise((r) => setTimeout(r, 5));
      }
      // The same person's personal conversation under its Bot Framework id is the same chat.
      const t0 = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      ids.push(await send("a:conv-29:sw1", msg("d", { conversation: { id: "a:conv-29:sw1", conversationType: "personal" } })));
      await send("a:conv-29:other", msg("x", { recipient: { id: "29:other", aadObjectId: "u-sw2" } }));

      type Page = { value: Array<Record<string, unknown>>; "@odata.nextLink"?: string };
      const get = async (q: string): Promise<{ status: number; body: Page }> => {
        const r = await fetch(`${g.v1}/chats/${encodeURIComponent(chat)}/messages${q}`, { headers: auth });
        return { status: r.status, body: (await r.json()) as Page };
      };
      const seen: string[] = [];
      let page = (await get("?$top=3")).body;
      seen.push(...page.value.map((m) => m.id as string));
      expect(page["@odata.nextLink"]).toBeDefined();
      page = (await (await fetch(page["@odata.nextLink"]!, { headers: auth })).json()) as Page;
      seen.push(...page.value.map((m) => m.id as string));
      expect(seen).toEqual([...ids].reverse()); // newest first
      const first = (await get("?$top=1")).body.value[0]!;
      expect(first).toMatchObject({
        id: ids[3],
        messageType: "message",
        chatId: chat,
        from: { application: { id: "bot-app", displayName: "Assure", applicationIdentityType: "bot" }, user: null },
      });
      const att = (first.attachments as Array<{ contentType: string; content: string }>)[0]!;
      expect(att.contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(typeof att.content).toBe("string");
      expect(JSON.parse(att.content)).toMatchObject({ id: "m-d", type: "AdaptiveCard" });

      const since = encodeURIComponent(`lastModifiedDateTime gt ${t0}`);
      const filtered = await get(`?$top=50&$orderby=${encodeURIComponent("lastModifiedDateTime desc")}&$filter=${since}`);
      expect(filtered.body.value.map((m) => m.id)).toEqual([ids[3]]);
      // An update changes lastModifiedDateTime and the card.
      await new Promise((r) => setTimeout(r, 5));
      await fetch(`${convUrl(connector, chat)}/${ids[0]}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(msg("a2")),
      });
      const after = await get(`?$orderby=${encodeURIComponent("lastModifiedDateTime desc")}&$filter=${since}`);
      expect(after.body.value.map((m) => m.id)).toEqual([ids[0], ids[3]]);
      // Graph's limits: $top ≤ 50, createdDateTime only with lt, $filter needs the matching $orderby.
      expect((await get("?$top=51")).status).toBe(400);
      expect(
        (await get(`?$orderby=${encodeURIComponent("createdDateTime desc")}&$filter=${encodeURIComponent(`createdDateTime gt ${t0}`)}`))
          .status,
      ).toBe(400);
      expect((await get(`?$filter=${since}`)).status).toBe(400);
      expect((await get(`?$orderby=${encodeURIComponent("createdDateTime desc")}&$filter=${since}`)).status).toBe(400);
      expect((await fetch(`${g.v1}/chats/${encodeURIComponent(chat)}/messages`)).status).toBe(401);
    } finally {
      g.setConnector(null);
      await connector.close();
    }
  });

  it("injects 429 with Retry-After and 503, and records requests", async () => {
    g.inject429(2, 3);
    g.inject503(1);
    const s: Array<[number, string | null]> = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${g.v1}/users/u-tm`, { headers: auth });
      s.push([r.status, r.headers.get("retry-after")]);
    }
    expect(s).toEqual([
      [429, "3"],
      [429, "3"],
      [503, null],
      [200, null],
    ]);
    expect(g.requests.map((r) => r.status)).toEqual([429, 429, 503, 200]);
    expect(g.stats.total429).toBe(2);
  });
});
