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
