// Month-to-month series (the spreadsheet the 2017 “Audit at a glance” reports say was "not yet in presentable form") and the
// quarterly QA report bringing audits, moderation, escalations, the health check and feedback together.
import { Prisma } from "../../generated/prisma/client";
import { loadAuditTool, loadGradeScales } from "../catalogue";
import { disclose, disclosable, releasedCount, releasedSql, respondentCount } from "../disclosure";
import { shiftMonth } from "../dates";
import { direction, quarterMonths, round1, share, type Direction, type Share } from "./format";
import { statementValue, monthlyReport, type MonthlyReport, type Queryable, type StatementRow } from "./monthly";
import { CLOSED_ESCALATION_STATUSES, HEALTH_CHECK_TEMPLATE, RETURNED_AUDIT_STATUSES, type ReportSettings } from "./settings";
import { MODERATION_COMPLETED } from "../moderation/states";

export const goodBandIds = (): string[] => [
  ...new Set(loadGradeScales().scales.flatMap((s) => s.bands.filter((b) => b.isGood).map((b) => b.id))),
];

export interface TrendMonth {
  month: string;
  returned: number;
  good: Share;
  bands: Record<string, number>;
  areaMeans: Record<number, number | null>;
  areaBelowPct: Record<number, number | null>;
}

export interface Trends {
  from: string;
  to: string;
  months: TrendMonth[];
  goodDirection: Direction;
  areas: { area: number; title: string; first: number | null; last: number | null; direction: Direction }[];
}

/** The `count` months ending with `month` (all themes), one SQL query for grades and one for areas. */
export async function trends(
  db: Queryable,
  month: string,
  settings: ReportSettings,
  count = settings.trendMonths,
  opts: { areas?: boolean } = {},
): Promise<Trends> {
  const from = shiftMonth(month, -(count - 1));
  const good = goodBandIds();
  const base = Prisma.sql`
    ra AS (
      SELECT au.id, c.month, COALESCE(au."moderatedBand", au."gradeBand") AS band
      FROM "AuditCycle" c JOIN "Audit" au ON au."cycleId" = c.id
      WHERE c.month BETWEEN ${from} AND ${month}
        AND au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[])
    )`;
  const [grades, areas] = await Promise.all([
    db.$queryRaw<{ month: string; band: string | null; count: number }[]>`
      WITH ${base} SELECT month, band, count(*)::int AS count FROM ra GROUP BY 1, 2 ORDER BY 1`,
    opts.areas === false
      ? Promise.resolve([] as { month: string; area: number; mean: number | null; scored: number; below: number }[])
      : db.$queryRaw<{ month: string; area: number; mean: number | null; scored: number; below: number }[]>`
      WITH ${base}
      SELECT ra.month, ans.area, avg(ans.score)::float8 AS mean, count(ans.score)::int AS scored,
             count(*) FILTER (WHERE ans.score < ${settings.belowGoodScore})::int AS below
      FROM ra JOIN "AuditAnswer" ans ON ans."auditId" = ra.id GROUP BY 1, 2 ORDER BY 1, 2`,
  ]);
  const months: TrendMonth[] = [];
  for (let i = 0; i < count; i++) {
    const m = shiftMonth(from, i);
    const g = grades.filter((r) => r.month === m);
    const returned = g.reduce((s, r) => s + r.count, 0);
    const goodCount = g.filter((r) => r.band && good.includes(r.band)).reduce((s, r) => s + r.count, 0);
    const ar = areas.filter((r) => r.month === m);
    months.push({
      month: m,
      returned,
      good: share(goodCount, returned),
      bands: Object.fromEntries(g.map((r) => [r.band ?? "ungraded", r.count])),
      areaMeans: Object.fromEntries(ar.map((r) => [r.area, round1(r.mean)])),
      areaBelowPct: Object.fromEntries(ar.map((r) => [r.area, r.scored ? Math.round((r.below / r.scored) * 100) : null])),
    });
  }
  const withData = months.filter((m) => m.returned > 0);
  const last = withData[withData.length - 1];
  const prev = withData[withData.length - 2];
  const areaList = loadAuditTool().areas.map((a) => {
    const l = last?.areaMeans[a.number] ?? null;
    const p = prev?.areaMeans[a.number] ?? null;
    return { area: a.number, title: a.title, first: p, last: l, direction: direction(l, p, settings.trendEpsilon) };
  });
  return {
    from,
    to: month,
    months,
    goodDirection: direction(last?.good.pct, prev?.good.pct, 0),
    areas: areaList,
  };
}

