// `npm run bench:actions`: concurrent virtual users completing audit pages and pressing approval
// buttons against the running service (real database, fake Bot Connector), through /api/messages.
// Prints per-step p50/p99 lines (stderr) and one JSON line last:
// {"users":100,"instances":1,"requests":…,"rps":…,"p50Ms":…,"p99Ms":…,"errors":0,"cpuMsPerRequest":…,
//  "floorCpuMsPerRequest":…,"cpuRatio":…,…,"cardsDelivered":…,"database":"postgresql"|"pglite"}
//
// Database: a fresh database on this machine's PostgreSQL (or the server BENCH_DATABASE_URL,
// TEST_DATABASE_URL or DATABASE_URL names), created and dropped by the run; BENCH_DATABASE=pglite,
// or no reachable server, uses the embedded PostgreSQL (PGlite) instead, as `npm start` does with
// no DATABASE_URL. "database" in the result says which.
// Each user pauses BENCH_THINK_MS (default 1000, ±50 %) between actions; BENCH_THINK_MS=0 is a
// closed loop. BENCH_USERS (100), BENCH_ITERATIONS (10 timed), BENCH_WARMUP (2 untimed).
// Clock: every process of the run believes it is a Tuesday at 10:00 in London (BENCH_CLOCK moves
// it; bench/workingDayClock.mjs), so quiet hours, weekends and bank holidays hold no card and the
// run does the same work at any hour of any day. "clock", "cardsEnqueued" and "cardsDelivered"
// (cards that reached the fake Bot Connector) in the result show it.
// Processes (bench/actionsChildren.ts): BENCH_INSTANCES (1) service instances (bench/actionsService.ts,
// as `npm start` runs it) on the one database, behind a round-robin proxy (bench/roundRobinProxy.ts)
// when more than one, so one person's card actions land on every instance; the fake Bot Connector
// (bench/actionsConnector.ts); the floor server (bench/actionsFloor.ts: the same stack answering the
// same invokes with no domain work), sent every request at the same moment as the service unless
// BENCH_FLOOR=0. BENCH_SERVICE_NODE_ARGS adds node options to the services (e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof"), BENCH_FLOOR_NODE_ARGS to the floor server. BENCH_VARIANT=<module> is
// loaded by the first instance only (e.g. bench/variants/*.ts): with BENCH_INSTANCES=2 each
// instance's CPU per request (stderr) is an A/B of the variant against the code as it is, in one
// run under one load.
// cpuMsPerRequest is the service processes' CPU per request, floorCpuMsPerRequest the floor's, and
// cpuRatio the first over the second: measured in one run, under one load, it does not move with
// the machine's speed. generatorCpuMsPerRequest is this process's; connectorCpuMsPerRequest,
// postgresCpuMsPerRequest (the backends of the run's database) and machineCpuMsPerRequest (every
// process, other users' too, with loadAverage) complete the CPU budget (bench/actionsCpu.ts). The service's background work
// follows BACKGROUND_WORK as in production (auto: a worker process per instance on a PostgreSQL
// server, bot/background.ts; "backgroundWork" in the result); workerCpuMsPerRequest is then the
// workers'. stderr also shows the time requests spent inside the services (arrival to answer
// written) and every event loop's delay.
// BENCH_TRACE=<file> writes one line per timed request: start (Unix time, s), step, latency (ms),
// and "error" when it counted as one.
//
// Setup (not timed): every virtual user is a DISTINCT staff member with an aadObjectId — the 60
// demo staff plus extra Deputy Team Managers created in the six locality teams for the rest. Each
// user is the allocated auditor of one audit in status "accepted" (created directly with Prisma,
// as test/e2e/audit.test.ts does) and the stage-1 owner of one open escalation per iteration.
// One iteration of a user (`iteration` in main; each step a real Action.Execute invoke):
//   audit.open            resume the audit at the saved page (back to page 1 after the last page)
//   audit.page.save ×2    save that page with valid answers, nav "next" (version from the card shown)
//   escalation.refresh    open the escalation card (read)
//   escalation.acknowledge acknowledge the stage (a state change: event, history, card updates)
// A response counts as an error when it is not 200, is an error card, or is not the card expected
// (e.g. a page card with "need attention", a save whose version did not move on).
// Virtual users share no staff member: every step here writes or is checked against the user's own
// audit/escalation. A warm-up failure aborts the run (the scenario itself is broken).
//
// Results, and the history of what was found and fixed to get them: docs/load.md.
// The bench's clock first: every module below, and every child process, sees the same working day.
import { benchClockStart } from "./workingDayClock.mjs";
import { ERROR_CARD_TITLES } from "../bot/teamsBot";
import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { backgroundWorkIn, loadConfig } from "../services/config";
import { scratchDatabaseOrNone } from "./benchDatabase";
import { createPrisma } from "../services/db";
import { invokeActionExecute, type FromUser } from "../test/fakes/activities";
import { auditPageAnswers } from "../test/support/auditPages";
import { addWorkingDays } from "../services/workingTime";
import type { Db } from "../services/db";
import { spawnChild, spawnService, type ServiceCpu, type ServiceProcess } from "./actionsChildren";
import { cpuBetween, cpuSnapshot } from "./actionsCpu";
import { postJson } from "./httpPost";

