// The Home tab's dashboard: the month at a glance (the monthly report's own figures:
// services/reports/monthly.ts), twelve months of trend, grades by theme and team, moderation
// movements, overdue actions, escalations by stage, supervision compliance and the Health Check,
// for the teams the person may see (scope.ts), filtered by month, theme and team. Every number is a
// SQL aggregate; survey figures follow services/disclosure.ts like every other surface.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { disclosable, suppressGroups } from "../disclosure";
import { reportSettings } from "../reports";
import { share, type Share } from "../reports/format";
import { shiftMonth } from "../dates";
import { monthAuditsCte, monthlyReport } from "../reports/monthly";
import { goodBandIds } from "../reports/trends";
import { HEALTH_CHECK_TEMPLATE, RETURNED_AUDIT_STATUSES } from "../reports/settings";
import { dashboardScope, parseFilters, teamsFor, type DashboardScope } from "./scope";
import { ESCALATION } from "./statuses";
import { loadFormTemplate } from "../forms/templateSchema";

export const TREND_MONTHS = 12;

export interface Dashboard {
  scope: { label: string; teams: { id: string; name: string }[]; themes: string[]; months: string[] };
  filters: { month: string; monthLabel: string; theme: string; team: string };
  glance: {
    howMuch: {
      target: number;
      allocated: number;
      returned: number;
      late: number;
      moderated: number;
      notCompleted: number;
      inProgress: number;
    };
    targetVsActual: Share;
    /** The cycle's target is the authority's: shown only in a view of every team. */
    targetApplies: boolean;
    grades: { bandId: string; label: string; isGood: boolean; count: number; pct: number | null }[];
    good: Share;
    seenToBenefit: Share;
    familyFeedback: number | null;
    attention: { area: number; title: string; belowPct: number | null }[];
  };
  trend: { month: string; allocated: number; returned: number; good: number; goodPct: number | null }[];
  byTheme: { theme: string; returned: number; good: Share }[];
  byTeam: { teamId: string; name: string; allocated: number; returned: number; good: Share }[];
  movements: { from: string; to: string; direction: "up" | "down"; count: number }[];
  actions: { open: number; overdue: number; immediateOverdue: number; overdueByTeam: { teamId: string; count: number }[] };
  escalations: { stage: number; open: number; pastDeadline: number }[];
  supervision: { teamId: string; due: number; held: number; overdue: number; compliance: number | null }[];
  healthCheck: null | {
    title: string;
    responses: number | null;
    questions: { question: string; text: string; mean: number | null; n: number | null }[];
    suppressedQuestions: number;
  };
}

const monthName = (m: string) =>
  new Date(`${m}-01T12:00:00Z`).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

export async function dashboardFor(ctx: AppContext, actor: Actor, raw: Record<string, unknown>): Promise<Dashboard> {
  const scope = await dashboardScope(ctx, actor);
  const f = parseFilters(ctx, raw);
  return buildDashboard(ctx, scope, f);
}

