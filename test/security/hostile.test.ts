// Malformed and hostile input posted to /api/messages: no crash, no 5xx, a clear answer (an error
// card or a 4xx) and the database unchanged except for what is valid (a known user's conversation
// reference). The corpus grows with the router: every verb is tried with hostile and forged data.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRouter } from "../../bot/routes";
import { listTemplates, renderCard } from "../../cards/render";
import { samplesDir } from "../../cards/validate";
import { ManualClock } from "../../services/clock";
import { cardText, startHarness, versionOf, type Harness, type StaffRef } from "../support/harness";
import { auditPageAnswers } from "../support/auditPages";
import { submitReview } from "../support/auditFixture";
import { pageIds } from "../../services/audit/form";
import { unescapeMarkdown as shownAs } from "../../cards/markdown";
import { buildCorpus, markdownCorpus, markupIn, type CorpusCase } from "./corpus";
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

/** A template's first sample card data (cards/samples). */
const sampleOf = (name: string): Record<string, unknown> => {
  const raw = JSON.parse(readFileSync(path.join(samplesDir, `${name}.json`), "utf8")) as unknown;
  return (Array.isArray(raw) ? raw[0] : raw) as Record<string, unknown>;
};

/** A dropdown (compact, the default, or filtered; one choice or several): Teams shows its titles literally, never as markdown. */
const isDropdown = (o: Record<string, unknown>) =>
  o.type === "Input.ChoiceSet" && (o.style === undefined || o.style === "compact" || o.style === "filtered");

/** The texts of a card that Teams renders as markdown: TextBlock, facts, checkbox and radio labels. */
function markdownTexts(card: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    if (o.type === "TextBlock" && typeof o.text === "string") out.push(o.text);
    if (o.type === "Input.Toggle" && typeof o.title === "string") out.push(o.title);
    const shown = o.type === "FactSet" ? { list: o.facts, keys: ["title", "value"] } : { list: o.choices, keys: ["title"] };
    if ((o.type === "FactSet" || (o.type === "Input.ChoiceSet" && !isDropdown(o))) && Array.isArray(shown.list))
      for (const i of shown.list as Record<string, unknown>[]) for (const k of shown.keys) if (typeof i?.[k] === "string") out.push(i[k]);
    for (const [k, v] of Object.entries(o)) if (k !== "fallback" && typeof v === "object") walk(v);
  };
  walk(card);
  return out;
}

/** Markup from the corpus left in these cards, and corpus items no card shows literally. */
function injected(cards: unknown[]): { markup: string[]; notShown: string[] } {
  const texts = cards.flatMap(markdownTexts).filter((t) => shownAs(t).includes("INJ"));
  const markup = texts.flatMap((t) => markupIn(t).map((m) => `${m} in ${JSON.stringify(t.slice(0, 120))}`));
  const shown = texts.map(shownAs).join("\n");
  return { markup, notShown: markdownCorpus.filter((m) => !shown.includes(m)) };
}