type Card = Record<string, unknown>;

interface VirtualUser {
  from: FromUser;
  staffId: string;
  auditId: string;
  /** Page the audit's draft is on (from the last card shown). */
  page: string;
  /** One open escalation per iteration (warm-up first) of which this user is the stage owner. */
  escalations: string[];
}

const LOCALITY_TEAMS = ["AI1", "AI2", "CIN", "CP", "CIC", "LC"];

const USERS = Number(process.env.BENCH_USERS ?? 100);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
/**
 * Pause of each user between actions (a person reads a card before pressing the next button).
 * 0 = closed loop, every user fires again at once: then latency ≈ users ÷ throughput (Little's law).
 */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);
/** Service instances on the one database; with more than one, a round-robin proxy in front (bench/roundRobinProxy.ts). */
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
/** The floor server (bench/actionsFloor.ts) gets every request too; BENCH_FLOOR=0 leaves it out. */
const FLOOR = process.env.BENCH_FLOOR !== "0";
/** A module the first instance loads before the service (a variant of the code): with 2 instances, an A/B of it in one run. */
const VARIANT = process.env.BENCH_VARIANT;

/**
 * Distinct staff for every virtual user (the demo's 60, then extra Deputy Team Managers in the
 * locality teams), each the auditor of one accepted audit and stage owner of `escalationsEach`
 * open escalations. Direct database writes: this is the state allocation and raising would leave.
 */
async function setupUsers(db: Db, escalationsEach: number, gradeScaleId: string): Promise<VirtualUser[]> {
  let staff = await db.staff.findMany({ where: { aadObjectId: { not: null }, active: true }, orderBy: { email: "asc" } });
  for (let i = staff.length; i < USERS; i++) {
    const teamId = LOCALITY_TEAMS[i % LOCALITY_TEAMS.length]!;
    const tm = await db.staff.findFirst({ where: { teamId, roles: { has: "TEAM_MANAGER" } } });
    const n = String(i + 1).padStart(3, "0");
    await db.staff.create({
      data: {
        aadObjectId: `00000000-0000-4000-8000-${(0xbe0000000000 + i).toString(16)}`,
        email: `bench.user${n}@assure.invalid`,
        name: `Bench User ${n}`,
        jobTitle: "Deputy Team Manager",
        roles: ["DEPUTY_TEAM_MANAGER"],
        teamId,
        lineManagerId: tm?.id,
        source: "bench",
      },
    });
  }
  staff = await db.staff.findMany({ where: { aadObjectId: { not: null }, active: true }, orderBy: { email: "asc" } });
  const chosen = staff.slice(0, USERS);
  const cycle = await db.auditCycle.create({ data: { month: "2026-12", theme: "bench", target: USERS, seed: "bench", gradeScaleId } });
  const cases = await db.case.findMany({ where: { workerId: { not: null } }, orderBy: { caseRef: "asc" } });
  const raiser = await db.staff.findFirstOrThrow({ where: { roles: { has: "CP_CHAIR" } } });
  const now = new Date();
  const deadline = addWorkingDays(now, 5, "Europe/London");
  const users: VirtualUser[] = [];
  let next = 0;
  for (const s of chosen) {
    let c = cases[next++ % cases.length]!;
    while (c.workerId === s.id) c = cases[next++ % cases.length]!;
    const worker = await db.staff.findUniqueOrThrow({ where: { id: c.workerId! } });
    const audit = await db.audit.create({
      data: {
        cycleId: cycle.id,
        caseId: c.id,
        auditorId: s.id,
        practitionerId: worker.id,
        managerId: worker.lineManagerId,
        teamId: c.teamId,
        status: "accepted",
        dueDate: new Date(now.getTime() + 30 * 86_400_000),
        gradeScaleId,
      },
    });
    const escalations = Array.from({ length: escalationsEach }, () => randomUUID());
    await db.escalation.createMany({
      data: escalations.map((id) => ({
        id,
        caseId: c.id,
        raiserId: raiser.id,
        type: "cp-chair",
        concern: "Plan not progressed since conference",
        informalAttempts: "Discussed with the social worker and manager",
        stage: 1,
        stageOwnerIds: [s.id],
        stageDeadline: deadline,
      })),
    });
    users.push({ from: { aadObjectId: s.aadObjectId!, name: s.name }, staffId: s.id, auditId: audit.id, page: "health", escalations });
  }
  return users;
}

