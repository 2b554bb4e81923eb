// The Home tab's dashboard: the month at a glance (the monthly report's own figures:
// services/reports/monthly.ts), twelve months of trend, grades by theme and team, moderation
// movements, overdue actions, escalations by stage, supervision compliance and the Health Check,
// for the teams the person may see (scope.ts), filtered by month, theme and team. Every number is a
// SQL aggregate; survey figures follow services/disclosure.ts like every other surface.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { reportSettings } from "../reports";
import { share, type Share } from "../reports/format";
import { formatMonth, shiftMonth } from "../dates";
import { monthAuditsCte, monthlyReport } from "../reports/monthly";
import { goodBandIds } from "../reports/trends";
import { RETURNED_AUDIT_STATUSES } from "../reports/settings";
import { dashboardScope, parseFilters, teamsFor } from "./scope";
import { ESCALATION, SUPERVISION } from "./statuses";
import { closedHealthChecks, healthCheckFigures, type HealthCheckFigures, type LaterHealthCheck } from "./healthCheck";

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
  actions: { open: number; overdue: number; immediateOverdue: number; overdueByTeam: { teamId: string; name: string; count: number }[] };
  escalations: { stage: number; open: number; pastDeadline: number }[];
  supervision: {
    /** Whether the teams in view have any supervision session on record (of any month). */
    recorded: boolean;
    /** Sessions due in the month, by team: held, overdue (due and not held), still to come. */
    teams: { teamId: string; name: string; due: number; held: number; overdue: number; upcoming: number; compliance: number | null }[];
  };
  healthCheck: HealthCheckFigures | null;
  /** The most recent Health Check, when it closed after the month in view (the panel says which month shows it). */
  healthCheckLater: LaterHealthCheck | null;
}

export async function dashboardFor(ctx: AppContext, actor: Actor, raw: Record<string, unknown>): Promise<Dashboard> {
  const scope = await dashboardScope(ctx, actor);
  const f = parseFilters(ctx, raw);
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

  const [report, teamRows, trendRows, themeRows, overdueByTeam, escRows, supRows, supRecorded, months, hc] = await Promise.all([
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
    db.$queryRaw<{ teamId: string | null; due: number; held: number; overdue: number }[]>`
      SELECT COALESCE(ss."teamId", st."teamId") AS "teamId", count(*)::int AS due,
             count(*) FILTER (WHERE ss.status = ${SUPERVISION.held})::int AS held,
             count(*) FILTER (WHERE ss.status = ANY(${SUPERVISION.open}::text[]) AND ss."dueOn" < ${now}::date)::int AS overdue
      FROM "SupervisionSession" ss LEFT JOIN "Staff" st ON st.id = ss."superviseeId"
      WHERE ss."dueOn" >= ${monthStart}::date AND ss."dueOn" < ${monthEnd}::date
        AND (${teams}::text[] IS NULL OR COALESCE(ss."teamId", st."teamId") = ANY(${teams}::text[]))
      GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ any: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM "SupervisionSession" ss LEFT JOIN "Staff" st ON st.id = ss."superviseeId"
                     WHERE ${teams}::text[] IS NULL OR COALESCE(ss."teamId", st."teamId") = ANY(${teams}::text[])) AS any`,
    db.$queryRaw<{ month: string; theme: string }[]>`
      SELECT month, theme FROM "AuditCycle" WHERE month >= ${shiftMonth(f.month, -23)} ORDER BY month DESC, theme`,
    closedHealthChecks(ctx, f.month).then(async (found) => ({ found, figures: await healthCheckFigures(ctx, teams, f.month, found) })),
  ]);

  const names = new Map(scope.teams.map((t) => [t.id, t.name]));
  const teamName = (id: string | null) => (id === null ? "No team recorded" : (names.get(id) ?? id));
  const graded = report.howWell.grades.reduce((s, g) => s + g.share.count, 0);
  const goodCount = report.howWell.grades.filter((g) => g.isGood).reduce((s, g) => s + g.share.count, 0);
  const m = report.howMuch;
  return {
    scope: {
      label: f.team ? (names.get(f.team) ?? f.team) : scope.label,
      teams: scope.teams,
      themes: [...new Set(months.filter((r) => r.month === f.month && r.theme).map((r) => r.theme))],
      // The month a later Health Check closed in can be chosen even without an audit cycle.
      months: [...new Set([f.month, ...months.map((r) => r.month), ...(hc.found.later ? [hc.found.later.month] : [])])].sort().reverse(),
    },
    filters: { month: f.month, monthLabel: formatMonth(f.month), theme, team: f.team ?? "" },
    glance: {
      howMuch: {
        target: m.target,
        allocated: m.allocated,
        returned: m.returned,
        late: m.late,
        moderated: m.moderated,
        // The report's own figure: "still in progress" is already apart from it.
        notCompleted: m.notCompleted,
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
      name: teamName(t.teamId),
      allocated: t.allocated,
      returned: t.returned,
      good: share(t.good, t.returned),
    })),
    movements: report.howWell.movements,
    actions: {
      open: report.actions.open,
      overdue: report.actions.overdue,
      immediateOverdue: report.actions.immediateOverdue,
      overdueByTeam: overdueByTeam.map((r) => ({ ...r, name: teamName(r.teamId) })),
    },
    escalations: escRows.map((r) => ({ stage: r.stage, open: r.open, pastDeadline: r.past })),
    supervision: {
      recorded: supRecorded[0]?.any ?? false,
      teams: supRows.map((r) => ({
        teamId: r.teamId ?? "",
        name: teamName(r.teamId),
        due: r.due,
        held: r.held,
        overdue: r.overdue,
        upcoming: r.due - r.held - r.overdue,
        compliance: share(r.held, r.due).pct,
      })),
    },
    healthCheck: hc.figures,
    healthCheckLater: hc.found.later,
  };
}