describe("text one person types is never markup in a card another person sees", () => {
  const typed = markdownCorpus.join("\n");

  it("every template shows data as text: each sample with every string replaced by the corpus", () => {
    const problems: string[] = [];
    for (const name of listTemplates()) {
      const file = path.join(samplesDir, `${name}.json`);
      const raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
      for (const sample of Array.isArray(raw) ? raw : [raw]) {
        const hostile = JSON.parse(JSON.stringify(sample), (_k, v: unknown) => (typeof v === "string" ? typed : v)) as Record<
          string,
          unknown
        >;
        const { markup } = injected([renderCard(name, hostile)]);
        problems.push(...markup.map((m) => `${name}: ${m}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("a dropdown shows its choices as typed, and no choice's value is altered (radio labels stay escaped)", () => {
    // Allocate's theme dropdown: a theme with "&" read "Safeguarding \\& risk"; a choice's value is what is submitted.
    const choice = { title: "Safeguarding & risk *INJ* _x_", value: "team_a&b*c" };
    const dropdownCard = JSON.stringify(renderCard("audit-allocate", { ...sampleOf("audit-allocate"), themes: [choice] } as never));
    expect(dropdownCard).toContain(JSON.stringify(choice.title));
    expect(dropdownCard).not.toContain("\\\\&");
    const choicesOf = (card: unknown): Record<string, unknown>[] => {
      const out: Record<string, unknown>[] = [];
      const walk = (n: unknown): void => {
        if (Array.isArray(n)) return n.forEach(walk);
        if (!n || typeof n !== "object") return;
        const o = n as Record<string, unknown>;
        if (o.type === "Input.ChoiceSet" && Array.isArray(o.choices)) out.push(o);
        Object.values(o).forEach(walk);
      };
      walk(card);
      return out;
    };
    // Every template, its bound choices replaced by the hostile choice: values submitted as they were.
    for (const name of listTemplates()) {
      const file = path.join(samplesDir, `${name}.json`);
      const raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
      for (const sample of Array.isArray(raw) ? raw : [raw]) {
        const hostile = JSON.parse(JSON.stringify(sample), (_k, v: unknown) =>
          Array.isArray(v) && v.length && v.every((x) => x && typeof x === "object" && "title" in x && "value" in x) ? [choice] : v,
        ) as Record<string, unknown>;
        for (const set of choicesOf(renderCard(name, hostile)))
          for (const c of set.choices as { value?: string; title?: string }[]) {
            if (c.value === undefined || !c.value.includes("team_a")) continue;
            expect(c.value, `${name}: a choice's value`).toBe(choice.value);
            if (isDropdown(set)) expect(c.title, `${name}: a dropdown's title`).toBe(choice.title);
            else expect(shownAs(c.title ?? ""), `${name}: a radio or checkbox label`).toBe(choice.title);
          }
      }
    }
  });

  describe("through /api/messages, to the people the cards are delivered to", () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ clock: new ManualClock("2026-12-01T09:00:00Z") });
    });
    afterAll(async () => {
      await h?.close();
    });
    /** Every card the connector delivered to anyone but `author`. */
    const cardsNotTo = (author: StaffRef) =>
      h.connector.activities
        .filter((a) => a.conversationId !== h.conversationOf(author))
        .flatMap((a) => (a.body?.attachments ?? []).map((x) => x.content));

    it("an escalation's concern and informal attempt, on the stage owners' cards", async () => {
      const iro = await h.one("IRO");
      const c = await h.db.case.findFirstOrThrow({ where: { worker: { roles: { has: "PRACTITIONER" } } }, orderBy: { caseRef: "asc" } });
      const r = await h.execute(iro, "escalation.raise", { caseRef: c.caseRef, type: "iro-cla", concern: typed, informal: typed });
      expect(r.text).toMatch(/Stage 1 of 4/);
      const esc = await h.db.escalation.findFirstOrThrow({ where: { raiserId: iro.id } });
      for (const id of esc.stageOwnerIds) await h.install((await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef);
      await h.drainOutbox();
      const delivered = cardsNotTo(iro);
      expect(delivered.length).toBeGreaterThan(0);
      expect(injected(delivered)).toEqual({ markup: [], notShown: [] });
    });

    it("an audit's evidence and action text, on the practitioner's action card and the manager's read-only view", async () => {
      const auditor = await h.one("DEPUTY_TEAM_MANAGER", "CIN");
      const c = await h.db.case.findFirstOrThrow({
        where: { teamId: "CP", worker: { roles: { has: "PRACTITIONER" } } },
        include: { worker: true },
      });
      const cycle = await h.db.auditCycle.create({
        data: { month: "2026-12", theme: "markup", target: 1, seed: "markup", gradeScaleId: h.service.ctx.config.GRADE_SCALE },
      });
      const audit = await h.db.audit.create({
        data: {
          cycleId: cycle.id,
          caseId: c.id,
          auditorId: auditor.id,
          practitionerId: c.workerId!,
          managerId: c.worker!.lineManagerId,
          teamId: c.teamId,
          status: "accepted",
          dueDate: new Date("2027-01-31"),
          gradeScaleId: h.service.ctx.config.GRADE_SCALE,
        },
      });
      const practitioner = (await h.db.staff.findUniqueOrThrow({ where: { id: c.workerId! } })) as StaffRef;
      const manager = (await h.db.staff.findUniqueOrThrow({ where: { id: c.worker!.lineManagerId! } })) as StaffRef;
      await h.install(practitioner);
      const answers = {
        evidence: markdownCorpus.slice(0, 4).join("\n"),
        grade: "4",
        actions: [{ what: typed, who: practitioner.id, when: "2026-12-11", immediate: true }],
      };
      let card = (await h.execute(auditor, "audit.open", { auditId: audit.id })).card;
      for (const page of pageIds()) {
        if (page === "review") break;
        const data = { auditId: audit.id, page, version: versionOf(card), nav: "next", ...auditPageAnswers(card, page, answers) };
        card = (await h.execute(auditor, "audit.page.save", data)).card;
      }
      const submitted = await submitReview(h, auditor, card);
      expect(submitted.text).toMatch(/Audit submitted/);
      await h.drainOutbox();
      const view = (await h.execute(manager, "audit.view", { auditId: audit.id })).card;
      const delivered = [...cardsNotTo(auditor), view];
      expect(cardText(delivered)).toContain("INJ1");
      expect(injected(delivered)).toEqual({ markup: [], notShown: [] });
    });
  });
});

