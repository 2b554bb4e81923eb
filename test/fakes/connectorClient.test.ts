/**
 * Proves the fake connector speaks the protocol of botbuilder's real ConnectorClient.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorClient, MicrosoftAppCredentials } from "botframework-connector";
import {
  ActivityHandler,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from "botbuilder";
import express from "express";
import { startFakeConnector, type FakeConnector } from "./botConnector";
import { invokeActionExecute, messageActivity, postToBot } from "./activities";

describe("fake connector with the real botframework ConnectorClient", () => {
  let fake: FakeConnector;
  beforeAll(async () => {
    fake = await startFakeConnector({
      members: [{ id: "29:user-1", aadObjectId: "aad-user-1", name: "Ada", tenantId: "t1" }],
    });
  });
  afterAll(async () => fake.close());

  it("creates a conversation, sends a card, updates it, reads members", async () => {
    const client = new ConnectorClient(new MicrosoftAppCredentials("", ""), { baseUri: fake.url });

    const conv = await client.conversations.createConversation({
      isGroup: false,
      bot: { id: "28:assure-bot", name: "Assure" },
      members: [{ id: "29:user-1", name: "Ada" }],
      tenantId: "t1",
      channelData: { tenant: { id: "t1" } },
      activity: undefined as never,
      topicName: undefined as never,
    });
    expect(conv.id).toBe("a:conv-29:user-1");

    const card = { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "Audit due" }] };
    const sent = await client.conversations.sendToConversation(conv.id, {
      type: "message",
      recipient: { id: "29:user-1", name: "Ada" },
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card }],
    } as never);
    expect(sent.id).toBeTruthy();

    const updated = { ...card, body: [{ type: "TextBlock", text: "Audit done" }] };
    await client.conversations.updateActivity(conv.id, sent.id, {
      type: "message",
      id: sent.id,
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: updated }],
    } as never);

    await client.conversations.replyToActivity(conv.id, sent.id, { type: "message", text: "thanks" } as never);
    await client.conversations.sendToConversation(conv.id, { type: "typing" } as never);

    const members = await client.conversations.getConversationMembers(conv.id);
    expect(members[0]?.id).toBe("29:user-1");
    const member = await client.conversations.getConversationMember(conv.id, "aad-user-1");
    expect(member.name).toBe("Ada");

    // The client URL-encodes ':' in the conversation id; the fake decodes it.
    expect(fake.requests.some((r) => r.path.includes("a%3Aconv-29%3Auser-1"))).toBe(true);
    expect(fake.activities.map((a) => a.kind)).toEqual(["send", "update", "reply", "send"]);
    expect(fake.sentTo("aad-user-1")).toHaveLength(3);
    expect(fake.lastCardTo("aad-user-1")).toEqual(updated);
    expect(fake.messageState(conv.id, sent.id)?.body.attachments?.[0]?.content).toEqual(updated);

    // Update of an unknown activity is a 404 surfaced as an error by the client.
    await expect(client.conversations.updateActivity(conv.id, "does-not-exist", { type: "message" } as never)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("surfaces 429 with Retry-After when the client pipeline retry policy is removed", async () => {
    const client = new ConnectorClient(new MicrosoftAppCredentials("", ""), { baseUri: fake.url });
    // botbuilder's ServiceClientContext ignores retryOptions; the only way off is removing the policy.
    (client as unknown as { client: { pipeline: { removePolicy(p: { name: string }): unknown } } }).client.pipeline.removePolicy({
      name: "defaultRetryPolicy",
    });
    fake.injectFaults({ status: 429, count: 1, retryAfterSeconds: 2 });
    const err = (await client.conversations
      .sendToConversation("a:conv-29:user-1", { type: "message", text: "x" } as never)
      .catch((e: unknown) => e)) as { statusCode?: number; response?: { headers?: { get(n: string): string | undefined } } };
    expect(err.statusCode).toBe(429);
    expect(err.response?.headers?.get("retry-after")).toBe("2");
  });

  it("NOTE: the default ConnectorClient pipeline retries 429 by itself, honouring Retry-After", async () => {
    const client = new ConnectorClient(new MicrosoftAppCredentials("", ""), { baseUri: fake.url });
    fake.injectFaults({ status: 429, count: 1, retryAfterSeconds: 1 });
    const before = fake.requests.length;
    const t0 = Date.now();
    const res = await client.conversations.sendToConversation("a:conv-29:user-1", { type: "message", text: "y" } as never);
    expect(res.id).toBeTruthy();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(fake.requests.slice(before).map((r) => r.status)).toEqual([429, 201]);
  });
});

describe("fake connector behind a real CloudAdapter (no auth)", () => {
  it("a bot turn driven by builder activities replies through the fake", async () => {
    const fake = await startFakeConnector();
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    class Bot extends ActivityHandler {
      protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
        const v = ctx.activity.value as { action: { verb: string } };
        return {
          status: 200,
          body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: `did ${v.action.verb}` },
        };
      }
    }
    const bot = new Bot();
    bot.onMessage(async (ctx, next) => {
      await ctx.sendActivity({
        attachments: [
          CardFactory.adaptiveCard({
            type: "AdaptiveCard",
            version: "1.5",
            body: [{ type: "TextBlock", text: `echo ${ctx.activity.text}` }],
          }),
        ],
      });
      await next();
    });
    const app = express();
    app.use(express.json());
    app.post("/api/messages", (req, res) => {
      void adapter.process(req, res, (ctx) => bot.run(ctx));
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    const port = (server.address() as { port: number }).port;
    const botUrl = `http://127.0.0.1:${port}/api/messages`;
    try {
      const from = { aadObjectId: "aad-9", name: "Nina" };
      const r = await postToBot(botUrl, messageActivity({ text: "hi", from, serviceUrl: fake.url }));
      expect(r.status).toBe(200);
      const a = await fake.waitFor((x) => x.conversationId === "a:conv-29:aad-9", 2000);
      expect(a.body?.recipient?.aadObjectId).toBe("aad-9");
      expect(fake.lastCardTo("aad-9")).toMatchObject({ body: [{ text: "echo hi" }] });
      const inv = await postToBot(botUrl, invokeActionExecute({ verb: "approve", from, serviceUrl: fake.url, replyToId: a.activityId }));
      expect(inv).toEqual({
        status: 200,
        body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: "did approve" },
      });
    } finally {
      server.close();
      await fake.close();
    }
  });
});
