// Fault: the service process killed (SIGKILL) while an auditor's multi-page audit saves are in
// flight. The real service runs in a child process against the per-file test database; the fake
// Bot Connector runs here. After a new process starts on the same database: every page save that
// was answered "Draft saved" is there, each page is all or nothing, the audit resumes with the
// saved values, and submitting afterwards records once and sends each card once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/testDb";
import { spawnWorker, type Worker } from "../support/spawnWorker";
import { startFakeConnector, type FakeConnector } from "../fakes/botConnector";
import { installationUpdate, invokeActionExecute, personalConversationId, postToBot } from "../fakes/activities";
import { createAcceptedAudit, submitReview } from "../support/auditFixture";
import { cardText, inputOf, versionOf, pageOf, type StaffRef } from "../support/harness";
import { createPrisma, type Db } from "../../services/db";
import { loadAuditTool } from "../../services/catalogue";
import { AREAS_PER_PAGE, pageIds } from "../../services/audit/form";

type Card = Record<string, unknown>;
const CLOCK = "2026-12-01T10:00:00Z"; // a Tuesday, in working hours: nothing waits for quiet hours
const tool = loadAuditTool();
const areaPages = pageIds().filter((p) => p.startsWith("areas-"));
const areasOn = (page: string) => tool.areas.slice((Number(page.slice(6)) - 1) * AREAS_PER_PAGE, Number(page.slice(6)) * AREAS_PER_PAGE);

let database: TestDatabase;
let db: Db;
let connector: FakeConnector;
let auditor: StaffRef;
const children: Worker[] = [];

async function startChild(sender: boolean): Promise<{ worker: Worker; url: string }> {
  const worker = await spawnWorker({ DATABASE_URL: database.url, CLOCK, SENDER: sender ? "1" : "0" }, 60_000, "serviceWorker.ts");
  children.push(worker);
  const url = /ready (\S+)/.exec(worker.output())![1]!;
  return { worker, url };
}

const from = (s: StaffRef) => ({ aadObjectId: s.aadObjectId!, name: s.name });
async function execute(url: string, s: StaffRef, verb: string, data: Record<string, unknown>) {
  const res = await postToBot(`${url}/api/messages`, invokeActionExecute({ from: from(s), serviceUrl: connector.url, verb, data }));
  const card = ((res.body as { value?: Card } | undefined)?.value ?? {}) as Card;
  return { status: res.status, card, text: cardText(card) };
}

/** The values of save number k of an areas page: every area on the page tagged with k. */
function areaValues(page: string, k: number): Record<string, string> {
  const data: Record<string, string> = {};
  for (const a of areasOn(page)) {
    data[`a${a.number}_score`] = String((k % 10) + 1);
    data[`a${a.number}_evidence`] = `save ${k} uploaded 01/11/26`;
  }
  return data;
}
const errorCode = (e: unknown): string => {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(e);
};
const tagOf = (evidence: string | null) => (evidence ? Number(/save (\d+)/.exec(evidence)![1]) : null);

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrisma(database.url, 4);
  connector = await startFakeConnector({ rateLimits: false });
  auditor = (await db.staff.findFirstOrThrow({
    where: { roles: { has: "DEPUTY_TEAM_MANAGER" }, teamId: "CIN" },
    orderBy: { email: "asc" },
  }))!;
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
  await Promise.all(children.map((c) => c.exited));
  await db?.$disconnect();
  await connector?.close();
  await database?.drop();
});

