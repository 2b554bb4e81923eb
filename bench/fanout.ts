// `npm run bench:fanout [-- --users 10000 --ceiling 50 --instances 1 --naive 300 --p429 0.005 --p5xx 0.005 --preset 0.001 --kill-at 0.4 --warm 200 --kill-soft --no-graph]`
//
// A survey invitation to N people through the fake Bot Connector, which enforces Teams' limits (the
// global ceiling --ceiling req/s per app and tenant; per conversation 7/1 s, 8/2 s, 60/30 s, 1,800/h)
// and injects seeded random 429s (Retry-After 1 s), 5xx and connection resets. The senders run as
// child processes sharing the tenant's ceiling through the database. With --instances 1 the sender
// is killed with SIGKILL once mid-run (--kill-at, fraction delivered) and a warm replacement takes
// over (expired leases included); with --instances K > 1, K senders run together and one of them is
// killed mid-run: the others take its share of the ceiling and, once its leases expire, its rows.
// The fake connector and the fake Graph run in a process of their own (bench/fanoutTeams.ts), so the
// benchmark's own work cannot delay when the connector counts a request, and at a higher priority
// than the senders (as root). The senders have Graph: a fake Graph whose chats are what the fake
// connector accepted, so each send taken over from the dead sender (in doubt) is looked for in the
// recipient's chat before it is sent again (docs/delivery.md, "Crash safety"); --no-graph shows
// the difference. Side by side, a
// naive sequential botbuilder continueConversationAsync loop (bench/fanoutNaive.ts) sends to a
// sample of --naive people through its own fake connector; its rate is extrapolated to N.
// The campaign's rows are written due at once (as an urgent message is, or a routine one in working
// hours), so the run measures the same work on any day and at any hour.
// Prints one JSON line last: instances, ratio (achieved rate / ceiling), throttled (429s the
// connector sent because of our pacing, not injected ones), duplicates, lost, delivered, and more;
// the detail before it has deliveries per second, the connector's counts and each sender's counters.
// Figures: docs/load.md and docs/delivery.md.
// BENCH_SENDER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to the senders,
// BENCH_TEAMS_NODE_ARGS to the fake Teams.
import { spawn, type ChildProcess } from "node:child_process";
import { setPriority } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { ConnectorStats, RandomFaultSpec } from "../test/fakes/botConnector";
import { migrate } from "../prisma/migrate";
import { scratchDatabaseOrNone } from "./benchDatabase";
import { startEmbeddedPostgres, type DatabaseHandle } from "../services/db";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : def;
}
const N = arg("users", 10_000);
const CEILING = arg("ceiling", 50);
/** Sender processes running together (1: one, then a warm replacement after the kill). */
const INSTANCES = Math.max(1, Math.floor(arg("instances", 1)));
const NAIVE = arg("naive", 300);
const P429 = arg("p429", 0.005);
const P5XX = arg("p5xx", 0.005);
const PRESET = arg("preset", 0.001);
const KILL_AT = arg("kill-at", 0.4);
/** Warm-up messages the first sender delivers before the measured campaign (not counted). */
const WARM = arg("warm", 200);
const LEASE_MS = arg("lease", 3_000);
/** hard: SIGKILL (requests on the wire at that instant may be delivered twice); soft: abandon() then exit. */
const KILL_MODE = process.argv.includes("--kill-soft") ? "soft" : "hard";
/** Senders check in-doubt sends in the recipient's chat through the fake Graph (off: re-sent, at-least-once). */
const GRAPH = !process.argv.includes("--no-graph");
const CATALOG_ID = "assure-catalog-id";
const here = path.dirname(fileURLToPath(import.meta.url));
const SURVEY = {
  title: "Staff survey: tell us about supervision",
  text: "It takes five minutes. Your answers are anonymous; only group results of five or more are shown.",
};

async function openBenchDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  const d = await scratchDatabaseOrNone();
  if (d) return { url: d.url, close: () => d.drop() };
  const h: DatabaseHandle = await startEmbeddedPostgres("memory://");
  return { url: h.url, close: () => h.close() };
}

async function seed(url: string, fakeUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    for (const [who, count] of [
      ["bench", N],
      ["warm", WARM],
    ] as const)
      await seedPeople(c, who, count, fakeUrl);
    await c.query("COMMIT");
  } finally {
    await c.end();
  }
}