export async function buildDashboard(
  ctx: AppContext,
  scope: DashboardScope,
  f: { month: string; theme?: string; team?: string },
): Promise<Dashboard> {
  const db = ctx.db;
  const settings = reportSettings(ctx);
  const now = ctx.clock.now();
  const teamIds = teamsFor(scope, f.team);
  const teams = teamIds ?? null;
  const theme = f.theme ?? "";
  const ms = { month: f.month, theme: f.theme, teamIds };
  const from = shiftMonth(f.month, -(TREND_MONTHS - 1));
  const good = goodBandIds();
  const monthStart = `${f.month}-01`;
  const monthEnd = `${shiftMonth(f.month, 1)}-01`;

  const [report, teamRows, trendRows, themeRows, overdueByTeam, escRows, supRows, months, hc] = await Promise.all([
    monthlyReport(db, ms, settings, now),
    // Per team, the month's audits and grades (the family feedback of the report's team rows is not shown here).
    db.$queryRaw<{ teamId: string; allocated: number; returned: number; good: number }[]>`
      WITH ${monthAuditsCte(ms, settings)}
      SELECT "teamId", count(*)::int AS allocated, count(*) FILTER (WHERE returned)::int AS returned,
             count(*) FILTER (WHERE returned AND band = ANY(${good}::text[]))::int AS good
      FROM a GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ month: string; allocated: number; returned: number; good: number }[]>`
      SELECT c.month, count(*)::int AS allocated,
             count(*) FILTER (WHERE au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[]))::int AS returned,
             count(*) FILTER (WHERE au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[])
                              AND COALESCE(au."moderatedBand", au."gradeBand") = ANY(${good}::text[]))::int AS good
      FROM "AuditCycle" c JOIN "Audit" au ON au."cycleId" = c.id
      WHERE c.month BETWEEN ${from} AND ${f.month} AND (${theme} = '' OR c.theme = ${theme})
        AND (${teams}::text[] IS NULL OR au."teamId" = ANY(${teams}::text[]))
      GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ theme: string; returned: number; good: number }[]>`
      SELECT c.theme,
             count(*) FILTER (WHERE au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[]))::int AS returned,
             count(*) FILTER (WHERE au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[])
                              AND COALESCE(au."moderatedBand", au."gradeBand") = ANY(${good}::text[]))::int AS good
      FROM "AuditCycle" c JOIN "Audit" au ON au."cycleId" = c.id
      WHERE c.month = ${f.month} AND (${teams}::text[] IS NULL OR au."teamId" = ANY(${teams}::text[]))
      GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ teamId: string; count: number }[]>`
      SELECT au."teamId", count(*)::int AS count
      FROM "Action" ac JOIN "Audit" au ON au.id = ac."auditId"
      WHERE ac.status = 'open' AND ac."dueAt" < ${now} AND (${teams}::text[] IS NULL OR au."teamId" = ANY(${teams}::text[]))
      GROUP BY 1 ORDER BY 2 DESC, 1`,
    db.$queryRaw<{ stage: number; open: number; past: number }[]>`
      SELECT e.stage, count(*)::int AS open, count(*) FILTER (WHERE e."stageDeadline" < ${now})::int AS past
      FROM "Escalation" e LEFT JOIN "Case" c ON c.id = e."caseId"
      WHERE NOT (e.status = ANY(${[...ESCALATION.closed]}::text[])) AND (${teams}::text[] IS NULL OR c."teamId" = ANY(${teams}::text[]))
      GROUP BY 1 ORDER BY 1`,
    // Sessions due in the month: how many were held (supervision compliance), how many are overdue.
    db.$queryRaw<{ teamId: string; due: number; held: number; overdue: number }[]>`
      SELECT COALESCE(ss."teamId", st."teamId", 'unknown') AS "teamId", count(*)::int AS due,
             count(*) FILTER (WHERE ss.status = 'held')::int AS held,
             count(*) FILTER (WHERE ss.status = 'overdue' OR (ss.status = 'scheduled' AND ss."dueOn" < ${now}::date))::int AS overdue
      FROM "SupervisionSession" ss LEFT JOIN "Staff" st ON st.id = ss."superviseeId"
      WHERE ss."dueOn" >= ${monthStart}::date AND ss."dueOn" < ${monthEnd}::date AND ss.status <> 'cancelled'
        AND (${teams}::text[] IS NULL OR COALESCE(ss."teamId", st."teamId") = ANY(${teams}::text[]))
      GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ month: string; theme: string }[]>`
      SELECT month, theme FROM "AuditCycle" WHERE month >= ${shiftMonth(f.month, -23)} ORDER BY month DESC, theme`,
    healthCheck(ctx, scope, teams, monthEnd),
  ]);

  const names = new Map(scope.teams.map((t) => [t.id, t.name]));
  const graded = report.howWell.grades.reduce((s, g) => s + g.share.count, 0);
  const goodCount = report.howWell.grades.filter((g) => g.isGood).reduce((s, g) => s + g.share.count, 0);
  const m = report.howMuch;
  return {
    scope: {
      label: f.team ? (names.get(f.team) ?? f.team) : scope.label,
      teams: scope.teams,
      themes: [...new Set(months.filter((r) => r.month === f.month && r.theme).map((r) => r.theme))],
      months: [...new Set([f.month, ...months.map((r) => r.month)])].sort().reverse(),
    },
    filters: { month: f.month, monthLabel: monthName(f.month), theme, team: f.team ?? "" },
    glance: {
      howMuch: {
        target: m.target,
        allocated: m.allocated,
        returned: m.returned,
        late: m.late,
        moderated: m.moderated,
        notCompleted: m.notCompleted - m.inProgress,
        inProgress: m.inProgress,
      },
      targetVsActual: m.targetVsActual,
      targetApplies: teamIds === undefined,
      grades: report.howWell.grades.map((g) => ({
        bandId: g.bandId,
        label: g.label,
        isGood: g.isGood,
        count: g.share.count,
        pct: g.share.pct,
      })),
      good: share(goodCount, graded),
      seenToBenefit: report.betterOff.seenToBenefit,
      familyFeedback: report.betterOff.familyFeedback,
      attention: report.howWell.attention.slice(0, 5).map((a) => ({ area: a.area, title: a.title, belowPct: a.below.pct })),
    },
    trend: Array.from({ length: TREND_MONTHS }, (_, i) => {
      const month = shiftMonth(from, i);
      const r = trendRows.find((x) => x.month === month) ?? { allocated: 0, returned: 0, good: 0 };
      return { month, allocated: r.allocated, returned: r.returned, good: r.good, goodPct: share(r.good, r.returned).pct };
    }),
    byTheme: themeRows.map((r) => ({ theme: r.theme || "(no theme)", returned: r.returned, good: share(r.good, r.returned) })),
    byTeam: teamRows.map((t) => ({
      teamId: t.teamId,
      name: names.get(t.teamId) ?? t.teamId,
      allocated: t.allocated,
      returned: t.returned,
      good: share(t.good, t.returned),
    })),
    movements: report.howWell.movements,
    actions: {
      open: report.actions.open,
      overdue: report.actions.overdue,
      immediateOverdue: report.actions.immediateOverdue,
      overdueByTeam,
    },
    escalations: escRows.map((r) => ({ stage: r.stage, open: r.open, pastDeadline: r.past })),
    supervision: supRows.map((r) => ({ ...r, compliance: share(r.held, r.due).pct })),
    healthCheck: hc,
  };
}

