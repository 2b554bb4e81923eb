// `npm run bench:actions`: 100 concurrent virtual users driving real card actions against the
// running service (real database, fake Bot Connector). Prints one JSON line last:
// {"users":100,"requests":…,"rps":…,"p50Ms":…,"p99Ms":…,"errors":0}
//
// Database: BENCH_DATABASE_URL names a PostgreSQL server (a fresh database is created and dropped
// on it); without it the embedded PostgreSQL (PGlite) is used, as in `npm start` locally.
// Each user pauses BENCH_THINK_MS (default 1000, ±50 %) between actions; BENCH_THINK_MS=0 is a
// closed loop. Scenario: each user repeats the steps below. Add steps by name as workflows land, e.g.
// { verb: "audit.page", data: (u) => ({ auditId: u.auditId, page: 2 }) } — see STEPS.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { startService } from "../bot/service";
import { startFakeConnector } from "../test/fakes/botConnector";
import { invokeActionExecute, messageActivity, type FromUser } from "../test/fakes/activities";

interface Step {
  name: string;
  verb?: string;
  say?: string;
  data?: (u: FromUser) => Record<string, unknown>;
}

const STEPS: Step[] = [
  { name: "help.show (Action.Execute)", verb: "help.show" },
  { name: "typed command: help", say: "help" },
  { name: "help.show with card data", verb: "help.show", data: () => ({ page: 1, note: "x".repeat(200) }) },
];

const USERS = Number(process.env.BENCH_USERS ?? 100);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
/**
 * Pause of each user between actions (a person reads a card before pressing the next button).
 * 0 = closed loop, every user fires again at once: then latency ≈ users ÷ throughput (Little's law).
 */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);

async function freshDatabase(server: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `assure_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: server });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => a.end());
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function main() {
  const server = process.env.BENCH_DATABASE_URL;
  const database = server ? await freshDatabase(server) : undefined;
  const connector = await startFakeConnector({ rateLimits: false });
  const config = loadConfig({
    ...process.env,
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    SCHEDULER_ENABLED: "false",
    DEMO_SEED: "true",
    MicrosoftAppId: "",
    ...(database ? { DATABASE_URL: database.url } : { PGLITE_DIR: "memory://bench" }),
  });
  const log = createLogger(config.LOG_LEVEL);
  const service = await startService({ config, log, databaseUrl: database?.url, seedDemo: true });
  const endpoint = `${service.url}/api/messages`;
  const staff = await service.ctx.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" } });
  const users: FromUser[] = Array.from({ length: USERS }, (_, i) => {
    const s = staff[i % staff.length]!;
    return { aadObjectId: s.aadObjectId!, name: s.name };
  });

  const latencies: number[] = [];
  let errors = 0;
  const errorSamples: string[] = [];
  const perStep = new Map<string, number[]>();

  async function request(u: FromUser, step: Step, record: boolean): Promise<void> {
    const activity = step.verb
      ? invokeActionExecute({ from: u, serviceUrl: connector.url, verb: step.verb, data: step.data?.(u) ?? {} })
      : messageActivity({ from: u, serviceUrl: connector.url, text: step.say ?? "help" });
    const t0 = performance.now();
    let ok = false;
    let detail = "";
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      ok = res.status === 200 && !/Something went wrong|Not allowed|not recognised/.test(text);
      if (!ok) detail = `${res.status} ${text.slice(0, 120)}`;
    } catch (err) {
      detail = (err as Error).message;
    }
    const ms = performance.now() - t0;
    if (!record) return;
    latencies.push(ms);
    (perStep.get(step.name) ?? perStep.set(step.name, []).get(step.name)!).push(ms);
    if (!ok) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(`${step.name}: ${detail}`);
    }
  }

  async function virtualUser(u: FromUser, iterations: number, record: boolean) {
    // Users start spread over one think time, as real people do.
    if (THINK_MS > 0) await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
    for (let i = 0; i < iterations; i++)
      for (const step of STEPS) {
        await request(u, step, record);
        if (THINK_MS > 0) await new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random())));
      }
  }

  await Promise.all(users.map((u) => virtualUser(u, WARMUP, false)));
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(users.map((u) => virtualUser(u, ITERATIONS, true)));
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;

  const sorted = [...latencies].sort((a, b) => a - b);
  for (const [name, xs] of perStep) {
    const s = [...xs].sort((a, b) => a - b);
    console.error(`${name}: n=${s.length} p50=${percentile(s, 50).toFixed(1)}ms p99=${percentile(s, 99).toFixed(1)}ms`);
  }
  if (errorSamples.length) console.error("errors:", errorSamples);
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
      cpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length)),
      database: database ? "postgresql" : "pglite",
    }),
  );
}

await main();
