// The local chat page (no Microsoft 365 tenant): real activities to /api/messages, replies through
// the in-process connector endpoint, read back the way the page reads them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, type Harness } from "../support/harness";
import { messageActivity, postToBot } from "../fakes/activities";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { DEV_CHAT: "true" } });
});
afterAll(async () => {
  await h?.close();
});

describe("local chat page", () => {
  it("serves the page, the renderer and the staff to chat as", async () => {
    const page = await fetch(`${h.service.url}/dev/chat`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Chat as");
    const js = await fetch(`${h.service.url}/dev/adaptivecards.js`);
    expect((await js.text()).length).toBeGreaterThan(100_000);
    const staff = (await (await fetch(`${h.service.url}/dev/staff`)).json()) as { name: string }[];
    expect(staff.length).toBe(60);
  });

  it("a message typed on the page gets the bot's card back through the dev connector", async () => {
    const [me] = (await (await fetch(`${h.service.url}/dev/staff`)).json()) as { aadObjectId: string; name: string }[];
    const conversationId = `dev:29:${me!.aadObjectId}`;
    const res = await postToBot(
      h.endpoint,
      messageActivity({
        from: { aadObjectId: me!.aadObjectId, name: me!.name },
        serviceUrl: `${h.service.url}/dev/connector/`,
        conversationId,
        text: "help",
      }),
    );
    expect(res.status).toBe(200);
    const msgs = (await (await fetch(`${h.service.url}/dev/messages?conversation=${encodeURIComponent(conversationId)}`)).json()) as {
      activity: { attachments: { content: unknown }[] };
    }[];
    expect(msgs).toHaveLength(1);
    expect(cardText(msgs[0]!.activity.attachments[0]!.content)).toContain(me!.name);
  });

  it("is not mounted when authentication is on", async () => {
    const other = await startHarness({
      env: { DEV_CHAT: "true", MicrosoftAppId: "00000000-0000-4000-8000-000000000001", MicrosoftAppPassword: "x" },
    });
    try {
      expect((await fetch(`${other.service.url}/dev/chat`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