const ERROR_TITLES = new Set(ERROR_CARD_TITLES);

/** Title of an error card (cards/templates/error.json), or undefined for any other card. */
function errorTitle(card: Card): string | undefined {
  const first = (card.body as Card[] | undefined)?.[0];
  const title = (first?.items as Card[] | undefined)?.[0]?.text;
  return first?.style === "attention" && typeof title === "string" && ERROR_TITLES.has(title) ? title : undefined;
}

function walk(n: unknown, visit: (o: Card) => void) {
  if (Array.isArray(n)) return n.forEach((x) => walk(x, visit));
  if (!n || typeof n !== "object") return;
  const o = n as Card;
  visit(o);
  for (const [k, v] of Object.entries(o)) if (k !== "fallback" && typeof v === "object") walk(v, visit);
}

/** What the checks read of a card (its text, its Action.Execute data by verb), gathered in one walk. */
interface CardIndex {
  text: string;
  actions: Map<string, Card>;
}
const indexes = new WeakMap<object, CardIndex>();

function indexOf(card: unknown): CardIndex {
  const known = card && typeof card === "object" ? indexes.get(card) : undefined;
  if (known) return known;
  const out: string[] = [];
  const actions = new Map<string, Card>();
  walk(card, (o) => {
    for (const k of ["text", "title", "value", "label"]) if (typeof o[k] === "string") out.push(o[k] as string);
    if (o.type === "Action.Execute" && typeof o.verb === "string" && !actions.has(o.verb)) actions.set(o.verb, (o.data as Card) ?? {});
  });
  const index = { text: out.join("\n"), actions };
  if (card && typeof card === "object") indexes.set(card, index);
  return index;
}

const cardText = (card: unknown): string => indexOf(card).text;
const actionData = (card: Card, verb: string): Card | undefined => indexOf(card).actions.get(verb);

const savedPage = (card: Card) => actionData(card, "audit.page.save")?.page as string | undefined;
const savedVersion = (card: Card) => {
  const v = actionData(card, "audit.page.save")?.version;
  return v === undefined ? undefined : Number(v);
};
/** An escalation card (it offers Refresh), with the given button when one is named. */
const escalationExpected = (verb?: string) => (card: Card) =>
  !cardText(card).includes("Stage") ? "not an escalation card" : verb && !actionData(card, verb) ? `no ${verb} button` : undefined;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

/** Sums the instances' CPU and joins their request times. */
async function serviceCpu(services: ServiceProcess[]): Promise<ServiceCpu & { loops: ServiceCpu["loop"][]; each: ServiceCpu[] }> {
  const each = await Promise.all(services.map((s) => s.cpu()));
  return {
    micros: each.reduce((n, c) => n + c.micros, 0),
    workerMicros: each.reduce((n, c) => n + c.workerMicros, 0),
    loop: each[0]!.loop,
    loops: each.map((c) => c.loop),
    each,
    served: each.flatMap((c) => c.served),
  };
}

