// The local chat page (no Microsoft 365 tenant): real activities to /api/messages, replies through
// the in-process connector endpoint, read back the way the page reads them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, cardActions, type Harness, type StaffRef } from "../support/harness";
import { useHarness } from "../support/hooks";
import { DEFAULT_TENANT_ID, messageActivity, postToBot } from "../fakes/activities";
import { ManualClock } from "../../services/clock";

const h = useHarness({ env: { DEV_CHAT: "true" } });

type DevStaff = { aadObjectId: string; name: string };
/** The first person the page offers to chat as, and their conversation on the page. */
async function firstDevStaff() {
  const [me] = (await (await fetch(`${h.service.url}/dev/staff`)).json()) as DevStaff[];
  return { me: me!, conversationId: `dev:29:${me!.aadObjectId}` };
}
/** Types `text` on the page as `me`: the activity the page posts, with the dev connector to reply through. */
const typeOnPage = (me: DevStaff, conversationId: string, text: string) =>
  postToBot(
    h.endpoint,
    messageActivity({
      from: { aadObjectId: me.aadObjectId, name: me.name },
      serviceUrl: `${h.service.url}/dev/connector/`,
      conversationId,
      text,
    }),
  );

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
    const { me, conversationId } = await firstDevStaff();
    const res = await typeOnPage(me, conversationId, "help");
    expect(res.status).toBe(200);
    const msgs = (await (await fetch(`${h.service.url}/dev/messages?conversation=${encodeURIComponent(conversationId)}`)).json()) as {
      activity: { attachments: { content: unknown }[] };
    }[];
    expect(msgs).toHaveLength(1);
    expect(cardText(msgs[0]!.activity.attachments[0]!.content)).toContain(me.name);
  });

  it("is not mounted when authentication is on", async () => {
    const other = await startHarness({
      env: {
        DEV_CHAT: "true",
        MicrosoftAppId: "00000000-0000-4000-8000-000000000001",
        MicrosoftAppPassword: "x",
        MicrosoftAppTenantId: DEFAULT_TENANT_ID,
      },
    });
    try {
      expect((await fetch(`${other.service.url}/dev/chat`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe("local chat page: replies pushed", () => {
  it("pushes the bot's reply to the page as it arrives (server-sent events), with no polling delay", async () => {
    const { me, conversationId } = await firstDevStaff();
    const abort = new AbortController();
    const stream = await fetch(`${h.service.url}/dev/events?conversation=${encodeURIComponent(conversationId)}`, { signal: abort.signal });
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = stream.body!.getReader();
    const t0 = Date.now();
    // Everything already in the conversation comes first; the new reply is the last event.
    const before = (await (
      await fetch(`${h.service.url}/dev/messages?conversation=${encodeURIComponent(conversationId)}`)
    ).json()) as unknown[];
    await typeOnPage(me, conversationId, "my audits");
    let text = "";
    while ((text.match(/^data: /gm) ?? []).length < before.length + 1) text += new TextDecoder().decode((await reader.read()).value);
    const ms = Date.now() - t0;
    abort.abort();
    const last = JSON.parse(
      text
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .at(-1)!
        .slice(6),
    ) as {
      activity: { attachments: { content: unknown }[] };
    };
    expect(cardText(last.activity.attachments[0]!.content)).toMatch(/My audits/);
    expect(ms).toBeLessThan(1000);
  });
});

describe("quiet hours on a local development run", () => {
  // Friday 4 December 2026, 19:30 in London: after QUIET_HOURS_START (18:30), so proactive cards wait
  // for the next working morning, Monday 7 December 08:00.
  const clock = new ManualClock("2026-12-04T19:30:00Z");
  let dev: Harness;
  let qa: StaffRef;
  const held = async () =>
    (await (await fetch(`${dev.service.url}/dev/held`)).json()) as { count: number; until: string | null; canDeliverNow: boolean };
  beforeAll(async () => {
    dev = await startHarness({ clock, env: { DEV_CHAT: "true", NODE_ENV: "development" } });
    qa = (await dev.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
  });
  afterAll(async () => {
    await dev?.close();
  });

  it("says on the allocation summary that the cards are held and until when, and offers to deliver them now", async () => {
    const res = await dev.execute(qa, "audit.allocate.run", { month: "2027-02", theme: "none", target: "3", seed: "evening" });
    expect(res.text).toMatch(/Allocated: 2027-02/);
    expect(res.text).toMatch(/held until Mon 7 Dec, 08:00/);
    expect(res.text).not.toMatch(/Each auditor has an allocation card/);
    expect(cardActions(res.card).map((a) => a.verb)).toContain("outbox.deliverNow");
    expect(await held()).toEqual({ count: expect.any(Number), until: "Mon 7 Dec, 08:00", canDeliverNow: true });
    expect((await held()).count).toBeGreaterThanOrEqual(9); // per audit: allocation card, two notices, self-assessment
  });

  it("lists 'deliver now' in help, and 'deliver now' sends the held cards at once", async () => {
    const help = await dev.say(qa, "help");
    expect(cardText(help.cards[0])).toMatch(/deliver now/);
    const audit = (await dev.db.audit.findMany({ where: { cycle: { month: "2027-02" } } }))[0]!;
    const auditor = (await dev.db.staff.findUniqueOrThrow({ where: { id: audit.auditorId } })) as StaffRef;
    await dev.install(auditor);
    await dev.drainOutbox();
    const allocationCard = () =>
      dev.connector.cardsTo(dev.conversationOf(auditor)).filter((c) => /Case audit allocated to you/.test(cardText(c)));
    expect(allocationCard()).toHaveLength(0);

    const reply = await dev.say(qa, "deliver now");
    expect(cardText(reply.cards[0])).toMatch(/held cards? will be delivered/);
    expect((await held()).count).toBe(0);
    await dev.drainOutbox();
    expect(allocationCard().length).toBeGreaterThanOrEqual(1);
  });
});

describe("quiet hours outside development", () => {
  it("neither lists nor runs 'deliver now'", async () => {
    const qa = (await h.staffWithRole("QA_TEAM"))[0]!;
    expect(cardText((await h.say(qa, "help")).cards[0])).not.toMatch(/deliver now/);
    const res = await h.execute(qa, "outbox.deliverNow", {});
    expect(res.text).toMatch(/Quiet hours always apply/);
  });
});
