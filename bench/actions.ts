// `npm run bench:actions`: 100 concurrent virtual users completing audit pages and pressing approval
// buttons against the running service (real database, fake Bot Connector), through /api/messages.
// Prints per-step p50/p99 lines (stderr) and one JSON line last:
// {"users":100,"requests":…,"rps":…,"p50Ms":…,"p99Ms":…,"errors":0,…,"database":"postgresql"|"pglite"}
//
// Database: a fresh database on this machine's PostgreSQL (or the server BENCH_DATABASE_URL,
// TEST_DATABASE_URL or DATABASE_URL names), created and dropped by the run; BENCH_DATABASE=pglite,
// or no reachable server, uses the embedded PostgreSQL (PGlite) instead, as `npm start` does with
// no DATABASE_URL. "database" in the result says which.
// Each user pauses BENCH_THINK_MS (default 1000, ±50 %) between actions; BENCH_THINK_MS=0 is a
// closed loop. BENCH_USERS (100), BENCH_ITERATIONS (10 timed), BENCH_WARMUP (2 untimed).
// The service runs in its own process (bench/actionsService.ts, as `npm start` would run it), and
// so does the fake Bot Connector (bench/actionsConnector.ts); BENCH_SERVICE_NODE_ARGS adds node
// options to the service (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
// cpuMsPerRequest is the service process's CPU, generatorCpuMsPerRequest this process's. The
// service's background work follows BACKGROUND_WORK as in production (auto: a worker process on a
// PostgreSQL server, bot/background.ts; "backgroundWork" in the result); with a worker process,
// workerCpuMsPerRequest is the worker's. stderr also shows the time requests spent inside the
// service (arrival to answer written) and both event loops' delay.
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
import { ERROR_CARD_TITLES } from "../bot/teamsBot";
import { randomBytes, randomUUID } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { backgroundWorkIn, loadConfig } from "../services/config";
import { scratchDatabaseOrNone } from "./benchDatabase";
import { createPrisma } from "../services/db";
import { invokeActionExecute, type FromUser } from "../test/fakes/activities";
import { auditPageAnswers } from "../test/support/auditPages";
import { addWorkingDays } from "../services/workingTime";
import type { Db } from "../services/db";

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

function cardText(card: unknown): string {
  const out: string[] = [];
  walk(card, (o) => {
    for (const k of ["text", "title", "value", "label"]) if (typeof o[k] === "string") out.push(o[k] as string);
  });
  return out.join("\n");
}

function actionData(card: Card, verb: string): Card | undefined {
  let found: Card | undefined;
  walk(card, (o) => {
    if (!found && o.type === "Action.Execute" && o.verb === verb) found = (o.data as Card) ?? {};
  });
  return found;
}

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

interface ServiceProcess {
  url: string;
  databaseUrl: string;
  /** CPU time (user + system) the service process has used so far, and its event-loop delay since the last call. */
  cpu(): Promise<{
    micros: number;
    workerMicros: number;
    loop: { p50: number; p99: number; max: number };
    /** Time inside the service (ms) of each request to /api/messages answered since the last call. */
    served: number[];
  }>;
  close(): Promise<void>;
}

/** A child process of this benchmark (node with the tsx loader) that talks over IPC. */
interface Child {
  ready: { type: string; [k: string]: unknown };
  /** Sends {type} and resolves with the child's answer of the same type. */
  ask<T>(type: string): Promise<T>;
  close(): Promise<void>;
}

async function spawnChild(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Child> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(here, script)], {
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`${script} exited (${code})`))));
  exited.catch(() => {});
  const next = <T>(type: string) =>
    Promise.race([
      new Promise<T>((resolve) => {
        const on = (m: { type?: string }) => {
          if (m?.type !== type) return;
          child.off("message", on);
          resolve(m as T);
        };
        child.on("message", on);
      }),
      exited,
    ]);
  const ready = await next<Child["ready"]>("ready");
  return {
    ready,
    ask<T>(type: string) {
      const reply = next<T>(type);
      child.send({ type });
      return reply;
    },
    async close() {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "stop" });
      await gone;
    },
  };
}

/**
 * The service in its own process (bench/actionsService.ts, node with the tsx loader): the virtual
 * users, their card checks and the fake Bot Connector would otherwise run on the service's event
 * loop and add their own lag to every latency measured.
 */
async function spawnService(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  // BENCH_SERVICE_NODE_ARGS: extra node options for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = await spawnChild("actionsService.ts", env, nodeArgs);
  return {
    url: child.ready.url as string,
    databaseUrl: child.ready.databaseUrl as string,
    cpu: () => child.ask("cpu"),
    close: () => child.close(),
  };
}