describe("input the server cannot or should not take: bounded, refused clearly, no server paths", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock: new ManualClock("2026-12-01T09:00:00Z") });
    await h.db.auditCycle.create({
      data: { month: "2026-11", theme: "", target: 1, seed: "files", gradeScaleId: h.service.ctx.config.GRADE_SCALE },
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  const written = (needle: string) => (existsSync("reports-out") ? readdirSync("reports-out").filter((f) => f.includes(needle)) : []);

  it("report.files writes only for the month and theme of an audit cycle, and names the files without their path", async () => {
    const hos = await h.one("HEAD_OF_SERVICE");
    for (const [month, theme] of [
      ["2026-11", "Bounded check 1"],
      ["2026-11", "Bounded check 2"],
      ["2031-07", undefined],
    ]) {
      const r = await h.execute(hos, "report.files", { month, theme });
      expect(r.text).toMatch(/no audit cycle/i);
    }
    expect(written("bounded-check")).toEqual([]);
    expect(written("2031-07")).toEqual([]);
    const ok = await h.execute(hos, "report.files", { month: "2026-11" });
    expect(ok.text).toContain("Workbook: audit-at-a-glance-2026-11.xlsx");
    expect(ok.text).not.toContain("reports-out");
    expect(ok.text).not.toMatch(/[\\/]\S+\.(xlsx|csv)/);
  });

  // Text and dates the database or the date code cannot take: refused with a clear message.

  it("a NUL byte in an escalation's concern: the form says what is wrong, nothing is stored", async () => {
    const iro = await h.one("IRO");
    const c = await h.db.case.findFirstOrThrow({ orderBy: { caseRef: "asc" } });
    const before = await snapshot(h.db);
    const r = await h.execute(iro, "escalation.raise", {
      caseRef: c.caseRef,
      type: "iro-cla",
      concern: "Plan\u0000 late",
      informal: "Asked",
    });
    expect(r.text).toContain("What is the concern?: Text cannot contain control characters (such as NUL)");
    expect(r.text).not.toMatch(/Something went wrong/i);
    expect((await snapshot(h.db)).history).toEqual(before.history);
    expect(await h.db.escalation.count()).toBe(0);
  });

  it.each([
    ["closesOn", "9999-12-31"],
    ["closesOn", "2026-02-30"],
    ["opensOn", "0000-01-01"],
  ])("survey.open with %s %s: a clear message naming the question, no campaign", async (field, day) => {
    const qa = await h.one("QA_TEAM");
    const data = { templateId: "health-check", audience: "all", opensOn: "2026-12-01", closesOn: "2026-12-14", [field]: day };
    const r = await h.execute(qa, "survey.open", data);
    const question = field === "opensOn" ? "Opens on" : "Closes at the end of";
    expect(r.text).toContain(`${question}: Enter a date (YYYY-MM-DD) between 2000 and 2099.`);
    expect(r.text).not.toContain(field);
    expect(r.text).not.toMatch(/Something went wrong/i);
    expect(await h.db.surveyCampaign.count()).toBe(0);
  });
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