describe("service process killed during multi-page audits", () => {
  it("no answered page save is lost, each page is all or nothing, audits resume, and submitting afterwards records and sends once", async () => {
    const cycle = await db.auditCycle.create({
      data: { month: "2026-12", theme: "kill", target: 30, seed: "kill", gradeScaleId: "collaborative-0-6" },
    });
    const cases = await db.case.findMany({
      where: { teamId: "CP", worker: { roles: { has: "PRACTITIONER" } } },
      include: { worker: true },
      orderBy: { caseRef: "asc" },
      take: 3,
    });
    const audits = await Promise.all(
      cases.map((c) => createAcceptedAudit(db, { cycleId: cycle.id, auditorId: auditor.id, gradeScaleId: "collaborative-0-6" }, c)),
    );

    // First process: the auditor saves pages of three audits at once, each page save double-clicked
    // (two identical requests: one must win, the other is refused as a conflict), without pause.
    const a = await startChild(false);
    for (const s of [auditor, ...cases.map((c) => c.worker! as StaffRef)])
      expect((await postToBot(`${a.url}/api/messages`, installationUpdate({ from: from(s), serviceUrl: connector.url }))).status).toBe(200);

    type Ack = { page: string; k: number };
    const acked = new Map<string, Ack[]>(audits.map((x) => [x.id, []]));
    const sent = new Map<string, Ack[]>(audits.map((x) => [x.id, []]));
    const failures: string[] = [];
    let k = 0;
    const drive = async (auditId: string) => {
      let card = (await execute(a.url, auditor, "audit.open", { auditId })).card;
      expect(pageOf(card)).toBe("health");
      card = (
        await execute(a.url, auditor, "audit.page.save", {
          auditId,
          page: "health",
          version: versionOf(card),
          nav: "next",
          "hc_hc-chronology": "Yes",
        })
      ).card;
      let version = versionOf(card);
      for (let i = 0; ; i++) {
        if (i > 500) throw new Error("the killed process still answers");
        const page = areaPages[i % areaPages.length]!;
        const save = { page, k: ++k };
        sent.get(auditId)!.push(save);
        const body = { auditId, page, version, nav: "next", ...areaValues(page, save.k) };
        const results = await Promise.allSettled([
          execute(a.url, auditor, "audit.page.save", body),
          execute(a.url, auditor, "audit.page.save", body),
        ]);
        const ok = results.filter((r) => r.status === "fulfilled" && r.value.status === 200 && r.value.text.includes("Draft saved"));
        for (const r of results) if (r.status === "rejected") failures.push(errorCode(r.reason));
        for (const r of results)
          if (r.status === "fulfilled" && !r.value.text.includes("Draft saved")) expect(r.value.text).toMatch(/saved from another device/);
        expect(ok.length).toBeLessThanOrEqual(1); // a double click saves once
        if (ok.length) acked.get(auditId)!.push(save);
        if (results.some((r) => r.status === "rejected")) return; // this process is gone
        expect(ok).toHaveLength(1);
        version = versionOf((ok[0] as PromiseFulfilledResult<{ card: Card }>).value.card);
      }
    };
    const drivers = audits.map((x) => drive(x.id));
    const started = Date.now();
    while ([...acked.values()].reduce((n, l) => n + l.length, 0) < 12) {
      if (Date.now() - started > 30_000) throw new Error(`no progress:\n${a.worker.output()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    a.worker.child.kill("SIGKILL");
    await Promise.all(drivers);
    await a.worker.exited;
    // The kill really cut off requests in flight (not only refused the ones sent after it).
    expect(failures.filter((c) => c !== "ECONNREFUSED").length, failures.join()).toBeGreaterThan(0);

    // Second process on the same database.
    const b = await startChild(true);
    let committedUnanswered = 0;
    for (const audit of audits) {
      const row = await db.audit.findUniqueOrThrow({ where: { id: audit.id }, include: { answers: true } });
      const ack = acked.get(audit.id)!;
      const snd = sent.get(audit.id)!;
      // health + every answered save; at most one more (committed, but its answer was cut off).
      expect(row.version - 1 - ack.length).toBeGreaterThanOrEqual(0);
      expect(row.version - 1 - ack.length).toBeLessThanOrEqual(1);
      committedUnanswered += row.version - 1 - ack.length;
      expect((row.draft as { health?: Record<string, string> }).health?.["hc_hc-chronology"]).toBe("Yes");
      for (const page of areaPages) {
        const rows = row.answers.filter((x) => areasOn(page).some((ar) => ar.number === x.area));
        const tags = new Set(rows.map((x) => tagOf(x.evidence)));
        const lastAck = ack.filter((s) => s.page === page).at(-1);
        if (rows.length === 0) {
          expect(lastAck).toBeUndefined();
          continue;
        }
        // All or nothing: every area of the page carries the values of one and the same save.
        expect(rows).toHaveLength(areasOn(page).length);
        expect(tags.size).toBe(1);
        const tag = [...tags][0]!;
        for (const x of rows) expect(x.score).toBe((tag! % 10) + 1);
        // Never older than the last answered save of that page; never a save that was not sent.
        if (lastAck) expect(tag).toBeGreaterThanOrEqual(lastAck.k);
        expect(snd.some((s) => s.page === page && s.k === tag)).toBe(true);
        if (row.version - 1 === ack.length && lastAck) expect(tag).toBe(lastAck.k);
      }
      // Resume shows the page the draft points to, with the values in the database.
      const open = await execute(b.url, auditor, "audit.open", { auditId: audit.id });
      expect(open.status).toBe(200);
      expect(versionOf(open.card)).toBe(row.version);
      const page = (row.draft as { page: string }).page;
      expect(pageOf(open.card)).toBe(page);
      for (const x of row.answers.filter((r) => areasOn(page).some((ar) => ar.number === r.area))) {
        expect(inputOf(open.card, `a${x.area}_score`)?.value).toBe(x.score);
        expect(inputOf(open.card, `a${x.area}_evidence`)?.value).toBe(x.evidence);
      }
    }

    console.log(JSON.stringify({ answeredSaves: [...acked.values()].map((l) => l.length), cutOff: failures, committedUnanswered }));

    // Finish and submit each audit on the new process; a repeated (and a concurrent) submit records nothing twice.
    for (const [i, audit] of audits.entries()) {
      const practitioner = cases[i]!.worker!;
      let card = (await execute(b.url, auditor, "audit.open", { auditId: audit.id, page: "health" })).card;
      for (const page of pageIds()) {
        if (page === "review") break;
        card = (await execute(b.url, auditor, "audit.open", { auditId: audit.id, page })).card;
        const data: Record<string, unknown> = { auditId: audit.id, page, version: versionOf(card), nav: "next" };
        if (page === "health") for (const x of tool.caseFileHealthCheck.items) data[`hc_${x.id}`] = "Yes";
        if (page.startsWith("areas-")) Object.assign(data, areaValues(page, 1000 + i));
        if (page === "feedback-child") Object.assign(data, { "child-obtained": "no", "child-not-obtained-why": "no-consent" });
        if (page === "feedback-family")
          Object.assign(data, { "family-obtained": "yes", "fs-listens": "8", "family-going-well": "Worker listens" });
        if (page === "feedback-network") Object.assign(data, { "network-obtained": "no", "network-not-obtained-why": "unreachable" });
        if (page === "outcome")
          Object.assign(data, {
            grade: "4",
            childrenBenefit: "yes",
            childUnsafe: "no",
            overallImpact: "Child is safer at home",
            act1_what: "Update the chronology",
            act1_who: practitioner.id,
            act1_when: "2026-12-11",
            act1_immediate: "true",
            act2_what: "Share the direct work",
            act2_who: practitioner.id,
            act2_when: "2026-12-18",
            act2_immediate: "false",
          });
        const r = await execute(b.url, auditor, "audit.page.save", data);
        expect(r.text, page).toContain("Draft saved");
        card = r.card;
      }
      const bot = { execute: (s: StaffRef, verb: string, data: Record<string, unknown>) => execute(b.url, s, verb, data) };
      const [r1, r2] = await Promise.all([submitReview(bot, auditor, card), submitReview(bot, auditor, card)]);
      expect([r1.text, r2.text].filter((t) => /Audit submitted/.test(t))).toHaveLength(1);
      expect((await submitReview(bot, auditor, card)).text).toMatch(/Already done/);
      expect(await db.action.count({ where: { auditId: audit.id } })).toBe(2);
      expect(await db.history.count({ where: { entityId: audit.id, action: "submitted" } })).toBe(1);
    }

    // The new process's sender delivers everything once: two action cards per audit to its practitioner.
    const waitStart = Date.now();
    while ((await db.outboxMessage.count({ where: { status: "pending" } })) > 0) {
      if (Date.now() - waitStart > 20_000) throw new Error(`outbox not drained:\n${b.worker.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const keys = await db.outboxMessage.findMany({ select: { idempotencyKey: true } });
    expect(new Set(keys.map((x) => x.idempotencyKey)).size).toBe(keys.length);
    const actions = await db.action.findMany({ where: { auditId: { in: audits.map((x) => x.id) } } });
    expect(actions).toHaveLength(6);
    expect(
      await db.outboxMessage.count({ where: { idempotencyKey: { in: actions.map((x) => `action:${x.id}:assigned`) }, status: "sent" } }),
    ).toBe(6);
    for (const w of new Set(cases.map((c) => c.worker!))) {
      const cards = connector.cardsTo(personalConversationId(from(w as StaffRef)));
      // Action cards (the audit's outcome card lists the same actions).
      const actionCards = cards.filter((x) => /^Action: case [\s\S]*(Update the chronology|Share the direct work)/.test(cardText(x)));
      expect(actionCards).toHaveLength(2 * cases.filter((c) => c.workerId === w.id).length);
    }
  }, 120_000);
});
