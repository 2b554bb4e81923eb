// `npm run bench:report`: a large authority's history — 5 years × 1,000 audits a month × 19 area
// scores (≥ 1,000,000 AuditAnswer rows) plus family feedback, moderations, actions, escalations,
// supervision sessions and a health-check campaign — seeded in SQL (generate_series), then the
// monthly report (as the `report` command builds it: at a glance, per-team summaries, appendix,
// six-month trend) and the quarterly report are timed warm (median of several runs).
// Creates its own database on the server bench/benchDatabase.ts names (this machine's PostgreSQL
// unless BENCH_DATABASE_URL / TEST_DATABASE_URL / DATABASE_URL say otherwise), dropped at the end.
// The run's clock and the seeded history's dates are fixed (asOf), so it measures the same data at
// any date. Prints one JSON line last: {"asOf":…,"teams":…,"appendixRows":…,"answers":…,"monthlyMs":…,"quarterlyMs":…}.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { performance } from "node:perf_hooks";
import { migrate } from "../prisma/migrate";
import { createPrisma } from "../services/db";
import { loadConfig } from "../services/config";
import { createLogger } from "../services/logger";
import { ManualClock } from "../services/clock";
import { buildMonthlyView } from "../services/reports";
import { monthlyReport } from "../services/reports/monthly";
import { quarterlyReport } from "../services/reports/trends";
import { reportSettings } from "../services/reports";
import type { AppContext } from "../services/context";
import { dashboardFor } from "../services/home/dashboard";
import { drillFor } from "../services/home/drill";
import { whatWaitsOn } from "../services/home/waiting";
import { benchServerUrl, createBenchDatabase } from "./benchDatabase";

