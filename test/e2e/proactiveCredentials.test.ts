// Proactive sends use the bot's credentials exactly as the HTTP edge does (bot/credentials.ts): in a
// sovereign or private cloud (BOTFRAMEWORK_LOGIN_URL, BOTFRAMEWORK_OAUTH_SCOPE) the outbox sender
// asks that cloud's authority for its token, for that cloud's Bot Framework audience, and sends
// with it. Before, the sender built its own credentials from the app id and password alone, so its
// tokens came from the public cloud's login for the public cloud's audience.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness";
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from "../fakes/tokenEndpoint";
import { enqueueMessage } from "../../services/outbox";
import { saveConversationReference } from "../../services/conversations";
import { OutboxSender } from "../../bot/delivery";
import { DEFAULT_TENANT_ID } from "../fakes/activities";

const APP_ID = "6f1c2d3e-0000-4000-8000-a55e0000c0d";
const SCOPE = "https://api.botframework.sovereign.example";
let h: Harness;
let authority: FakeTokenEndpoint;

beforeAll(async () => {
  authority = await startFakeTokenEndpoint();
  authority.trust();
  // botbuilder keeps a token until 5 minutes before it expires: these are kept for 1 s.
  authority.expiresInSeconds = 301;
  h = await startHarness({
    env: {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: "sovereign-secret",
      MicrosoftAppTenantId: DEFAULT_TENANT_ID,
      BOTFRAMEWORK_LOGIN_URL: `${authority.url}sovereign-tenant`,
      BOTFRAMEWORK_OAUTH_SCOPE: SCOPE,
    },
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await authority?.close();
});

describe("proactive sends in a sovereign cloud", () => {
  it("take their token from the configured login URL, for the configured audience, and send with it", async () => {
    const [p] = await h.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" }, take: 1 });
    const conversationId = `a:conv-sovereign-${p!.id}`;
    await saveConversationReference(
      h.db,
      p!.id,
      {
        channelId: "msteams",
        serviceUrl: h.connector.url,
        conversation: { id: conversationId, conversationType: "personal", isGroup: false, tenantId: "t1", name: "" },
        bot: { id: `28:${APP_ID}`, name: "Assure" },
        user: { id: `29:${p!.aadObjectId}`, aadObjectId: p!.aadObjectId!, name: p!.name },
      },
      "t1",
    );
    await enqueueMessage(h.db, {
      recipientId: p!.id,
      idempotencyKey: "sovereign:1",
      payload: { template: "message", data: { title: "", text: "from the sovereign cloud" } },
    });
    const sender = new OutboxSender(h.service.ctx, undefined, APP_ID);
    await sender.drainOnce(10);
    expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "sovereign:1" } })).status).toBe("sent");
    expect(authority.tokenRequests.map((r) => [r.path, r.form.grant_type, r.form.client_id, r.form.scope])).toEqual([
      ["/sovereign-tenant/oauth2/v2.0/token", "client_credentials", APP_ID, `${SCOPE}/.default`],
    ]);
    const sent = h.connector.activities.filter((a) => a.conversationId === conversationId);
    expect(sent.map((a) => a.authorization)).toEqual([`Bearer ${authority.issued[0]}`]);
  });
});

describe("the bot's token", () => {
  it("is fetched with the client and renewed by a timer, so no request waits for the authority after its slot", async () => {
    // A distant authority (300 ms) whose tokens are kept for 1 s: a request that found its token
    // stale would be written 300 ms after its slot.
    authority.delayMs = 300;
    await new Promise((r) => setTimeout(r, 1_100)); // the first test's token is stale now
    const staff = await h.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" }, take: 2 });
    for (const [i, p] of staff.entries()) {
      await saveConversationReference(
        h.db,
        p.id,
        {
          channelId: "msteams",
          serviceUrl: h.connector.url,
          conversation: { id: `a:conv-token-${p.id}`, conversationType: "personal", isGroup: false, tenantId: "t1", name: "" },
          bot: { id: `28:${APP_ID}`, name: "Assure" },
          user: { id: `29:${p.aadObjectId}`, aadObjectId: p.aadObjectId!, name: p.name },
        },
        "t1",
      );
      await enqueueMessage(h.db, {
        recipientId: p.id,
        idempotencyKey: `token:${i}`,
        payload: { template: "message", data: { title: "", text: `message ${i}` } },
      });
    }
    const sender = new OutboxSender(h.service.ctx, undefined, APP_ID, { tokenRefreshMs: 400 });
    try {
      await sender.drainOnce(1);
      const fetched = authority.tokenRequests.length;
      await new Promise((r) => setTimeout(r, 1_500)); // renewed meanwhile, each renewal taking 300 ms
      expect(authority.tokenRequests.length).toBeGreaterThanOrEqual(fetched + 2);
      const issuedBefore = [...authority.issued];
      await sender.drainOnce(1);
      const sent = h.connector.activities.filter((a) => a.conversationId.startsWith("a:conv-token-"));
      expect(sent).toHaveLength(2);
      expect(sender.stats.slotLateMaxMs).toBeLessThan(100);
      // The second message carries a token the timer fetched, not one its own request waited for.
      expect(issuedBefore).toContain(sent[1]!.authorization!.replace("Bearer ", ""));
    } finally {
      await sender.stop();
      authority.delayMs = 0;
    }
  });
});
