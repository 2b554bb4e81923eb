// `npm run bench:fanout [-- --users 10000 --ceiling 50 --naive 300 --p429 0.005 --p5xx 0.005 --preset 0.001 --kill-at 0.4 --warm 200 --kill-soft --no-graph]`
//
// A survey invitation to N people through the fake Bot Connector, which enforces Teams' limits with
// the global ceiling scaled up (--ceiling req/s; per conversation 7/1 s, 8/2 s, 60/30 s, 1,800/h)
// and injects seeded random 429s (Retry-After 1 s), 5xx and connection resets. The sender runs as a
// child process and is killed with SIGKILL once mid-run (--kill-at, fraction delivered); a warm
// replacement process takes over (expired leases included). The senders have Graph: a fake Graph
// whose chats are what the fake connector accepted, everyone having the app installed, so each
// send taken over from the dead sender (in doubt: it may have been accepted in the instant of the
// kill) is looked for in the recipient's chat before it is sent again (docs/delivery.md, "Crash
// safety"); --no-graph shows the difference (sent again unchecked, at-least-once). Side by side, a
// naive sequential botbuilder continueConversationAsync loop (its own process, bench/fanoutNaive.ts)
// sends to a sample of --naive people through its own fake connector with the same limits and
// faults; its rate is extrapolated to N.
// Prints one JSON line last (the fields, then graph, inDoubt, reconciled, resentInDoubt);
// the detail before it has deliveries per second, when the limiter throttled, the connector's
// counts and each sender's counters.
//
// The ceiling defaults to Teams' own 50 req/s per app and tenant: 10,000 messages take ~3.5 min, and
// the ratio is the share of what Teams allows that a campaign really gets. Scaled-up ceilings
// (--ceiling 100, 200, 500) shorten the run but measure this 2-core machine as much as the sender.
// Measured 2026-12-01 after the merge (machine otherwise idle), hard kill at 40 %, Graph checks on:
//   {"messages":10000,"ceilingRps":50,"achievedRps":48.1,"ratio":0.962,"duplicates":0,"lost":0,"naiveRatio":0.651,"graph":true,"inDoubt":42,"reconciled":0,"resentInDoubt":0}
//   {"messages":10000,"ceilingRps":50,"achievedRps":47.8,"ratio":0.957,"duplicates":0,"lost":0,"naiveRatio":0.634,"graph":true,"inDoubt":45,"reconciled":1,"resentInDoubt":0}
//   --ceiling 100: {"messages":10000,"ceilingRps":100,"achievedRps":95.1,"ratio":0.951,"duplicates":0,"lost":0,"naiveRatio":0.437,"graph":true,"inDoubt":75,"reconciled":1,"resentInDoubt":0}
// At 200 req/s (the figures below) the fake Teams,
// PostgreSQL and the senders share this machine's two cores; the ratio counts everything from the
// campaign's commit to the last delivery, so it includes the ramp-up (the first claim, ~170 in the
// first second), the kill and takeover, the Retry-After (1 s) of 429s in the last second and the
// requests the injected faults spend (~1.5 % more requests than messages). The pacer's 20 ms
// margin caps the steady rate at 196/s; 190–195/s is what is measured.
// Measured 2026-12-01 (2-core machine shared with another agent, whose benchmarks wait on the
// same lock), hard kill at 40 %:
//   before this session: {"messages":10000,"ceilingRps":200,"achievedRps":190.9,"ratio":0.954,"duplicates":1,"lost":0,"naiveRatio":0.235}
//   with in-doubt checks (Graph):
//     {"messages":10000,"ceilingRps":200,"achievedRps":190,"ratio":0.95,"duplicates":0,"lost":0,"naiveRatio":0.258,"graph":true,"inDoubt":139,"reconciled":2,"resentInDoubt":0}
//     {"messages":10000,"ceilingRps":200,"achievedRps":190.3,"ratio":0.951,"duplicates":0,"lost":0,"naiveRatio":0.241,"graph":true,"inDoubt":94,"reconciled":2,"resentInDoubt":0}
//   final code, three runs in a row:
//     {"messages":10000,"ceilingRps":200,"achievedRps":186.1,"ratio":0.931,"duplicates":0,"lost":0,"naiveRatio":0.246,"graph":true,"inDoubt":172,"reconciled":1,"resentInDoubt":0}
//     {"messages":10000,"ceilingRps":200,"achievedRps":180.9,"ratio":0.905,"duplicates":0,"lost":0,"naiveRatio":0.216,"graph":true,"inDoubt":177,"reconciled":2,"resentInDoubt":0}
//     {"messages":10000,"ceilingRps":200,"achievedRps":189.8,"ratio":0.949,"duplicates":0,"lost":0,"naiveRatio":0.247,"graph":true,"inDoubt":188,"reconciled":1,"resentInDoubt":0}
//     (the 0.905 run spent its first 10 s at 100–150/s: claims took 190 ms on average, PostgreSQL
//     starved of CPU; in the others the steady rate was 190–195/s)
//   --no-graph: {"messages":10000,"ceilingRps":200,"achievedRps":190.2,"ratio":0.951,"duplicates":1,"lost":0,"naiveRatio":0.261,"graph":false,"inDoubt":189,"reconciled":0,"resentInDoubt":189}
//   --ceiling 500: {"messages":10000,"ceilingRps":500,"achievedRps":432.9,"ratio":0.866,"duplicates":0,"lost":0,"naiveRatio":0.096,"graph":true,"inDoubt":443,"reconciled":2,"resentInDoubt":0}
//     (steady 480–494/s; lost: the first 2 s at 250/s while claims of 125 rows took ~160 ms, the
//     kill, the last second)
//   Duplicates: 0 in every run with Graph (1–2 sends a run were found already in the chat), 1 in
//   the run without. The ratio is not reliably ≥ 0.95 on this machine: 0.905–0.955 over all runs
//   at 200, dominated by how much CPU PostgreSQL gets (claim time) rather than by the pacer.
//   Earlier (2026-11-24): --ceiling 200 ratio 0.950–0.955, duplicates 0–5; --ceiling 500 ratio
//   0.824–0.911, duplicates 0–25.
// BENCH_SENDER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to the senders.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startFakeConnector } from "../test/fakes/botConnector";
import { startFakeGraph } from "../test/fakes/graph";
import { migrate } from "../prisma/migrate";
import { scratchDatabaseOrNone } from "./benchDatabase";
import { startEmbeddedPostgres, type DatabaseHandle } from "../services/db";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : def;
}
const N = arg("users", 10_000);
const CEILING = arg("ceiling", 50);
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