/**
 * The latest closed Social Work Health Check by the end of the month, over the teams in view. A
 * team whose responses the group rule hides (suppressGroups over every team, as the reports do)
 * hides the whole figure of a view that includes it; a question fewer than the minimum answered is
 * not shown; answers of a campaign still open are never shown.
 */
async function healthCheck(
  ctx: AppContext,
  scope: DashboardScope,
  teams: string[] | null,
  before: string,
): Promise<Dashboard["healthCheck"]> {
  const min = ctx.config.MIN_GROUP_SIZE;
  const [c] = await ctx.db.$queryRaw<{ id: string; title: string }[]>`
    SELECT id, title FROM "SurveyCampaign"
    WHERE "templateId" = ${HEALTH_CHECK_TEMPLATE} AND (status = 'closed' OR "closesAt" <= ${ctx.clock.now()}) AND "opensAt" < ${before}::date
    ORDER BY "opensAt" DESC LIMIT 1`;
  if (!c) return null;
  const byTeam = await ctx.db.$queryRaw<{ teamId: string | null; n: number }[]>`
    SELECT "teamId", count(*)::int AS n FROM "SurveyResponse" WHERE "campaignId" = ${c.id} GROUP BY 1`;
  const hidden = new Set(
    suppressGroups(
      byTeam.map((r) => ({ key: r.teamId ?? "", n: r.n })),
      min,
    )
      .filter((g) => g.suppressed)
      .map((g) => g.key),
  );
  const inView = teams ? byTeam.filter((r) => r.teamId && teams.includes(r.teamId)) : byTeam;
  const responses = inView.reduce((s, r) => s + r.n, 0);
  const blocked = teams !== null && (inView.some((r) => hidden.has(r.teamId ?? "")) || (scope.teamIds === null && teams.length === 0));
  if (blocked || !disclosable(responses, min)) return { title: c.title, responses: null, questions: [], suppressedQuestions: 0 };
  const rows = await ctx.db.$queryRaw<{ question: string; mean: number; n: number }[]>`
    SELECT e.key AS question, avg((e.value)::text::float8)::float8 AS mean, count(*)::int AS n
    FROM "SurveyResponse" r CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.answers) = 'object' THEN r.answers ELSE '{}'::jsonb END) e
    WHERE r."campaignId" = ${c.id} AND jsonb_typeof(e.value) = 'number' AND (${teams}::text[] IS NULL OR r."teamId" = ANY(${teams}::text[]))
    GROUP BY 1 ORDER BY 1`;
  const shown = rows.filter((r) => disclosable(r.n, min));
  const texts = new Map(
    loadFormTemplate(HEALTH_CHECK_TEMPLATE).sections.flatMap((sec) => sec.questions.map((q) => [q.id, q.text] as const)),
  );
  return {
    title: c.title,
    responses,
    questions: shown
      .slice(0, 20)
      .map((r) => ({ question: r.question, text: texts.get(r.question) ?? r.question, mean: Math.round(r.mean * 10) / 10, n: r.n })),
    suppressedQuestions: rows.length - shown.length,
  };
}
