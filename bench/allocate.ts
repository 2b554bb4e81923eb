// `npm run bench:allocate`: time to allocate 300 cases across 60 auditors.
//  1. the pure plan (sampling + spreading) for 300 cases × 60 auditors, median of 20 runs;
//  2. end to end on a fresh demo database (migrated, seeded: 300 cases, 60 staff of whom 19 may
//     audit) plus 41 extra Deputy Team Managers so 60 auditors take part: allocateMonth with
//     target 300 writes 300 audits, self-assessments, history, 1,200 outbox cards and 300 jobs.
// Makes a scratch database on the server bench/benchDatabase.ts names (this machine's PostgreSQL
// unless BENCH_DATABASE_URL / TEST_DATABASE_URL / DATABASE_URL say otherwise), else an embedded
// PGlite (BENCH_DATABASE=pglite, or no server). Prints one JSON line last.
import { loadConfig } from "../services/config";
import { createPrisma, startEmbeddedPostgres } from "../services/db";
import { migrate } from "../prisma/migrate";
import { seedDemo } from "../prisma/seed";
import { ManualClock } from "../services/clock";
import { createLogger } from "../services/logger";
import { allocateMonth } from "../services/audit/allocation";
import { planAllocation, type PlanAuditor, type PlanCase } from "../services/audit/plan";
import { scratchDatabaseOrNone } from "./benchDatabase";

/** The run's clock (a Tuesday morning): the month allocated, its due dates and its cards' delivery times are the same on any day. */
const CLOCK = "2026-11-24T10:00:00Z";
const TEAMS = ["AI1", "AI2", "CIN", "CP", "CIC", "LC"];
const PLANS = ["EARLY_HELP", "CHILD_IN_NEED", "CHILD_PROTECTION", "CHILD_LOOKED_AFTER", "CARE_LEAVER", "CONTACT"];

// 1. pure plan
const cases: PlanCase[] = Array.from({ length: 300 }, (_, i) => ({
  id: `c${i}`,
  caseRef: `LL${100000 + i}`,
  teamId: TEAMS[i % 6]!,
  planType: PLANS[(i * 7) % 6]!,
  serviceArea: TEAMS[i % 6]!,
  workerId: `w${i % 30}`,
  managerId: `m${i % 6}`,
}));
const auditors: PlanAuditor[] = Array.from({ length: 60 }, (_, i) => ({
  id: `a${i}`,
  email: `a${String(i).padStart(2, "0")}@x`,
  teamId: i < 48 ? TEAMS[i % 6]! : "LEAD",
}));
const times: number[] = [];
let spread = 0;
for (let r = 0; r < 20; r++) {
  const t = performance.now();
  const plan = planAllocation({ cases, auditors, target: 300, seed: `bench-${r}` });
  times.push(performance.now() - t);
  const counts = [...plan.loads.values()];
  spread = Math.max(spread, Math.max(...counts) - Math.min(...counts));
}
times.sort((a, b) => a - b);
const planMs = times[10]!;
console.log(`plan 300 cases × 60 auditors: median ${planMs.toFixed(2)} ms (max spread ${spread})`);

// 2. end to end
const d = await scratchDatabaseOrNone();
let url: string;
let cleanup: () => Promise<void>;
if (d) {
  url = d.url;
  cleanup = d.drop;
} else {
  const h = await startEmbeddedPostgres("memory://");
  url = h.url;
  cleanup = () => h.close();
}
const db = createPrisma(url, 4);
let result: Record<string, unknown>;
try {
  await migrate(url);
  await seedDemo(db);
  const tm = await db.staff.findFirst({ where: { roles: { has: "SERVICE_MANAGER" } } });
  await db.staff.createMany({
    data: Array.from({ length: 41 }, (_, i) => ({
      email: `bench.auditor${i}@council.example`,
      name: `Bench Auditor ${i}`,
      roles: ["DEPUTY_TEAM_MANAGER" as const],
      teamId: TEAMS[i % 6]!,
      lineManagerId: tm?.id ?? null,
    })),
  });
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" });
  const ctx = { db, config, clock: new ManualClock(CLOCK), log: createLogger("warn") };
  await db.staff.count();
  const warm = await allocateMonth(ctx, null, { month: "2026-12", target: 300, seed: "bench", dryRun: true });
  const t = performance.now();
  const s = await allocateMonth(ctx, null, { month: "2026-12", target: 300, seed: "bench" });
  const e2eMs = performance.now() - t;
  const counts = s.loads.map((l) => l.count);
  const outbox = await db.outboxMessage.count();
  console.log(
    `allocate (database, ${d ? "PostgreSQL" : "PGlite"}): ${s.allocations.length} audits × ${s.auditorCount} auditors in ${e2eMs.toFixed(0)} ms ` +
      `(dry run ${warm.ms.toFixed(0)} ms), ${outbox} outbox cards, loads ${Math.min(...counts)}–${Math.max(...counts)}`,
  );
  result = {
    bench: "allocate",
    clock: CLOCK,
    cases: s.allocations.length,
    auditors: s.auditorCount,
    planMedianMs: Number(planMs.toFixed(2)),
    dryRunMs: Math.round(warm.ms),
    allocateMs: Math.round(e2eMs),
    outboxCards: outbox,
    minLoad: Math.min(...counts),
    maxLoad: Math.max(...counts),
    database: d ? "postgresql" : "pglite",
  };
} finally {
  await db.$disconnect();
  await cleanup();
}
console.log(JSON.stringify(result));