/** Drops the run's database: also when the run fails (its child processes exit with it). */
let dropDatabase: (() => Promise<void>) | undefined;

async function main() {
  const database = await scratchDatabaseOrNone();
  dropDatabase = database?.drop;
  if (INSTANCES > 1 && !database)
    throw new Error("BENCH_INSTANCES > 1 needs a PostgreSQL server: the embedded database serves one instance");
  // The fake Bot Connector in its own process (bench/actionsConnector.ts): see its header.
  const connector = await spawnChild("actionsConnector.ts", process.env);
  const connectorUrl = connector.ready.url as string;
  const serviceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    // Production requires the survey seal key; each run makes its own.
    SURVEY_SEAL_KEY: process.env.SURVEY_SEAL_KEY ?? randomBytes(32).toString("base64"),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    SCHEDULER_ENABLED: "false",
    DEMO_SEED: "true",
    MicrosoftAppId: "",
    ...(database ? { DATABASE_URL: database.url } : { PGLITE_DIR: "memory://bench" }),
  };
  const config = loadConfig(serviceEnv);
  const backgroundWork = backgroundWorkIn(config, !database);
  // The first instance migrates and seeds the database; the others start on it as it is.
  const services: ServiceProcess[] = [await spawnService(serviceEnv, VARIANT ? [VARIANT] : [])];
  while (services.length < INSTANCES) services.push(await spawnService(serviceEnv));
  const proxy =
    INSTANCES > 1
      ? await spawnChild("roundRobinProxy.ts", { ...process.env, BENCH_UPSTREAMS: services.map((s) => s.url).join(",") })
      : undefined;
  const endpoint = `${(proxy?.ready.url as string | undefined) ?? services[0]!.url}/api/messages`;
  const databaseUrl = services[0]!.databaseUrl;
  const floorNodeArgs = (process.env.BENCH_FLOOR_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const floor = FLOOR ? await spawnChild("actionsFloor.ts", { ...process.env, DATABASE_URL: databaseUrl }, floorNodeArgs) : undefined;
  const floorEndpoint = floor ? `${floor.ready.url as string}/api/messages` : undefined;
  const db = createPrisma(databaseUrl, 2);
  const users = await setupUsers(db, WARMUP + ITERATIONS, config.GRADE_SCALE);
  const outboxBefore = await db.outboxMessage.count();

  const latencies: number[] = [];
  let errors = 0;
  let floorRequests = 0;
  let floorErrors = 0;
  const errorSamples: string[] = [];
  const perStep = new Map<string, number[]>();
  const trace: string[] = [];

  /** One Action.Execute through /api/messages; returns the card shown, or undefined (counted as an error). */
  async function execute(
    u: VirtualUser,
    step: string,
    verb: string,
    data: Record<string, unknown>,
    expect: (card: Card) => string | undefined,
    record: boolean,
  ): Promise<Card | undefined> {
    const activity = invokeActionExecute({ from: u.from, serviceUrl: connectorUrl, verb, data });
    const body = Buffer.from(JSON.stringify(activity));
    const post = (url: string) => postJson(url, body);
    // The floor server gets the same invoke at the same moment (its answer is not timed).
    const floorAnswer = floorEndpoint
      ? post(floorEndpoint).then(
          (r) => (r.text && r.status === 200 ? 0 : 1),
          () => 1,
        )
      : undefined;
    const t0 = performance.now();
    let card: Card | undefined;
    let detail: string;
    // The clock stops when the whole answer has arrived, before this process checks the card (the
    // checks are the benchmark's work, not the service's).
    let ms: number | undefined;
    try {
      const res = await post(endpoint);
      const text = res.text;
      ms = performance.now() - t0;
      let answer: { value?: Card } | undefined;
      try {
        answer = JSON.parse(text) as { value?: Card };
      } catch {
        answer = undefined;
      }
      if (res.status !== 200 || !answer?.value) detail = `HTTP ${res.status}${res.status === 502 ? ` ${text.slice(0, 120)}` : ""}`;
      else if (errorTitle(answer.value)) detail = `error card: ${errorTitle(answer.value)}: ${cardText(answer.value).slice(0, 160)}`;
      else detail = expect(answer.value) ?? "";
      if (!detail) card = answer!.value;
    } catch (err) {
      detail = (err as Error).message;
    }
    ms ??= performance.now() - t0;
    if (floorAnswer) {
      const failed = await floorAnswer;
      if (record) {
        floorRequests++;
        floorErrors += failed;
      }
    }
    if (!record) {
      if (detail) throw new Error(`warm-up ${step} failed for ${u.from.name}: ${detail}`);
      return card;
    }
    latencies.push(ms);
    if (process.env.BENCH_TRACE)
      trace.push(`${((performance.timeOrigin + t0) / 1000).toFixed(3)} ${step} ${ms.toFixed(1)}${detail ? " error" : ""}`);
    (perStep.get(step) ?? perStep.set(step, []).get(step)!).push(ms);
    if (detail) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(`${step}: ${detail}`);
    }
    return card;
  }

  const pageCardExpected = (card: Card) =>
    savedPage(card) === undefined ? "not an audit page card" : /need attention/.test(cardText(card)) ? "page has errors" : undefined;

  async function iteration(u: VirtualUser, i: number, record: boolean, think: () => Promise<void>) {
    // Resume where the draft was left; after the last page (review) start again at page 1.
    const openData = u.page === "review" ? { auditId: u.auditId, page: "health" } : { auditId: u.auditId };
    let card = await execute(u, "audit.open", "audit.open", openData, pageCardExpected, record);
    await think();
    for (let k = 0; k < 2 && card; k++) {
      const page = savedPage(card)!;
      const version = savedVersion(card)!;
      if (page === "review") break;
      const data = {
        auditId: u.auditId,
        page,
        version,
        nav: "next",
        ...auditPageAnswers(card, page, { grade: "6", score: (area) => String(5 + (area % 4)) }),
      };
      card = await execute(
        u,
        "audit.page.save",
        "audit.page.save",
        data,
        (c) => pageCardExpected(c) ?? (savedVersion(c) === version + 1 && /Draft saved/.test(cardText(c)) ? undefined : "draft not saved"),
        record,
      );
      if (card) u.page = savedPage(card)!;
      await think();
    }
    const esc = u.escalations[i]!;
    await execute(u, "escalation.refresh", "escalation.refresh", { id: esc }, escalationExpected("escalation.acknowledge"), record);
    await think();
    await execute(u, "escalation.acknowledge", "escalation.acknowledge", { id: esc }, escalationExpected(), record);
    await think();
  }

  async function virtualUser(u: VirtualUser, from: number, iterations: number, record: boolean) {
    const pause = () => (THINK_MS > 0 ? new Promise<void>((r) => setTimeout(r, THINK_MS * (0.5 + Math.random()))) : Promise.resolve());
    // Users start spread over one think time, as real people do.
    if (THINK_MS > 0) await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
    for (let i = from; i < from + iterations; i++) await iteration(u, i, record, pause);
  }

  await Promise.all(users.map((u) => virtualUser(u, 0, WARMUP, false)));
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  // This process's own lag (the virtual users and their card checks run here): a stall here shows
  // in every latency measured, though the service had no part in it.
  const generatorLoop = monitorEventLoopDelay({ resolution: 10 });
  generatorLoop.enable();
  const ask = (c: typeof proxy) => (c ? c.ask<{ micros: number }>("cpu").then((r) => r.micros) : Promise.resolve(0));
  const [start, floorCpu0, proxyCpu0, connectorCpu0, snap0] = await Promise.all([
    serviceCpu(services),
    ask(floor),
    ask(proxy),
    ask(connector),
    cpuSnapshot(db),
  ]);
  await Promise.all(users.map((u) => virtualUser(u, WARMUP, ITERATIONS, true)));
  const [end, floorCpu1, proxyCpu1, connectorCpu1, snap1] = await Promise.all([
    serviceCpu(services),
    ask(floor),
    ask(proxy),
    ask(connector),
    cpuSnapshot(db),
  ]);
  const other = cpuBetween(snap0, snap1);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;

  const sorted = [...latencies].sort((a, b) => a - b);
  for (const [name, xs] of perStep) {
    const s = [...xs].sort((a, b) => a - b);
    console.error(`${name}: n=${s.length} p50=${percentile(s, 50).toFixed(1)}ms p99=${percentile(s, 99).toFixed(1)}ms`);
  }
  end.loops.forEach((loop, i) =>
    console.error(`service${INSTANCES > 1 ? ` ${i + 1}` : ""} event-loop delay: p50=${loop.p50}ms p99=${loop.p99}ms max=${loop.max}ms`),
  );
  if (INSTANCES > 1)
    end.each.forEach((c, i) =>
      console.error(
        `service ${i + 1}${i === 0 && VARIANT ? ` (${VARIANT})` : ""}: ${((c.micros - start.each[i]!.micros) / 1000 / (latencies.length / INSTANCES)).toFixed(2)} ms CPU/request`,
      ),
    );
  const inService = [...end.served].sort((a, b) => a - b);
  console.error(
    `time inside the service (arrival to answer written): n=${inService.length} p50=${percentile(inService, 50).toFixed(1)}ms p99=${percentile(inService, 99).toFixed(1)}ms`,
  );
  generatorLoop.disable();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  console.error(
    `generator event-loop delay: p50=${ms(generatorLoop.percentile(50))}ms p99=${ms(generatorLoop.percentile(99))}ms max=${ms(generatorLoop.max)}ms`,
  );
  if (errorSamples.length) console.error("errors:", errorSamples);
  if (floorErrors) console.error(`floor server: ${floorErrors} of ${floorRequests} requests failed`);
  if (process.env.BENCH_TRACE) writeFileSync(process.env.BENCH_TRACE, trace.join("\n"));
  // The sender finishes what the last acknowledges enqueued (at most 20 s more) before the count.
  const cardsEnqueued = (await db.outboxMessage.count()) - outboxBefore;
  for (let waited = 0; waited < 20_000; waited += 250) {
    if ((await db.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } })) === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const cardsDelivered = (await connector.ask<{ activities: number }>("count")).activities;
  const outbox = Object.fromEntries(
    (await db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } })).map((g) => [g.status, g._count._all]),
  );
  console.error(`outbox by status at the end: ${JSON.stringify(outbox)}`);
  await db.$disconnect();
  await Promise.all(services.map((s) => s.close()));
  await Promise.all([connector.close(), floor?.close(), proxy?.close()]);
  dropDatabase = undefined;
  await database?.drop();
  const n = Math.max(1, latencies.length);
  const perRequest = (micros: number, requests = n) => Math.round((micros / 1000 / Math.max(1, requests)) * 100) / 100;
  const round = (x: number) => Math.round(x * 10) / 10;
  const cpuMsPerRequest = perRequest(end.micros - start.micros);
  const floorCpuMsPerRequest = floor ? perRequest(floorCpu1 - floorCpu0, floorRequests) : undefined;
  console.log(
    JSON.stringify({
      users: USERS,
      instances: INSTANCES,
      thinkMs: THINK_MS,
      requests: latencies.length,
      rps: round(latencies.length / seconds),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      errors,
      cpuMsPerRequest,
      ...(floorCpuMsPerRequest ? { floorCpuMsPerRequest, cpuRatio: Math.round((cpuMsPerRequest / floorCpuMsPerRequest) * 100) / 100 } : {}),
      ...(floor ? { floorErrors } : {}),
      backgroundWork,
      ...(backgroundWork === "process" ? { workerCpuMsPerRequest: perRequest(end.workerMicros - start.workerMicros) } : {}),
      ...(proxy ? { proxyCpuMsPerRequest: perRequest(proxyCpu1 - proxyCpu0) } : {}),
      generatorCpuMsPerRequest: perRequest(cpu.user + cpu.system),
      connectorCpuMsPerRequest: perRequest(connectorCpu1 - connectorCpu0),
      postgresCpuMsPerRequest: perRequest(other.postgresMicros),
      // Every process on the machine, other users' included: compare with 2,000 ms of CPU per second.
      machineCpuMsPerRequest: perRequest(other.machineMicros),
      loadAverage: other.loadAverage,
      clock: benchClockStart,
      cardsEnqueued,
      cardsDelivered,
      database: database ? "postgresql" : "pglite",
    }),
  );
}

await main().catch(async (err: unknown) => {
  await dropDatabase?.().catch(() => {});
  throw err;
});