async function seedPeople(c: pg.Client, who: "bench" | "warm", count: number, fakeUrl: string): Promise<void> {
  await c.query(
    `INSERT INTO "Staff" (id, email, name, roles, active, source, "aadObjectId", "createdAt", "updatedAt")
     SELECT $2 || '-' || i, $2 || i || '@bench.invalid', 'User ' || i, ARRAY['PRACTITIONER']::"Role"[], true, 'bench', 'aad-' || $2 || '-' || i,
       now(), now()
     FROM generate_series(1, $1::int) i`,
    [count, who],
  );
  await c.query(
    `INSERT INTO "ConversationReference" (id, "staffId", "conversationId", "serviceUrl", "tenantId", "botId", reference, "createdAt", "updatedAt")
     SELECT gen_random_uuid()::text, $3 || '-' || i, 'a:conv-29:' || $3 || '-' || i, $2, 't1', '28:assure-bot',
       jsonb_build_object('channelId', 'msteams', 'serviceUrl', $2::text,
         'conversation', jsonb_build_object('id', 'a:conv-29:' || $3 || '-' || i, 'conversationType', 'personal', 'tenantId', 't1'),
         'bot', jsonb_build_object('id', '28:assure-bot', 'name', 'Assure'),
         'user', jsonb_build_object('id', '29:' || $3 || '-' || i, 'aadObjectId', 'aad-' || $3 || '-' || i, 'name', 'User ' || i)),
       now(), now()
     FROM generate_series(1, $1::int) i`,
    [count, fakeUrl, who],
  );
}

/** What a survey campaign does while the service runs: one outbox row per person, in one transaction. */
async function sendCampaign(url: string, who: "bench" | "warm", count: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO "OutboxMessage" (id, "idempotencyKey", "recipientId", kind, payload, status, "notBefore", "nextAttemptAt", "createdAt")
       SELECT gen_random_uuid()::text, 'survey:' || $3 || ':' || i, $3 || '-' || i, 'send', $2::jsonb, 'pending', now() - interval '1 second', now() - interval '1 second', now()
       FROM generate_series(1, $1::int) i`,
      [count, JSON.stringify({ template: "message", data: SURVEY }), who],
    );
  } finally {
    await c.end();
  }
}

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  stats: Record<string, number>;
}

function spawnSender(dbUrl: string, instance: string, graphUrl: string | undefined): Child {
  const nodeArgs = (process.env.BENCH_SENDER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(here, "fanoutSender.ts")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      LOG_LEVEL: "error",
      DEMO_SEED: "false",
      DELIVERY_GLOBAL_RPS: String(CEILING),
      DELIVERY_LEASE_MS: String(LEASE_MS),
      DELIVERY_REQUEST_TIMEOUT_MS: "15000",
      DELIVERY_POLL_MS: "100",
      DB_POOL_MAX: "12",
      BENCH_INSTANCE: instance,
      ...(graphUrl
        ? {
            GRAPH_TENANT_ID: "t1",
            GRAPH_CLIENT_ID: "bench",
            GRAPH_CLIENT_SECRET: "bench",
            GRAPH_BASE_URL: graphUrl,
            GRAPH_AUTHORITY_URL: graphUrl,
            TEAMS_APP_CATALOG_ID: CATALOG_ID,
          }
        : {}),
    },
  });
  const child: Child = { proc, stats: {}, ready: Promise.resolve() };
  child.ready = new Promise((resolve, reject) => {
    proc.on("message", (m: { type: string; stats?: Record<string, number> }) => {
      if (m.type === "ready") resolve();
      if (m.type === "stats" && m.stats) child.stats = m.stats;
    });
    proc.once("exit", (code) => reject(new Error(`sender ${instance} exited (${code}) before it was ready`)));
  });
  return child;
}

/** Deliveries in each whole second since t0 (where the rate dips: the kill, a burst of 429s). */
function perSecond(times: number[], t0: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    const i = Math.floor((t - t0) / 1000);
    while (out.length <= i) out.push(0);
    out[i]!++;
  }
  return out;
}

interface NaiveRun {
  result: { sent: number; failed: number; seconds: number };
  connector: { requests: number; throttledByLimiter: number; total429: number };
}

/** The naive loop in its own process with its own fake connector (bench/fanoutNaive.ts); resolves when it is ready. */
async function startNaive(count: number): Promise<{ go(): Promise<NaiveRun> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(here, "fanoutNaive.ts")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, BENCH_NAIVE: JSON.stringify({ count, ceiling: CEILING, faults: { ...faults, seed: 11 }, survey: SURVEY }) },
  });
  const done = new Promise<NaiveRun>((resolve, reject) => {
    proc.on("message", (m: { type: string } & NaiveRun) => m.type === "done" && resolve(m));
    proc.once("exit", (code) => reject(new Error(`naive loop exited (${code})`)));
  });
  await new Promise<void>((resolve, reject) => {
    proc.on("message", (m: { type: string }) => m.type === "ready" && resolve());
    done.catch(reject);
  });
  return {
    go() {
      proc.send({ type: "go" });
      return done;
    },
  };
}

interface TeamsReport {
  activities: { conversationId: string; time: number }[];
  stats: ConnectorStats;
  trace: unknown;
  graph: unknown;
}

/** The fake Bot Connector and fake Graph in their own process (bench/fanoutTeams.ts). */
async function startTeams() {
  const proc = spawn(
    process.execPath,
    [...(process.env.BENCH_TEAMS_NODE_ARGS ?? "").split(" ").filter(Boolean), "--import", "tsx", path.join(here, "fanoutTeams.ts")],
    {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        BENCH_TEAMS: JSON.stringify({ ceiling: CEILING, people: { bench: N, warm: WARM }, catalogId: CATALOG_ID, graph: GRAPH }),
      },
    },
  );
  // Microsoft's servers do not share the senders' two cores: the fake that stands in for them goes
  // first when the machine is busy (root only; elsewhere it keeps the default priority).
  let priority = 0;
  try {
    setPriority(proc.pid!, -10);
    priority = -10;
  } catch {
    // not permitted: measured at the same priority as the senders
  }
  // One question of each type at a time: its answer is the next message of that type.
  const waiting = new Map<string, { resolve(m: unknown): void; reject(e: Error): void }>();
  const answer = <T>(type: string) =>
    new Promise<T>((resolve, reject) => waiting.set(type, { resolve: resolve as (m: unknown) => void, reject }));
  proc.on("message", (m: { type: string }) => {
    waiting.get(m.type)?.resolve(m);
    waiting.delete(m.type);
  });
  proc.once("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the fake Teams exited (${code})`));
    waiting.clear();
  });
  const ready = await answer<{ connectorUrl: string; graphUrl?: string }>("ready");
  const ask = <T>(type: string, extra: object = {}) => {
    const a = answer<T>(type);
    proc.send({ type, ...extra });
    return a;
  };
  return {
    priority,
    connectorUrl: ready.connectorUrl,
    graphUrl: ready.graphUrl,
    delivered: async () => (await ask<{ activities: number }>("count")).activities,
    setFaults: (spec: RandomFaultSpec | null) => proc.send({ type: "faults", spec }),
    reset: () => proc.send({ type: "reset" }),
    report: (t0: number) => ask<TeamsReport>("report", { t0, ceiling: CEILING }),
    stop: () => new Promise<void>((resolve) => (proc.once("exit", () => resolve()), proc.send({ type: "stop" }))),
  };
}