const faults = { rate429: P429, rate5xx: P5XX, rateReset: PRESET, statuses5xx: [502, 503, 504], retryAfterSeconds: 1 };
const fake = await startFakeConnector({ rateLimits: { globalLimit: CEILING } });
// Teams is one backend: the fake Graph's chats are what the fake connector accepted. Everyone has
// Assure installed (they opened it), so their chat is found through the installation.
const people = (["bench", "warm"] as const).flatMap((who) =>
  Array.from({ length: who === "bench" ? N : WARM }, (_, i) => `aad-${who}-${i + 1}`),
);
const graph = GRAPH
  ? await startFakeGraph({
      users: people.map((id) => ({ id, displayName: id, userPrincipalName: `${id}@bench.invalid` })),
      apps: [{ id: CATALOG_ID, displayName: "Assure" }],
      botAppId: "assure-bot",
      installed: people.map((userId) => ({ userId, appId: CATALOG_ID })),
      connector: fake,
    })
  : undefined;
const naiveProcess = await startNaive(NAIVE);
const database = await openBenchDatabase();
let exitCode = 0;
try {
  await migrate(database.url);
  await seed(database.url, fake.url);
  console.error(`seeded ${N} people; ceiling ${CEILING} req/s`);

  // The service is running (its sender polling an empty outbox) when the QA team sends the survey;
  // the replacement waits, warm, for the first one to die.
  const first = spawnSender(database.url, "first", graph?.url);
  await first.ready;
  const standby = spawnSender(database.url, "replacement", graph?.url);
  await standby.ready;
  first.proc.send({ type: "go" });
  // A running service has sent before: WARM messages to other people, then the recordings, rate
  // windows and faults of the fake connector start afresh.
  fake.setRandomFaults(null);
  await sendCampaign(database.url, "warm", WARM);
  while (fake.activities.length < WARM) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1_000));
  fake.reset();
  fake.setRandomFaults({ ...faults, seed: 7 });

  await sendCampaign(database.url, "bench", N);
  const t0 = Date.now(); // the campaign is committed: the clock starts
  console.error(`survey invitation written for ${N} people`);
  const naive = naiveProcess.go();

  // Kill the first sender mid-run; the replacement starts at once.
  let killedAt = 0;
  while (fake.activities.length < N * KILL_AT) await new Promise((r) => setTimeout(r, 20));
  if (KILL_MODE === "hard") first.proc.kill("SIGKILL");
  else first.proc.send({ type: "crash" });
  killedAt = (Date.now() - t0) / 1000;
  standby.proc.send({ type: "go" });
  await new Promise((r) => first.proc.once("exit", r));
  const firstStats = first.stats;
  console.error(`killed the first sender at ${killedAt.toFixed(1)} s after ${fake.activities.length} deliveries`);

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
  const statuses = (
    await c.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM "OutboxMessage" WHERE "recipientId" LIKE 'bench-%' GROUP BY status`,
    )
  ).rows;
  await c.end();
  await new Promise((r) => setTimeout(r, 600)); // last stats report
  const secondStats = standby.stats;
  standby.proc.kill("SIGTERM");
  await new Promise((r) => standby.proc.once("exit", r));
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
          firstSender: firstStats,
          replacementSender: secondStats,
          naive: {
            sample: NAIVE,
            ...naiveResult,
            rps: +naiveRps.toFixed(1),
            extrapolatedSecondsForN: +(N / naiveRps).toFixed(0),
            connector: naiveConnector,
          },
          faults: { p429: P429, p5xx: P5XX, pReset: PRESET, leaseMs: LEASE_MS },
          throttledAtSeconds: fake.requests.filter((r) => r.outcome === "throttled").map((r) => +((r.time - t0) / 1000).toFixed(2)),
          graph: graph ? { requests: graph.stats.requests, byStatus: graph.stats.byStatus } : "off (--no-graph)",
        },
      },
      null,
      1,
    ),
  );
  console.log(
    JSON.stringify({
      messages: N,
      ceilingRps: CEILING,
      achievedRps: +achievedRps.toFixed(1),
      ratio: +(achievedRps / CEILING).toFixed(3),
      duplicates,
      lost,
      naiveRatio: +(naiveRps / CEILING).toFixed(3),
      graph: GRAPH,
      inDoubt: (firstStats.inDoubt ?? 0) + (secondStats.inDoubt ?? 0),
      reconciled: (firstStats.reconciled ?? 0) + (secondStats.reconciled ?? 0),
      resentInDoubt: (firstStats.resentInDoubt ?? 0) + (secondStats.resentInDoubt ?? 0),
    }),
  );
  if (open !== 0) exitCode = 1;
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await fake.close();
  await graph?.close();
  await database.close();
}
process.exit(exitCode);