export interface QuarterlyReport {
  quarter: string;
  months: string[];
  audits: {
    allocated: number;
    returned: number;
    target: number;
    targetVsActual: Share;
    good: Share;
    grades: { band: string; count: number }[];
    byMonth: { month: string; returned: number; good: Share }[];
  };
  moderation: { moderated: number; agreed: Share; movedUp: number; movedDown: number };
  escalations: {
    open: number;
    raisedInQuarter: number;
    resolvedInQuarter: number;
    byStage: { stage: number; count: number }[];
    byAge: { age: string; count: number }[];
  };
  healthCheck: null | {
    title: string;
    invited: number;
    responded: Share;
    responses: number;
    means: { question: string; mean: number; n: number }[];
    suppressed: number;
  };
  /** null: fewer than the minimum group (services/disclosure.ts). */
  feedback: {
    familyFeedback: number | null;
    statements: { id: string; number: number; text: string; n: number | null; mean: number | null }[];
  };
  lastMonth: MonthlyReport;
}

const AGE_BUCKETS = [
  { label: "0–7 days", max: 7 },
  { label: "8–14 days", max: 14 },
  { label: "15–28 days", max: 28 },
  { label: "over 28 days", max: Number.MAX_SAFE_INTEGER },
];

export async function quarterlyReport(db: Queryable, quarter: string, settings: ReportSettings, now: Date): Promise<QuarterlyReport> {
  const months = quarterMonths(quarter);
  const [first, , last] = months as [string, string, string];
  const start = new Date(`${first}-01T00:00:00Z`);
  const end = new Date(`${shiftMonth(last, 1)}-01T00:00:00Z`);
  const good = goodBandIds();
  const scope = Prisma.sql`
    qa AS (
      SELECT au.id, c.month, COALESCE(au."moderatedBand", au."gradeBand") AS band, au."gradeBand", au."moderatedBand",
             (au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[])) AS returned
      FROM "AuditCycle" c JOIN "Audit" au ON au."cycleId" = c.id
      WHERE c.month BETWEEN ${first} AND ${last}
    )`;
  const ids = loadAuditTool().feedback.family.statements;
  const [totals, grades, byMonth, moderation, escOpen, escFlow, campaign, statements, lastMonth] = await Promise.all([
    db.$queryRaw<{ allocated: number; returned: number; target: number }[]>`
      WITH ${scope}
      SELECT count(*)::int AS allocated, count(*) FILTER (WHERE returned)::int AS returned,
             (SELECT COALESCE(sum(target), 0) FROM "AuditCycle" WHERE month BETWEEN ${first} AND ${last})::int AS target
      FROM qa`,
    db.$queryRaw<{ band: string; count: number }[]>`
      WITH ${scope} SELECT band, count(*)::int AS count FROM qa WHERE returned AND band IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`,
    db.$queryRaw<{ month: string; returned: number; good: number }[]>`
      WITH ${scope}
      SELECT month, count(*) FILTER (WHERE returned)::int AS returned,
             count(*) FILTER (WHERE returned AND band = ANY(${good}::text[]))::int AS good
      FROM qa GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ moderated: number; agreed: number; up: number; down: number }[]>`
      WITH ${scope},
      ranks AS (
        SELECT * FROM unnest(${rankTable().scale}::text[], ${rankTable().band}::text[], ${rankTable().rank}::int[]) AS r(scale, band, rank)
      )
      SELECT count(*)::int AS moderated, count(*) FILTER (WHERE m.agree)::int AS agreed,
             count(*) FILTER (WHERE rm.rank > rg.rank)::int AS up, count(*) FILTER (WHERE rm.rank < rg.rank)::int AS down
      FROM qa JOIN LATERAL (SELECT agree FROM "Moderation" mo WHERE mo."auditId" = qa.id AND mo.status = ${MODERATION_COMPLETED}
                            ORDER BY mo."createdAt" DESC LIMIT 1) m ON true
      JOIN "Audit" au ON au.id = qa.id
      LEFT JOIN ranks rg ON rg.scale = au."gradeScaleId" AND rg.band = qa."gradeBand"
      LEFT JOIN ranks rm ON rm.scale = au."gradeScaleId" AND rm.band = COALESCE(qa."moderatedBand", qa."gradeBand")`,
    db.$queryRaw<{ stage: number; days: number; count: number }[]>`
      SELECT stage, floor(extract(epoch FROM (${now}::timestamp - "createdAt")) / 86400)::int AS days, count(*)::int AS count
      FROM "Escalation" WHERE NOT (status = ANY(${CLOSED_ESCALATION_STATUSES}::text[])) AND "createdAt" < ${now}
      GROUP BY 1, 2`,
    db.$queryRaw<{ raised: number; resolved: number }[]>`
      SELECT count(*) FILTER (WHERE "createdAt" >= ${start} AND "createdAt" < ${end})::int AS raised,
             count(*) FILTER (WHERE "resolvedAt" >= ${start} AND "resolvedAt" < ${end})::int AS resolved
      FROM "Escalation" WHERE "createdAt" < ${end}`,
    db.$queryRaw<{ id: string; title: string; invited: number; responded: number; responses: number; closed: boolean }[]>`
      SELECT sc.id, sc.title, (sc.status = 'closed' OR sc."closesAt" <= ${now}) AS closed,
             (SELECT count(*) FROM "SurveyParticipation" p WHERE p."campaignId" = sc.id)::int AS invited,
             (SELECT count(*) FROM "SurveyParticipation" p WHERE p."campaignId" = sc.id AND p.responded)::int AS responded,
             (SELECT count(*) FROM "SurveyResponse" r WHERE r."campaignId" = sc.id)::int AS responses
      FROM "SurveyCampaign" sc
      WHERE sc."templateId" = ${HEALTH_CHECK_TEMPLATE} AND sc."opensAt" < ${end}
      ORDER BY (sc."opensAt" >= ${start}) DESC, sc."opensAt" DESC LIMIT 1`,
    db.$queryRaw<{ sid: string; n: number; mean: number | null }[]>`
      WITH ${scope},
      f_all AS (
        SELECT fb.answers, row_number() OVER (ORDER BY GREATEST(fb."createdAt", au."submittedAt"), fb.id) AS rank, count(*) OVER () AS total
        FROM qa JOIN "Feedback" fb ON fb."auditId" = qa.id AND fb.kind = 'family' AND fb.obtained JOIN "Audit" au ON au.id = qa.id
        WHERE qa.returned
      ),
      -- Whole steps of the minimum group, in order of arrival (services/disclosure.ts).
      f AS (SELECT answers FROM f_all WHERE ${releasedSql(Prisma.sql`f_all.rank`, Prisma.sql`f_all.total`, settings.minGroupSize)}),
      v AS (
        SELECT s.sid, ${statementValue(Prisma.sql`f.answers`, Prisma.sql`s.sid`)} AS val
        FROM f CROSS JOIN unnest(${ids.map((s) => s.id)}::text[]) AS s(sid)
      )
      SELECT sid, count(val)::int AS n, avg(val)::float8 AS mean FROM v GROUP BY sid
      UNION ALL SELECT '*count*', count(*)::int, NULL FROM f
      UNION ALL SELECT '*all*', count(*)::int, NULL FROM f_all`,
    monthlyReport(db, { month: last }, settings, now),
  ]);

  const t = totals[0] ?? { allocated: 0, returned: 0, target: 0 };
  const goodCount = grades.filter((g) => good.includes(g.band)).reduce((s, g) => s + g.count, 0);
  const mod = moderation[0] ?? { moderated: 0, agreed: 0, up: 0, down: 0 };

  const stageMap = new Map<number, number>();
  const ageCounts = AGE_BUCKETS.map(() => 0);
  for (const r of escOpen) {
    stageMap.set(r.stage, (stageMap.get(r.stage) ?? 0) + r.count);
    ageCounts[AGE_BUCKETS.findIndex((b) => r.days <= b.max)]! += r.count;
  }

  let healthCheck: QuarterlyReport["healthCheck"] = null;
  const c = campaign[0];
  if (c) {
    // Answers only of a closed campaign with enough of them, and only questions enough people answered.
    const released = c.closed && disclosable(c.responses, settings.minGroupSize);
    const means = await db.$queryRaw<{ question: string; mean: number; n: number }[]>`
      SELECT e.key AS question, avg((e.value)::text::float8)::float8 AS mean, count(*)::int AS n
      FROM "SurveyResponse" r CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.answers) = 'object' THEN r.answers ELSE '{}'::jsonb END) e
      WHERE r."campaignId" = ${c.id} AND jsonb_typeof(e.value) = 'number'
      GROUP BY 1 ORDER BY 1`;
    const shown = released ? means.filter((m) => disclosable(m.n, settings.minGroupSize)) : [];
    healthCheck = {
      title: c.title,
      invited: c.invited,
      // While open, in whole steps of the minimum, as on the survey cards (runningPeopleCount).
      responded: !disclosable(c.responded, settings.minGroupSize)
        ? {
            ...share(0, c.invited),
            count: 0,
            text: respondentCount(c.responded, settings.minGroupSize, c.closed),
          }
        : c.closed
          ? share(c.responded, c.invited)
          : (() => {
              const s = share(releasedCount(c.responded, settings.minGroupSize), c.invited);
              return { ...s, text: `at least ${s.text}` };
            })(),
      responses: released ? c.responses : 0,
      means: shown.slice(0, 12).map((m) => ({ question: m.question, mean: round1(m.mean)!, n: m.n })),
      suppressed: means.length - shown.length,
    };
  }
  const stBy = new Map(statements.map((s) => [s.sid, s]));

  return {
    quarter: quarter.toUpperCase(),
    months,
    audits: {
      allocated: t.allocated,
      returned: t.returned,
      target: t.target,
      targetVsActual: share(t.returned, t.target),
      good: share(
        goodCount,
        grades.reduce((s, g) => s + g.count, 0),
      ),
      grades,
      byMonth: months.map((m) => {
        const r = byMonth.find((x) => x.month === m);
        return { month: m, returned: r?.returned ?? 0, good: share(r?.good ?? 0, r?.returned ?? 0) };
      }),
    },
    moderation: { moderated: mod.moderated, agreed: share(mod.agreed, mod.moderated), movedUp: mod.up, movedDown: mod.down },
    escalations: {
      open: escOpen.reduce((s, r) => s + r.count, 0),
      raisedInQuarter: escFlow[0]?.raised ?? 0,
      resolvedInQuarter: escFlow[0]?.resolved ?? 0,
      byStage: [...stageMap.entries()].sort((x, y) => x[0] - y[0]).map(([stage, count]) => ({ stage, count })),
      byAge: AGE_BUCKETS.map((b, i) => ({ age: b.label, count: ageCounts[i]! })),
    },
    healthCheck,
    feedback: {
      familyFeedback:
        (stBy.get("*all*")?.n ?? 0) === 0 ? 0 : disclose(stBy.get("*count*")?.n ?? 0, settings.minGroupSize, stBy.get("*count*")?.n ?? 0),
      statements: ids.map((s) => {
        const n = stBy.get(s.id)?.n ?? 0;
        return {
          id: s.id,
          number: s.number,
          text: s.text,
          n: disclose(n, settings.minGroupSize, n),
          mean: disclose(n, settings.minGroupSize, round1(stBy.get(s.id)?.mean ?? null)),
        };
      }),
    },
    lastMonth,
  };
}

/** (scale, band, rank) of every band of every configured scale, for joining in SQL. */
export function rankTable(): { scale: string[]; band: string[]; rank: number[] } {
  const out = { scale: [] as string[], band: [] as string[], rank: [] as number[] };
  for (const s of loadGradeScales().scales)
    for (const b of s.bands) {
      out.scale.push(s.id);
      out.band.push(b.id);
      out.rank.push(b.rank);
    }
  return out;
}

export type { StatementRow };