/** Waits until Teams has accepted `count` messages. */
async function deliveredAtLeast(count: number): Promise<void> {
  while ((await teams.delivered()) < count) await new Promise((r) => setTimeout(r, 20));
}

const faults = { rate429: P429, rate5xx: P5XX, rateReset: PRESET, statuses5xx: [502, 503, 504], retryAfterSeconds: 1 };
const teams = await startTeams();
const naiveProcess = await startNaive(NAIVE);
const database = await openBenchDatabase();
let exitCode = 0;
try {
  await migrate(database.url);
  await seed(database.url, teams.connectorUrl);
  console.error(`seeded ${N} people; ceiling ${CEILING} req/s`);

  // The service is running (its senders polling an empty outbox) when the QA team sends the survey.
  // One instance: a warm replacement waits for it to die. Several: they run together.
  const senders = Array.from({ length: INSTANCES }, (_, i) =>
    spawnSender(database.url, INSTANCES === 1 ? "first" : `sender-${i + 1}`, teams.graphUrl),
  );
  for (const s of senders) await s.ready;
  const standby = INSTANCES === 1 ? spawnSender(database.url, "replacement", teams.graphUrl) : undefined;
  await standby?.ready;
  const first = senders[0]!;
  for (const s of senders) s.proc.send({ type: "go" });
  // A running service has sent before: WARM messages to other people, then the recordings, rate
  // windows and faults of the fake connector start afresh.
  teams.setFaults(null);
  await sendCampaign(database.url, "warm", WARM);
  await deliveredAtLeast(WARM);
  await new Promise((r) => setTimeout(r, 1_000));
  teams.reset();
  teams.setFaults({ ...faults, seed: 7 });

  await sendCampaign(database.url, "bench", N);
  const t0 = Date.now(); // the campaign is committed: the clock starts
  console.error(`survey invitation written for ${N} people; ${INSTANCES} sender instance(s)`);
  const naive = naiveProcess.go();

  // Kill one sender mid-run; with one instance, the replacement starts at once.
  let killedAt = 0;
  await deliveredAtLeast(N * KILL_AT);
  if (KILL_MODE === "hard") first.proc.kill("SIGKILL");
  else first.proc.send({ type: "crash" });
  killedAt = (Date.now() - t0) / 1000;
  standby?.proc.send({ type: "go" });
  await new Promise((r) => first.proc.once("exit", r));
  const firstStats = first.stats;
  console.error(`killed ${INSTANCES === 1 ? "the" : "one"} sender at ${killedAt.toFixed(1)} s after ${await teams.delivered()} deliveries`);

  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  const deadline = Date.now() + Math.max(120_000, (N / CEILING) * 10_000);
  let open = N;
  while (Date.now() < deadline) {
    const r = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM "OutboxMessage" WHERE status NOT IN ('sent', 'dead', 'blocked', 'skipped')`,
    );
    open = Number(r.rows[0]!.n);
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tEnd = Date.now();
  const fake = await teams.report(t0);
  const statuses = (
    await c.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM "OutboxMessage" WHERE "recipientId" LIKE 'bench-%' GROUP BY status`,
    )
  ).rows;
  await c.end();
  await new Promise((r) => setTimeout(r, 600)); // last stats report
  const others = [...senders.slice(1), ...(standby ? [standby] : [])];
  const otherStats = others.map((o) => o.stats);
  const sum = (k: string) => [firstStats, ...otherStats].reduce((n, st) => n + (st[k] ?? 0), 0);
  for (const o of others) o.proc.kill("SIGTERM");
  await Promise.all(others.map((o) => new Promise((r) => o.proc.once("exit", r))));
  const { result: naiveResult, connector: naiveConnector } = await naive;

  // Duplicates and losses, as Teams would see them.
  const perConversation = new Map<string, number>();
  for (const a of fake.activities) perConversation.set(a.conversationId, (perConversation.get(a.conversationId) ?? 0) + 1);
  let duplicates = 0;
  for (const n of perConversation.values()) duplicates += n - 1;
  let lost = 0;
  for (let i = 1; i <= N; i++) if (!perConversation.has(`a:conv-29:bench-${i}`)) lost++;
  const times = fake.activities.map((a) => a.time);
  const lastDelivery = Math.max(...times);
  const seconds = (lastDelivery - t0) / 1000;
  const achievedRps = (N - lost) / seconds;
  const naiveRps = naiveResult.sent / naiveResult.seconds;

  console.error(
    JSON.stringify(
      {
        detail: {
          secondsToLastDelivery: +seconds.toFixed(2),
          deliveriesPerSecond: perSecond(times, t0),
          secondsUntilAllRecorded: +((tEnd - t0) / 1000).toFixed(2),
          killedAtSeconds: +killedAt.toFixed(2),
          killMode: KILL_MODE,
          statuses: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
          connector: {
            requests: fake.stats.requests,
            throttledByLimiter: fake.stats.throttled,
            total429: fake.stats.total429,
            faults5xx: fake.stats.faults,
            resets: fake.stats.resets,
          },
          killedSender: firstStats,
          otherSenders: otherStats,
          naive: {
            sample: NAIVE,
            ...naiveResult,
            rps: +naiveRps.toFixed(1),
            extrapolatedSecondsForN: +(N / naiveRps).toFixed(0),
            connector: naiveConnector,
          },
          faults: { p429: P429, p5xx: P5XX, pReset: PRESET, leaseMs: LEASE_MS },
          throttledByLimiter: fake.trace,
          teamsProcessNice: teams.priority,
          graph: fake.graph,
        },
      },
      null,
      1,
    ),
  );
  console.log(
    JSON.stringify({
      instances: INSTANCES,
      messages: N,
      delivered: N - lost,
      ceilingRps: CEILING,
      achievedRps: +achievedRps.toFixed(1),
      ratio: +(achievedRps / CEILING).toFixed(3),
      throttled: fake.stats.throttled,
      duplicates,
      lost,
      naiveRatio: +(naiveRps / CEILING).toFixed(3),
      graph: GRAPH,
      inDoubt: sum("inDoubt"),
      reconciled: sum("reconciled"),
      resentInDoubt: sum("resentInDoubt"),
      startedAt: new Date(t0).toISOString().slice(0, 16).replace("T", " ") + " UTC",
    }),
  );
  if (open !== 0) exitCode = 1;
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await teams.stop();
  await database.close();
}
process.exit(exitCode);