const MONTHS = Number(process.env.BENCH_MONTHS ?? 60);
const PER_MONTH = Number(process.env.BENCH_AUDITS_PER_MONTH ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const server = benchServerUrl();
/** The first month seeded. */
const START = "2021-12-01";
/**
 * The run's clock: noon on the 28th of the last month seeded. The seeded history is dated from it
 * too (which actions are done, escalations' and supervisions' dates, the survey's close), not from
 * the day the bench runs, so every run measures the same data at any date.
 */
const asOf = new Date(Date.UTC(2021, 11 + MONTHS - 1, 28, 12));
const AS_OF = `timestamp '${asOf.toISOString().slice(0, 19).replace("T", " ")}'`;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

const statements = [
  "fs-listens",
  "fs-does-what-they-say",
  "fs-notices-working-well",
  "fs-clear-about-concerns",
  "fs-agree-concerns",
  "fs-involved-in-plans",
  "fs-time-with-children",
  "fs-children-understood",
  "fs-cares",
];

/** The seeding SQL: everything generated inside PostgreSQL. */
function seedSql(): string[] {
  const start = START;
  const fam = statements.map((s) => `'${s}', (3 + floor(random() * 8))::int`).join(", ");
  return [
    `SELECT setseed(0.42)`,
    `INSERT INTO "Team" (id, name, "serviceArea") SELECT 'T' || g, 'Team ' || g, 'Children''s social care' FROM generate_series(1, 24) g`,
    `INSERT INTO "Staff" (id, email, name, roles, "teamId", "updatedAt")
       SELECT 's' || g, 's' || g || '@bench.invalid', 'Staff ' || g,
              CASE WHEN g % 10 = 0 THEN ARRAY['TEAM_MANAGER']::"Role"[] ELSE ARRAY['PRACTITIONER']::"Role"[] END,
              'T' || (1 + g % 24), ${AS_OF}
       FROM generate_series(1, 600) g`,
    `INSERT INTO "Case" (id, "caseRef", "teamId", "planType", "updatedAt")
       SELECT 'c' || g, 'LL' || (100000 + g), 'T' || (1 + g % 24), 'CHILD_IN_NEED', ${AS_OF} FROM generate_series(1, 30000) g`,
    `INSERT INTO "AuditCycle" (id, month, theme, target, seed, "gradeScaleId")
       SELECT 'cy' || m, to_char(date '${start}' + make_interval(months => m), 'YYYY-MM'), 'Theme ' || (m % 6), ${PER_MONTH}, 'bench', 'collaborative-0-6'
       FROM generate_series(0, ${MONTHS - 1}) m`,
    // Audits: 5% not completed, 5% unfinished, the rest returned (10% late); grades 0–6.
    `INSERT INTO "Audit" (id, "cycleId", "caseId", "auditorId", "practitionerId", "teamId", status, "dueDate", "gradeScaleId",
                          grade, "gradeBand", "childrenBenefit", "declineReason", "allocatedAt", "submittedAt", "finalisedAt", "updatedAt")
       SELECT x.id, x.cycle, x.case_id, 's' || (1 + (x.k * 7) % 600), 's' || (1 + (x.k * 13) % 600), 'T' || (1 + x.c % 24), x.status,
              x.due, 'collaborative-0-6',
              CASE WHEN x.returned THEN x.grade END,
              CASE WHEN NOT x.returned THEN NULL WHEN x.grade <= 2 THEN 'inadequate' WHEN x.grade <= 5 THEN 'requires-improvement' ELSE 'good' END,
              CASE WHEN x.returned THEN (ARRAY['yes', 'no', 'unclear', NULL])[1 + floor(random() * 4)::int] END,
              CASE WHEN x.status = 'not_completed' THEN 'Annual leave' END,
              x.mstart, CASE WHEN x.returned THEN x.due - (CASE WHEN random() < 0.1 THEN -2 ELSE 5 END) + time '10:00' END,
              NULL, ${AS_OF}
       FROM (
         SELECT 'a' || m || '_' || i AS id, 'cy' || m AS cycle, 'c' || (1 + (m * ${PER_MONTH} + i * 7) % 30000) AS case_id,
                (m * ${PER_MONTH} + i * 7) % 30000 AS c, m * ${PER_MONTH} + i AS k,
                (date '${start}' + make_interval(months => m))::timestamp + time '09:00' AS mstart,
                ((date '${start}' + make_interval(months => m))::date + 24) AS due,
                r.status, r.status IN ('submitted', 'finalised') AS returned, floor(random() * 7)::int AS grade
         FROM generate_series(0, ${MONTHS - 1}) m, generate_series(1, ${PER_MONTH}) i,
              LATERAL (SELECT CASE WHEN v < 0.05 THEN 'not_completed' WHEN v < 0.10 THEN 'in_progress' WHEN v < 0.55 THEN 'submitted' ELSE 'finalised' END AS status
                       FROM (SELECT random() + 0 * m + 0 * i AS v) q) r
       ) x`,
    // 19 area scores for every audit that was not recorded as not completed (drafts of unfinished audits included).
    `INSERT INTO "AuditAnswer" (id, "auditId", area, score)
       SELECT a.id || ':' || ar, a.id, ar, LEAST(10, GREATEST(0, a.grade + floor(random() * 6)::int - (ar = 17)::int * 2))
       FROM (SELECT id, COALESCE(grade, 3) AS grade FROM "Audit" WHERE status <> 'not_completed') a, generate_series(1, 19) ar`,
    `INSERT INTO "Feedback" (id, "auditId", kind, obtained, answers, "recordedById", "updatedAt")
       SELECT a.id || ':family', a.id, 'family', true, jsonb_build_object('statements', jsonb_build_object(${fam})), a."auditorId", ${AS_OF}
       FROM "Audit" a WHERE a.status IN ('submitted', 'finalised') AND random() < 0.7`,
    `INSERT INTO "Moderation" (id, "auditId", "moderatorId", "returnDate", status, agree, "updatedAt")
       SELECT a.id || ':mod', a.id, 's' || (1 + (length(a.id) * 31) % 600), a."dueDate", 'finalised', random() < 0.7, ${AS_OF}
       FROM "Audit" a WHERE a.status IN ('submitted', 'finalised') AND random() < 0.3`,
    `UPDATE "Audit" a SET "moderatedBand" = CASE a."gradeBand" WHEN 'good' THEN 'requires-improvement' WHEN 'requires-improvement' THEN 'inadequate' ELSE 'requires-improvement' END
       FROM "Moderation" m WHERE m."auditId" = a.id AND m.agree = false`,
    `INSERT INTO "Action" (id, "auditId", "assigneeId", "createdById", description, "dueAt", immediate, status, "updatedAt")
       SELECT a.id || ':act' || k, a.id, a."practitionerId", a."auditorId", 'Update the plan', a."submittedAt" + interval '20 days',
              a."gradeBand" = 'inadequate' AND k = 1, CASE WHEN a."allocatedAt" < ${AS_OF} - interval '3 months' OR random() < 0.5 THEN 'done' ELSE 'open' END, ${AS_OF}
       FROM "Audit" a, generate_series(1, 2) k WHERE a.status IN ('submitted', 'finalised')`,
    `INSERT INTO "Escalation" (id, "caseId", "raiserId", type, concern, "informalAttempts", status, stage, "stageDeadline", "createdAt", "updatedAt", "resolvedAt")
       SELECT 'e' || g, 'c' || (1 + g * 11 % 30000), 's' || (1 + g % 600), 'cp-chair', 'Plan drift', 'Discussed', CASE WHEN g % 5 = 0 THEN 'open' ELSE 'resolved' END,
              1 + g % 4, ${AS_OF} + interval '5 days', ${AS_OF} - make_interval(days => g % 1800), ${AS_OF},
              CASE WHEN g % 5 <> 0 THEN ${AS_OF} - make_interval(days => g % 1800) + interval '20 days' END
       FROM generate_series(1, 3000) g`,
    `INSERT INTO "SupervisionSession" (id, "superviseeId", "supervisorId", "teamId", "dueOn", status, "updatedAt")
       SELECT 'ss' || g, 's' || (1 + g % 600), 's' || (10 * (1 + g % 60)), 'T' || (1 + g % 24), (${AS_OF} - make_interval(days => g % 1800))::date,
              CASE WHEN g % 1800 < 30 THEN 'scheduled' ELSE 'held' END, ${AS_OF}
       FROM generate_series(1, 40000) g`,
    `INSERT INTO "SurveyCampaign" (id, "templateId", "templateVersion", title, audience, "opensAt", "closesAt", status)
       VALUES ('hc', 'health-check', 1, 'Social Work Health Check', '{}', ((SELECT max(month) FROM "AuditCycle") || '-01')::timestamp, ${AS_OF}, 'closed')`,
    `INSERT INTO "SurveyParticipation" (id, "campaignId", "staffId", responded) SELECT 'sp' || g, 'hc', 's' || g, g % 3 <> 0 FROM generate_series(1, 600) g`,
    `INSERT INTO "SurveyResponse" (id, "campaignId", "submittedOn", answers)
       SELECT 'sr' || g, 'hc', ${AS_OF}::date, jsonb_build_object('sos-confidence', 1 + g % 5, 'culture-teamwork', 1 + g % 4) FROM generate_series(1, 400) g`,
    `VACUUM ANALYZE`,
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  return median(runs);
}

const database = await createBenchDatabase(server);
const url = database.url;
let result: Record<string, unknown> | undefined;
try {
  await migrate(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  c.on("error", () => {});
  const t0 = performance.now();
  let counts: { answers: number; audits: number; feedback: number; last: string };
  try {
    for (const sql of seedSql()) await c.query(sql);
    counts = (
      await c.query(`SELECT (SELECT count(*) FROM "AuditAnswer")::int AS answers, (SELECT count(*) FROM "Audit")::int AS audits,
                            (SELECT count(*) FROM "Feedback")::int AS feedback, (SELECT max(month) FROM "AuditCycle") AS last`)
    ).rows[0] as typeof counts;
  } finally {
    await c.end();
  }
  const seedMs = Math.round(performance.now() - t0);
  log(`seeded ${counts.audits} audits, ${counts.answers} answers, ${counts.feedback} feedback in ${seedMs} ms`);

  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: url,
    LOG_LEVEL: "silent",
    SURVEY_SEAL_KEY: randomBytes(32).toString("base64"),
  });
  const db = createPrisma(url, 10);
  const clock = new ManualClock(asOf);
  const ctx: AppContext = { db, config, clock, log: createLogger("silent") };
  const month = counts.last;
  const [y, m] = month.split("-").map(Number);
  const quarter = `${y}-Q${Math.floor((m! - 1) / 3) + 1}`;
  const settings = reportSettings(ctx);
  // What the `report` command and the scheduled send build for leadership: at a glance, per team, six-month trend.
  const monthlyMs = await time(() => buildMonthlyView(db, ctx, { month }, clock.now(), { appendix: false }));
  // What the XLSX needs on top: the 1,000-case appendix and twelve months of area trends.
  const filesViewMs = await time(() => buildMonthlyView(db, ctx, { month }, clock.now(), { areaTrends: true }));
  const monthlyCoreMs = await time(() => monthlyReport(db, { month }, settings, clock.now()));
  // A team manager's report with their team's appendix.
  const teamMs = await time(() => buildMonthlyView(db, ctx, { month, teamIds: ["T3"] }, clock.now()));
  const quarterlyMs = await time(() => quarterlyReport(db, quarter, settings, clock.now()));
  // The Home tab's views (each one JSON answer): the QA team's dashboard, filtered by team and by
  // theme, a team manager's, a drill-down and what waits on one person.
  const qaActor = { id: "s1", name: "Staff 1", roles: ["QA_TEAM" as const], teamId: "T2" };
  const tmActor = { id: "s10", name: "Staff 10", roles: ["TEAM_MANAGER" as const], teamId: "T11" };
  const tab = {
    dashboardMs: await time(() => dashboardFor(ctx, qaActor, { month })),
    dashboardTeamFilterMs: await time(() => dashboardFor(ctx, qaActor, { month, team: "T3" })),
    dashboardThemeFilterMs: await time(() => dashboardFor(ctx, qaActor, { month, theme: "Theme 5" })),
    teamManagerDashboardMs: await time(() => dashboardFor(ctx, tmActor, { month })),
    drillMs: await time(() => drillFor(ctx, qaActor, { month, figure: "returned" })),
    waitingMs: await time(() => whatWaitsOn(ctx, { id: "s13", name: "Staff 13", roles: ["PRACTITIONER"], teamId: "T14" })),
  };
  // What the reports held (the same in every run): the month's team summaries and appendix rows.
  const view = await buildMonthlyView(db, ctx, { month }, clock.now(), { areaTrends: true });
  await db.$disconnect();
  result = {
    asOf: asOf.toISOString(),
    month,
    teams: view.teams.length,
    appendixRows: view.appendix.length,
    answers: counts.answers,
    audits: counts.audits,
    feedback: counts.feedback,
    seedMs,
    monthlyCoreMs,
    teamMs,
    filesViewMs,
    monthlyMs,
    quarterlyMs,
    tab,
  };
} finally {
  // BENCH_KEEP=1 keeps the database for profiling (its name is printed).
  if (process.env.BENCH_KEEP) log(`kept database ${database.name}`);
  else await database.drop();
}
console.log(JSON.stringify(result));
