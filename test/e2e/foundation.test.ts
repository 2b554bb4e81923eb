// The foundation, end to end: real activities posted to /api/messages, replies read from the fake
// Bot Connector, state read from the real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, cardActions, type Harness } from "../support/harness";
import { messageActivity, postToBot } from "../fakes/activities";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("foundation", () => {
  it("answers /healthz and /readyz", async () => {
    expect((await fetch(`${h.service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.service.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("shows a practitioner a help menu with only what their role can do", async () => {
    const worker = await h.one("PRACTITIONER", "CP");
    const { status, cards } = await h.say(worker, "help");
    expect(status).toBe(200);
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]);
    expect(text).toContain(worker.name);
    expect(text).toContain("Practitioner");
    expect(text).not.toMatch(/allocate/i);
  });

  it("captures the conversation reference when a person first writes", async () => {
    const worker = await h.one("PRACTITIONER", "CIC");
    await h.say(worker, "hi");
    const ref = await h.db.conversationReference.findUnique({ where: { staffId: worker.id } });
    expect(ref?.conversationId).toBe(h.conversationOf(worker));
    expect(ref?.serviceUrl).toBe(h.connector.url);
  });

  it("answers an unknown command with a clear card and stays up", async () => {
    const worker = await h.one("PRACTITIONER", "LC");
    const { status, cards } = await h.say(worker, "make me a sandwich");
    expect(status).toBe(200);
    expect(cardText(cards[0])).toMatch(/not a command I know/);
    expect((await fetch(`${h.service.url}/healthz`)).status).toBe(200);
  });

  it("refuses people who are not in the directory, storing nothing", async () => {
    const before = await h.db.conversationReference.count();
    const res = await postToBot(
      h.endpoint,
      messageActivity({
        from: { aadObjectId: "11111111-2222-4333-8444-555555555555", name: "Stranger" },
        serviceUrl: h.connector.url,
        text: "help",
      }),
    );
    expect(res.status).toBe(200);
    expect(cardText(h.connector.lastCardTo("11111111-2222-4333-8444-555555555555"))).toMatch(/not in Assure's staff directory/);
    expect(await h.db.conversationReference.count()).toBe(before);
  });

  it("answers Action.Execute invokes with a replacement card, and unknown verbs clearly", async () => {
    const worker = await h.one("PRACTITIONER", "AI1");
    const ok = await h.execute(worker, "help.show");
    expect(ok.status).toBe(200);
    expect(ok.invokeStatus).toBe(200);
    expect(ok.text).toContain(worker.name);
    expect(ok.card.type).toBe("AdaptiveCard");
    expect(ok.card.version).toBe("1.5");
    const bad = await h.execute(worker, "no.such.verb", { x: 1 });
    expect(bad.invokeStatus).toBe(200);
    expect(bad.text).toMatch(/not recognised/);
    expect(cardActions(bad.card).map((a) => a.verb)).toContain("help.show");
  });

  it("rejects malformed bodies with 4xx, not 5xx", async () => {
    const notJson = await fetch(h.endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(notJson.status).toBe(400);
    const noType = await fetch(h.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(noType.status).toBe(400);
  });
});
