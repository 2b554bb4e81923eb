// Fault: PostgreSQL restarts, and every connection of the service's database is terminated
// (pg_terminate_backend: 57P01, as a restart or failover does), while auditors save every kind of
// audit page (areas, feedback, outcome), team managers acknowledge escalations and a fan-out of
// 180 cards is being sent; in both BACKGROUND_WORK modes. The service runs as a child process on a
// throwaway PostgreSQL cluster (never the machine's shared server). Afterwards: the same processes
// serve (no process exited, no worker restarted), they answer again within seconds of the database
// being back, every save answered "Draft saved" is there, nothing is recorded or delivered twice.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnWorker, type Worker } from "../support/spawnWorker";
import { startFakeConnector, type FakeConnector } from "../fakes/botConnector";
import { installationUpdate, invokeActionExecute, postToBot } from "../fakes/activities";
import { cardText, inputOf, versionOf, type StaffRef } from "../support/harness";
import { createAcceptedAudit } from "../support/auditFixture";
import { auditPageAnswers } from "../support/auditPages";
import { createPrisma, type Db } from "../../services/db";
import { enqueueAll } from "../../services/outbox";
import { cardOutboxId } from "../../cards/render";
import { ERROR_CARD_TITLES } from "../../bot/teamsBot";
import { startSeededPgCluster, type PgCluster } from "./pgCluster";

type Card = Record<string, unknown>;
const CLOCK = "2026-12-01T10:00:00Z"; // a Tuesday, in working hours
const PAGES = ["areas-1", "areas-2", "feedback-family", "outcome"] as const;
type Page = (typeof PAGES)[number];
const INTERNAL = "Something went wrong on our side";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pgc: PgCluster;
let db: Db;
let connector: FakeConnector;
const children: Worker[] = [];

const from = (s: StaffRef) => ({ aadObjectId: s.aadObjectId!, name: s.name });
async function execute(url: string, s: StaffRef, verb: string, data: Record<string, unknown>) {
  const res = await postToBot(`${url}/api/messages`, invokeActionExecute({ from: from(s), serviceUrl: connector.url, verb, data }));
  const card = ((res.body as { value?: Card } | undefined)?.value ?? {}) as Card;
  return { status: res.status, card, text: cardText(card) };
}
const byEmail = (email: string) => db.staff.findUniqueOrThrow({ where: { email } }) as Promise<StaffRef>;

/** Where save number k of a page leaves its tag, as the page's card shows it. */
const TAG_INPUT: Record<Page, string> = {
  "areas-1": "a1_evidence",
  "areas-2": "a6_evidence",
  "feedback-family": "family-going-well",
  outcome: "overallImpact",
};
function pageData(card: Card, page: Page, k: number, practitionerId: string): Record<string, unknown> {
  const data = auditPageAnswers(card, page, {
    evidence: `save ${k} uploaded 01/11/26`,
    grade: "4",
    overallImpact: `save ${k}`,
    actions: [{ what: "Update the chronology", who: practitionerId, when: "2026-12-11" }],
  });
  if (page === "feedback-family") data["family-going-well"] = `save ${k}`;
  return data;
}
const tagOf = (v: unknown) => (typeof v === "string" && /save (\d+)/.test(v) ? Number(/save (\d+)/.exec(v)![1]) : null);

/**
 * The service as a child process on a fresh copy of the seeded database (`db` then points at it):
 * the sender on, the scheduler on (Agenda's own pool is in the process too), background work `mode`.
 */