async function main() {
  const database = await scratchDatabaseOrNone();
  // The fake Bot Connector in a third process (bench/actionsConnector.ts): see its header.
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
    // As in the working day, whatever the hour of the run: quiet hours shrunk to one minute, so the
    // escalation cards each acknowledge puts in front of its viewers go out at once and the sender
    // works while users press buttons (outside working hours it would hold them all; a weekend or
    // bank holiday still does: "cardsDelivered" in the result shows it).
    QUIET_HOURS_START: process.env.QUIET_HOURS_START ?? "23:59",
    QUIET_HOURS_END: process.env.QUIET_HOURS_END ?? "00:00",
    MicrosoftAppId: "",
    ...(database ? { DATABASE_URL: database.url } : { PGLITE_DIR: "memory://bench" }),
  };
  const config = loadConfig(serviceEnv);
  const backgroundWork = backgroundWorkIn(config, !database);
  const service = await spawnService(serviceEnv);
  const endpoint = `${service.url}/api/messages`;
  const db = createPrisma(service.databaseUrl, 2);
  const users = await setupUsers(db, WARMUP + ITERATIONS, config.GRADE_SCALE);
  await db.$disconnect();

  const latencies: number[] = [];
  let errors = 0;
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
    const t0 = performance.now();
    let card: Card | undefined;
    let detail: string;
    // The clock stops when the whole answer has arrived, before this process checks the card (the
    // checks are the benchmark's work, not the service's).
    let ms: number | undefined;
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      ms = performance.now() - t0;
      let body: { value?: Card } | undefined;
      try {
        body = JSON.parse(text) as { value?: Card };
      } catch {
        body = undefined;
      }
      if (res.status !== 200 || !body?.value) detail = `HTTP ${res.status}`;
      else if (errorTitle(body.value)) detail = `error card: ${errorTitle(body.value)}: ${cardText(body.value).slice(0, 160)}`;
      else detail = expect(body.value) ?? "";
      if (!detail) card = body!.value;
    } catch (err) {
      detail = (err as Error).message;
    }
    ms ??= performance.now() - t0;
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
  const { micros: serviceCpu0, workerMicros: workerCpu0 } = await service.cpu();
  await Promise.all(users.map((u) => virtualUser(u, WARMUP, ITERATIONS, true)));
  const serviceEnd = await service.cpu();
  const serviceCpu = serviceEnd.micros - serviceCpu0;
  const workerCpu = serviceEnd.workerMicros - workerCpu0;
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;

  const sorted = [...latencies].sort((a, b) => a - b);
  for (const [name, xs] of perStep) {
    const s = [...xs].sort((a, b) => a - b);
    console.error(`${name}: n=${s.length} p50=${percentile(s, 50).toFixed(1)}ms p99=${percentile(s, 99).toFixed(1)}ms`);
  }
  const loop = serviceEnd.loop;
  console.error(`service event-loop delay: p50=${loop.p50}ms p99=${loop.p99}ms max=${loop.max}ms`);
  const inService = [...serviceEnd.served].sort((a, b) => a - b);
  console.error(
    `time inside the service (arrival to answer written): n=${inService.length} p50=${percentile(inService, 50).toFixed(1)}ms p99=${percentile(inService, 99).toFixed(1)}ms`,
  );
  generatorLoop.disable();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  console.error(
    `generator event-loop delay: p50=${ms(generatorLoop.percentile(50))}ms p99=${ms(generatorLoop.percentile(99))}ms max=${ms(generatorLoop.max)}ms`,
  );
  if (errorSamples.length) console.error("errors:", errorSamples);
  if (process.env.BENCH_TRACE) writeFileSync(process.env.BENCH_TRACE, trace.join("\n"));
  const cardsDelivered = (await connector.ask<{ activities: number }>("count")).activities;
  await service.close();
  await connector.close();
  await database?.drop();
  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({
      users: USERS,
      thinkMs: THINK_MS,
      requests: latencies.length,
      rps: round(latencies.length / seconds),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      errors,
      cpuMsPerRequest: round(serviceCpu / 1000 / Math.max(1, latencies.length)),
      backgroundWork,
      ...(backgroundWork === "process" ? { workerCpuMsPerRequest: round(workerCpu / 1000 / Math.max(1, latencies.length)) } : {}),
      generatorCpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length)),
      cardsDelivered,
      database: database ? "postgresql" : "pglite",
    }),
  );
}

await main();
