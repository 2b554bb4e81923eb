// Malformed and hostile input posted to /api/messages: no crash, no 5xx, a clear answer (an error
// card or a 4xx) and the database unchanged except for what is valid (a known user's conversation
// reference). The corpus grows with the router: every verb is tried with hostile and forged data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRouter } from "../../bot/routes";
import { cardText, startHarness, type Harness, type StaffRef } from "../support/harness";
import { buildCorpus, type CorpusCase } from "./corpus";
import { snapshot } from "./support";

describe("hostile input corpus", () => {
  let h: Harness;
  let user: StaffRef;
  let other: StaffRef;
  let corpus: CorpusCase[];
  const results: { name: string; status: number; answered: string }[] = [];

  beforeAll(async () => {
    h = await startHarness();
    user = await h.one("PRACTITIONER", "AI2");
    other = await h.one("PRACTITIONER", "LC");
    corpus = buildCorpus({
      serviceUrl: h.connector.url,
      user: h.from(user),
      other: { id: other.id, aadObjectId: other.aadObjectId! },
      verbs: buildRouter().verbs(),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("has at least 200 cases", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
  });

  it("answers every case without a 5xx or a crash, with a 4xx or a card, and changes nothing", async () => {
    const before = await snapshot(h.db);
    const failures: string[] = [];
    for (const c of corpus) {
      const sentBefore = h.connector.activities.length;
      let status: number;
      let body: string;
      try {
        const res = await fetch(h.endpoint, {
          method: c.method ?? "POST",
          headers: {
            ...(c.contentType === "" ? {} : { "Content-Type": c.contentType ?? "application/json" }),
            ...c.headers,
          },
          body: (c.method ?? "POST") === "GET" ? undefined : c.body,
        });
        status = res.status;
        body = await res.text();
      } catch (err) {
        failures.push(`${c.name}: request failed (${(err as Error).message})`);
        continue;
      }
      const health = await fetch(`${h.service.url}/healthz`);
      if (health.status !== 200) failures.push(`${c.name}: service unhealthy afterwards`);
      const sent = h.connector.activities.slice(sentBefore);
      let answered = "";
      if (status >= 400 && status < 500) answered = "4xx";
      else if (status === 200 && /"type":"AdaptiveCard"/.test(body)) answered = "invoke card";
      else if (status === 200 && sent.some((a) => a.body?.attachments?.length || a.body?.text)) answered = "message";
      else if (status === 200 || status === 202) answered = "nothing";
      results.push({ name: c.name, status, answered });
      if (status >= 500) failures.push(`${c.name}: ${status} ${body.slice(0, 200)}`);
      else if (c.expect === "4xx" && answered !== "4xx") failures.push(`${c.name}: expected a 4xx, got ${status} (${answered})`);
      else if (c.expect === "413" && status !== 413) failures.push(`${c.name}: expected 413, got ${status}`);
      else if (c.expect === "card" && !["invoke card", "message"].includes(answered))
        failures.push(`${c.name}: expected a card, got ${status} (${answered})`);
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted, "Object.prototype polluted").toBeUndefined();
    const after = await snapshot(h.db);
    // Valid effect: the user (a known staff member) became reachable. Nothing else may change.
    expect(after.history).toEqual(before.history);
    expect(after.outbox).toEqual(before.outbox);
    expect(after.staff).toEqual(before.staff);
    expect({ ...(after.counts as object), ConversationReference: 0 }).toEqual({ ...(before.counts as object), ConversationReference: 0 });
    const refs = await h.db.conversationReference.findMany({ select: { staffId: true } });
    expect(refs.map((r) => r.staffId)).toEqual([user.id]);
    const fivexx = results.filter((r) => r.status >= 500).length;
    console.log(JSON.stringify({ corpus: corpus.length, fiveXX: fivexx, byAnswer: countBy(results.map((r) => r.answered)) }));
  }, 300_000);

  it("shows the user why a too-long typed message was not understood, without echoing all of it", async () => {
    const said = await h.say(user, `please ${"a".repeat(5000)}`);
    const text = said.cards.map(cardText).join("\n");
    expect(text).toContain("is not a command I know");
    expect(text.length).toBeLessThan(1000);
  });

  it("refuses a body over 256 KB with 413 and a readable reason", async () => {
    const res = await fetch(h.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "message", text: "x".repeat(300_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/too large/i);
  });
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