async function startOnCopy(name: string, mode: "inline" | "process") {
  const admin = new pg.Client({ connectionString: pgc.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE postgres`);
  await admin.end();
  const dbUrl = pgc.url.replace(/\/postgres$/, `/${name}`);
  db = createPrisma(dbUrl, 2);
  connector.reset();
  const worker = await spawnWorker(
    {
      DATABASE_URL: dbUrl,
      CLOCK,
      SENDER: "1",
      BACKGROUND_WORK: mode,
      SCHEDULER_ENABLED: "true",
      SCHEDULER_POLL_MS: "200",
      DELIVERY_POLL_MS: "100",
      // A claim whose answer the restart cut off leaves its rows 'sending', ours but unknown to us,
      // until their lease expires: a short lease, and a clock that runs, so that is seconds here.
      DELIVERY_LEASE_MS: "3000",
      CLOCK_RUNS: "1",
    },
    60_000,
    "serviceWorker.ts",
  );
  children.push(worker);
  const url = /ready (\S+)/.exec(worker.output())![1]!;
  const pids = async () => (await (await fetch(`${url}/test/pids`)).json()) as { pid: number; worker: number | null };
  return { worker, url, dbUrl, pids };
}

beforeAll(async () => {
  pgc = await startSeededPgCluster();
  // Teams answers in 40 ms: requests are on the wire when the database goes away.
  connector = await startFakeConnector({ rateLimits: false, latencyMs: 40 });
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
  await Promise.all(children.map((c) => c.exited));
  await connector?.close();
  pgc?.destroy();
});

describe.each(["inline", "process"] as const)("PostgreSQL restarted under load (BACKGROUND_WORK=%s)", (mode) => {
  it("no process exits or restarts, the service answers again within seconds, nothing answered is lost, nothing is doubled", async () => {
    // Each mode on its own copy of the seeded database.
    const { worker, url, dbUrl, pids } = await startOnCopy(`restart_${mode}`, mode);
    const before = await pids();
    expect(before.pid).toBe(worker.child.pid);
    if (mode === "process") expect(before.worker).toBeGreaterThan(0);

    // Who takes part: 3 auditors with 2 audits each, the escalation's raiser and owner, and 60
    // people who get 3 cards each in the fan-out.
    const cycle = await db.auditCycle.create({
      data: { month: "2026-12", theme: `restart-${mode}`, target: 30, seed: mode, gradeScaleId: "collaborative-0-6" },
    });
    const auditors = (await db.staff.findMany({
      where: { roles: { has: "DEPUTY_TEAM_MANAGER" }, aadObjectId: { not: null } },
      orderBy: { email: "asc" },
      take: 3,
    })) as StaffRef[];
    const cases = await db.case.findMany({
      where: { teamId: "CP", worker: { roles: { has: "PRACTITIONER" } } },
      include: { worker: true },
      orderBy: { caseRef: "asc" },
      skip: mode === "inline" ? 0 : 6,
      take: 6,
    });
    const audits = await Promise.all(
      cases.map((c, i) =>
        createAcceptedAudit(db, { cycleId: cycle.id, auditorId: auditors[i % auditors.length]!.id, gradeScaleId: "collaborative-0-6" }, c),
      ),
    );
    const iro = await byEmail("farah.walsh@council.example");
    const tm = await byEmail("ezra.jones@council.example");
    const escWorker = await byEmail("elif.jones@council.example");
    const caseRef = (await db.case.findFirstOrThrow({ where: { workerId: escWorker.id }, orderBy: { caseRef: "asc" } })).caseRef;
    const fanOut = (await db.staff.findMany({
      where: { aadObjectId: { not: null }, id: { notIn: [iro.id, tm.id, ...auditors.map((a) => a.id)] } },
      orderBy: { email: "asc" },
      take: 60,
    })) as StaffRef[];
    for (const s of new Set([...auditors, iro, tm, escWorker, ...fanOut]))
      expect((await postToBot(`${url}/api/messages`, installationUpdate({ from: from(s), serviceUrl: connector.url }))).status).toBe(200);

    const escalations: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await execute(url, iro, "escalation.raise", {
        caseRef,
        type: "iro-cla",
        concern: `Restart test ${mode} ${i}: the care plan has not been reviewed.`,
        informal: "Discussed with the social worker.",
      });
      expect(r.text).toMatch(/Stage 1 of 4/);
      // By id: the service's clock is fixed, so every escalation has the same createdAt.
      escalations.push((await db.escalation.findFirstOrThrow({ where: { raiserId: iro.id, id: { notIn: escalations } } })).id);
    }

    // Load: each audit's pages opened and saved one after another without pause; after an error
    // card the auditor opens the page again.
    let stop = false;
    let gone: unknown;
    let k = mode === "inline" ? 0 : 100_000;
    const acked = new Map<string, { page: Page; k: number }[]>(audits.map((a) => [a.id, []]));
    const sent = new Map<string, { page: Page; k: number }[]>(audits.map((a) => [a.id, []]));
    let tryAgainCards = 0;
    const drive = async (i: number) => {
      const audit = audits[i]!;
      const auditor = auditors.find((a) => a.id === audit.auditorId)!;
      const practitionerId = cases[i]!.worker!.id;
      for (let n = 0; !stop;) {
        try {
          const page = PAGES[n % PAGES.length]!;
          const paged = await execute(url, auditor, "audit.open", { auditId: audit.id, page });
          if (paged.text.includes(INTERNAL)) {
            tryAgainCards++;
            await sleep(100);
            continue;
          }
          n++;
          const save = { page, k: ++k };
          sent.get(audit.id)!.push(save);
          const r = await execute(url, auditor, "audit.page.save", {
            auditId: audit.id,
            page,
            version: versionOf(paged.card),
            nav: "next",
            ...pageData(paged.card, page, save.k, practitionerId),
          });
          expect(r.status).toBe(200);
          if (r.text.includes("Draft saved")) acked.get(audit.id)!.push(save);
          else {
            // A clear answer: try again (database away), or the save landed but its answer did not.
            expect(r.text, r.text).toMatch(new RegExp(`${INTERNAL}|saved from another device`));
            if (r.text.includes(INTERNAL)) {
              tryAgainCards++;
              expect(r.text).toMatch(/try again/);
            }
            await sleep(100);
          }
        } catch (err) {
          gone ??= err; // the service process is gone
          return;
        }
      }
    };
    // Acknowledgements: the team manager presses Acknowledge on each escalation once the database
    // is going away, and presses again after a "try again" card.
    const ackResults = new Map<string, string>();
    const acknowledge = async (id: string, delayMs: number) => {
      await sleep(delayMs);
      for (let tries = 0; tries < 200; tries++) {
        try {
          const r = await execute(url, tm, "escalation.acknowledge", { id });
          if (r.text.includes(INTERNAL)) {
            tryAgainCards++;
            await sleep(100);
            continue;
          }
          ackResults.set(id, r.text);
          return;
        } catch (err) {
          gone ??= err;
          return;
        }
      }
    };

    const drivers = audits.map((_, i) => drive(i));
    await sleep(800);
    // The fan-out: 180 cards, due now for either clock.
    const fanKeys: string[] = [];
    await enqueueAll(
      db,
      fanOut.flatMap((s) =>
        [1, 2, 3].map((j) => {
          fanKeys.push(`restart:${mode}:${s.id}:${j}`);
          return {
            kind: "send" as const,
            recipientId: s.id,
            idempotencyKey: fanKeys.at(-1)!,
            payload: { template: "message", data: { title: "Survey", text: `restart ${mode} card ${j}` } },
            notBefore: new Date("2026-01-01T00:00:00Z"),
          };
        }),
      ),
    );
    const acks = escalations.map((id, i) => acknowledge(id, 200 + i * 400));
    await sleep(300);

    // Every connection of the database terminated, twice; then PostgreSQL restarts.
    const killer = new pg.Client({ connectionString: dbUrl });
    killer.on("error", () => {});
    await killer.connect();
    for (let i = 0; i < 2; i++) {
      await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await sleep(500);
    }
    await killer.end();
    pgc.stop();
    await sleep(1_500);
    pgc.start();
    const back = Date.now();
    // The service answers (a real answer, not a "try again" card) within seconds of the database being back.
    let answered = 0;
    for (let i = 0; i < 100 && !answered && worker.child.exitCode === null; i++) {
      const r = await execute(url, tm, "help.show", {}).catch(() => undefined);
      if (r && r.text.includes(tm.name)) answered = Date.now() - back;
      else await sleep(100);
    }
    expect(worker.child.exitCode, `the service process exited:\n${worker.output()}`).toBeNull();
    expect(answered, "the service answers again").toBeGreaterThan(0);
    expect(answered).toBeLessThan(10_000);
    // Saving goes on until every audit has been saved again since.
    const savedBefore = audits.map((a) => acked.get(a.id)!.length);
    for (let t = Date.now(); Date.now() - t < 20_000; await sleep(100))
      if (audits.every((a, i) => acked.get(a.id)!.length > savedBefore[i]!)) break;
    stop = true;
    await Promise.all([...drivers, ...acks]);
    expect(gone, `the service process went away:\n${worker.output()}`).toBeUndefined();

    // The fan-out is delivered: every card once.
    const started = Date.now();
    while ((await db.outboxMessage.count({ where: { idempotencyKey: { in: fanKeys }, status: "sent" } })) < fanKeys.length) {
      if (Date.now() - started > 60_000) throw new Error(`fan-out not delivered:\n${worker.output()}`);
      await sleep(200);
    }

    // The same processes: none exited, the worker was not restarted.
    expect(worker.child.exitCode, worker.output()).toBeNull();
    expect(await pids()).toEqual(before);

    // Nothing delivered twice: every card carries its outbox id.
    const delivered = connector.activities.filter((a) => a.kind === "send").map((a) => cardOutboxId(a.body?.attachments?.[0]?.content));
    const ids = delivered.filter((x): x is string => !!x);
    expect(ids.length - new Set(ids).size, "cards delivered twice").toBe(0);
    const fanIds = (await db.outboxMessage.findMany({ where: { idempotencyKey: { in: fanKeys } }, select: { id: true } })).map((r) => r.id);
    for (const id of fanIds) expect(ids.filter((x) => x === id)).toHaveLength(1);

    // Every acknowledgement recorded once, and the owner was told so.
    for (const id of escalations) {
      const told = ackResults.get(id) ?? "";
      expect(
        ERROR_CARD_TITLES.filter((t) => t !== "Already done").some((t) => told.includes(t)),
        told,
      ).toBe(false);
      expect(await db.escalationEvent.count({ where: { escalationId: id, kind: "acknowledged" } })).toBe(1);
      expect(await db.history.count({ where: { entityType: "escalation", entityId: id, action: "acknowledged" } })).toBe(1);
    }

    // Every answered save is there (or a later one of the same page); each save recorded once.
    let saves = 0;
    for (const audit of audits) {
      const row = await db.audit.findUniqueOrThrow({ where: { id: audit.id } });
      const ack = acked.get(audit.id)!;
      const snd = sent.get(audit.id)!;
      saves += ack.length;
      expect(ack.length).toBeGreaterThan(0);
      const committed = row.version - audit.version;
      expect(committed).toBeGreaterThanOrEqual(ack.length);
      expect(committed).toBeLessThanOrEqual(snd.length);
      expect(await db.history.count({ where: { entityId: audit.id, action: "draft_saved" } })).toBe(committed);
      const auditor = auditors.find((a) => a.id === audit.auditorId)!;
      for (const page of PAGES) {
        const last = ack.filter((s) => s.page === page).at(-1);
        if (!last) continue;
        const open = await execute(url, auditor, "audit.open", { auditId: audit.id, page });
        const tag = tagOf(inputOf(open.card, TAG_INPUT[page])?.value);
        expect(tag, `${page} of ${audit.id}`).toBeGreaterThanOrEqual(last.k);
        expect(snd.some((s) => s.page === page && s.k === tag)).toBe(true);
      }
    }
    console.log(JSON.stringify({ mode, answeredSaves: saves, tryAgainCards, answersAgainAfterMs: answered }));
    expect(tryAgainCards).toBeGreaterThan(0); // the restarts really hit requests in flight
    await db.$disconnect();
  }, 180_000);
});

describe("the background worker killed while PostgreSQL is down", () => {
  it("is started again once the database is back, and delivers", async () => {
    const { worker: service, url, pids } = await startOnCopy("restart_worker", "process");
    const person = (await db.staff.findFirstOrThrow({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" } })) as StaffRef;
    await postToBot(`${url}/api/messages`, installationUpdate({ from: from(person), serviceUrl: connector.url }));
    const first = (await pids()).worker!;

    pgc.stop();
    process.kill(first, "SIGKILL");
    await sleep(12_000); // the service starts a worker, whose scheduler cannot start without its database
    pgc.start();
    let next: number | null = null;
    for (let t = Date.now(); Date.now() - t < 20_000 && !next; await sleep(200)) {
      const w = (await pids()).worker;
      if (w && w !== first) {
        try {
          process.kill(w, 0);
          next = w;
        } catch {
          /* that one is gone already */
        }
      }
    }
    expect(next, service.output()).toBeTruthy();
    await enqueueAll(db, [
      {
        kind: "send",
        recipientId: person.id,
        idempotencyKey: "restart:worker:1",
        payload: { template: "message", data: { title: "Note", text: "after the worker came back" } },
        notBefore: new Date("2026-01-01T00:00:00Z"),
      },
    ]);
    for (let t = Date.now(); Date.now() - t < 20_000; await sleep(200))
      if (connector.activities.some((a) => cardText(a.body?.attachments?.[0]?.content).includes("after the worker came back"))) break;
    expect(
      connector.activities.filter((a) => cardText(a.body?.attachments?.[0]?.content).includes("after the worker came back")),
    ).toHaveLength(1);
    expect(service.child.exitCode).toBeNull();
    expect((await pids()).pid).toBe(service.child.pid);
    await db.$disconnect();
  }, 120_000);
});
