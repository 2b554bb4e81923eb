// Reports, as use cases: who may see which report, for which teams, and the scheduled monthly send.
// - report.monthly (heads of service, directors, QA): the whole authority, per-team summaries;
// - report.team (team and service managers): only their own team(s) — the team filter is in SQL;
// - report.calibration (QA team, head of QA): auditor calibration.
import { observationsAndDips } from "./observationsDips";
import type { AppContext } from "../context";
import type { Db, Tx } from "../db";
import { NotPermitted, ValidationFailed } from "../errors";
import { may, requireCapability, type Actor } from "../permissions";
import { enqueueMessage } from "../outbox";
import { scheduleJob } from "../jobs";
import { staffWithRole } from "../directory/staff";
import { isWorkingDay, localDate, zonedInstant } from "../workingTime";
import { practiceAndPartnershipFacts } from "./practiceAndPartnership";
import { monthlyReport, type MonthlyReport } from "./monthly";
import { teamAppendix, teamSummaries, type AppendixRow, type TeamSummary } from "./appendix";
import { quarterlyReport, trends, type QuarterlyReport, type Trends } from "./trends";
import { calibration, type CalibrationRow } from "./calibration";
import { isMonth, isQuarter, quarterOf } from "./format";
import { shiftMonth } from "../dates";
import { settingsFrom, type ReportSettings } from "./settings";
import { writeReportFiles, type WrittenFiles } from "./files";
import type { MonthlyView, ViewOptions } from "./view";
import { calibrationCardData, monthlyCardData, quarterlyCardData, teamCardData, trendsCardData } from "./cardData";

export { monthlyCardData, teamCardData, quarterlyCardData, calibrationCardData, trendsCardData };
export const REPORT_JOB = "report.monthly";

export function reportSettings(ctx: AppContext, overrides: Partial<ReportSettings> = {}): ReportSettings {
  return settingsFrom(ctx.config, overrides);
}

/** The month before the one `now` falls in (local time): the last complete month. */
export function lastCompleteMonth(now: Date, tz: string): string {
  const l = localDate(now, tz);
  return shiftMonth(`${l.y}-${String(l.m).padStart(2, "0")}`, -1);
}

/** Parses "2026-11", "2026-11 Assessment" (theme after the month) or "" (last complete month). */
export function parseMonthArgs(args: string, now: Date, tz: string): { month: string; theme?: string } {
  const t = args.trim();
  if (!t) return { month: lastCompleteMonth(now, tz) };
  const [first, ...rest] = t.split(/\s+/);
  if (!isMonth(first!))
    throw new ValidationFailed(`Give the month as YYYY-MM, for example ${lastCompleteMonth(now, tz)}.`, { month: "YYYY-MM" });
  return { month: first!, theme: rest.length ? rest.join(" ") : undefined };
}

/**
 * The teams whose cases the actor may see in a report: null = every team (report.monthly), a team
 * manager's own team, a service manager's teams (the teams of the managers who report to them).
 */
export async function reportTeamScope(db: Db | Tx, actor: Actor): Promise<string[] | null> {
  if (may(actor, "report.monthly")) return null;
  if (!may(actor, "report.team")) {
    throw new NotPermitted("The monthly report is for heads of service, the QA team and team managers (their own team).");
  }
  const teams = new Set<string>();
  if (actor.roles.includes("TEAM_MANAGER") && actor.teamId) teams.add(actor.teamId);
  if (actor.roles.includes("SERVICE_MANAGER")) {
    const reports = await db.staff.findMany({
      where: { lineManagerId: actor.id, active: true, roles: { has: "TEAM_MANAGER" } },
      select: { teamId: true },
    });
    for (const r of reports) if (r.teamId) teams.add(r.teamId);
  }
  return [...teams];
}

/** The month's report as the actor may see it (whole authority or their teams only). */
export async function monthlyForActor(
  ctx: AppContext,
  actor: Actor,
  args: { month: string; theme?: string },
  opts: ViewOptions = {},
): Promise<MonthlyView> {
  const teamIds = await reportTeamScope(ctx.db, actor);
  if (teamIds && teamIds.length === 0)
    throw new NotPermitted("You are not recorded as managing a team, so there is no team report for you.");
  return buildMonthlyView(ctx.db, ctx, { ...args, teamIds: teamIds ?? undefined }, ctx.clock.now(), opts);
}

export async function buildMonthlyView(
  db: Db | Tx,
  ctx: AppContext,
  scope: { month: string; theme?: string; teamIds?: string[] },
  now: Date,
  opts: ViewOptions = {},
): Promise<MonthlyView> {
  const settings = reportSettings(ctx);
  const [report, teams, appendix, tr, obsDips] = await Promise.all([
    monthlyReport(db, scope, settings, now),
    teamSummaries(db, scope, settings),
    opts.appendix === false ? Promise.resolve([]) : teamAppendix(db, scope, settings),
    trends(db, scope.month, settings, opts.areaTrends ? settings.trendMonths : 6, { areas: opts.areaTrends ?? false }),
    observationsAndDips(db, scope, ctx.config),
  ]);
  const practiceAndPartnership = scope.teamIds ? [] : await practiceAndPartnershipFacts(db, scope.month, now);
  return {
    kind: scope.teamIds ? "team" : "full",
    report,
    teams,
    appendix,
    trends: tr,
    observationsAndDips: obsDips,
    practiceAndPartnership,
  };
}

export async function quarterlyForActor(ctx: AppContext, actor: Actor, args: string): Promise<QuarterlyReport> {
  requireCapability(actor, "report.monthly");
  const q = args.trim() || quarterOf(lastCompleteMonth(ctx.clock.now(), ctx.config.TIMEZONE));
  if (!isQuarter(q)) throw new ValidationFailed("Give the quarter as YYYY-Qn, for example 2026-Q3.", { quarter: "YYYY-Qn" });
  return quarterlyReport(ctx.db, q.toUpperCase(), reportSettings(ctx), ctx.clock.now());
}

export async function trendsForActor(ctx: AppContext, actor: Actor, args: string): Promise<Trends> {
  requireCapability(actor, "report.monthly");
  const { month } = parseMonthArgs(args, ctx.clock.now(), ctx.config.TIMEZONE);
  return trends(ctx.db, month, reportSettings(ctx));
}

export async function calibrationForActor(
  ctx: AppContext,
  actor: Actor,
  args: string,
): Promise<{ from: string; to: string; rows: CalibrationRow[] }> {
  requireCapability(actor, "report.calibration");
  const { month } = parseMonthArgs(args, ctx.clock.now(), ctx.config.TIMEZONE);
  const from = shiftMonth(month, -5);
  return { from, to: month, rows: await calibration(ctx.db, from, month) };
}

/**
 * Writes the XLSX and CSV files of the month's report as the actor may see it. Only for a month
 * and theme of an audit cycle that exists, so what a user can make the server write is bounded by
 * the cycles the QA team created (times the team scopes); a second request overwrites the files.
 */
export async function reportFilesForActor(ctx: AppContext, actor: Actor, args: string, dir = "reports-out"): Promise<WrittenFiles> {
  const parsed = parseMonthArgs(args, ctx.clock.now(), ctx.config.TIMEZONE);
  const themes = (await ctx.db.auditCycle.findMany({ where: { month: parsed.month }, select: { theme: true } })).map((c) => c.theme);
  if (themes.length === 0) throw new ValidationFailed(`There is no audit cycle for ${parsed.month}, so there is no report to write.`);
  if (parsed.theme !== undefined && !themes.includes(parsed.theme)) {
    const named = themes.filter(Boolean).map((t) => `"${t}"`);
    throw new ValidationFailed(
      `No audit cycle of ${parsed.month} has that theme.${named.length ? ` Its themes: ${named.join(", ")}.` : " Its cycle has no theme."}`,
      { theme: "unknown" },
    );
  }
  const view = await monthlyForActor(ctx, actor, parsed, { areaTrends: true });
  return writeReportFiles(view, dir);
}

// ---------------------------------------------------------------- the scheduled monthly send

/** 08:00 local on the first working day of `month` (YYYY-MM). */
export function firstWorkingDayOf(month: string, tz: string): Date {
  const [y, m] = month.split("-").map(Number);
  let d = 1;
  while (!isWorkingDay({ y: y!, m: m!, d })) d++;
  return zonedInstant({ y: y!, m: m!, d }, 8, 0, tz);
}

/** Schedules the report of `month` for the first working day of the following month (idempotent). */
export async function scheduleMonthlyReport(tx: Tx, ctx: AppContext, month: string): Promise<void> {
  await scheduleJob(tx, {
    key: `report:monthly:${month}`,
    name: REPORT_JOB,
    runAt: firstWorkingDayOf(shiftMonth(month, 1), ctx.config.TIMEZONE),
    data: { month },
  });
}

/**
 * Makes sure this month's report is scheduled (for the first working day of next month). Run daily
 * by the scheduler; it never re-schedules a report that already ran or is pending.
 */
export async function ensureMonthlyReportScheduled(ctx: AppContext): Promise<void> {
  const l = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  const month = `${l.y}-${String(l.m).padStart(2, "0")}`;
  const exists = await ctx.db.scheduledJob.findUnique({ where: { key: `report:monthly:${month}` }, select: { id: true } });
  if (exists) return;
  await ctx.db.$transaction((tx) => scheduleMonthlyReport(tx, ctx, month));
}

/**
 * Job "report.monthly": sends the month's at-a-glance card to heads of service, the QA team and the
 * head of QA; each team manager gets their own team's appendix card only; then schedules next month.
 */
export async function sendMonthlyReports(
  tx: Tx,
  ctx: AppContext,
  data: Record<string, unknown>,
  job: { key: string; runAt: Date },
): Promise<void> {
  const month = typeof data.month === "string" && isMonth(data.month) ? data.month : lastCompleteMonth(job.runAt, ctx.config.TIMEZONE);
  const now = ctx.clock.now();
  const full = await buildMonthlyView(tx, ctx, { month }, now, { appendix: false });
  const leaders = new Map<string, { id: string; roles: Actor["roles"] }>();
  for (const role of ["HEAD_OF_SERVICE", "QA_TEAM", "HEAD_OF_QA"] as const)
    for (const s of await staffWithRole(tx, role)) leaders.set(s.id, s);
  for (const s of leaders.values()) {
    await enqueueMessage(tx, {
      recipientId: s.id,
      idempotencyKey: `report:monthly:${month}:${s.id}`,
      payload: { template: "report-monthly", data: monthlyCardData(full, { calibration: may(s, "report.calibration") }) },
    });
  }
  const managers = await staffWithRole(tx, "TEAM_MANAGER");
  for (const tm of managers) {
    if (!tm.teamId) continue;
    const view = await buildMonthlyView(tx, ctx, { month, teamIds: [tm.teamId] }, now);
    if (view.report.howMuch.allocated === 0) continue;
    await enqueueMessage(tx, {
      recipientId: tm.id,
      idempotencyKey: `report:team:${month}:${tm.id}`,
      payload: { template: "report-team", data: teamCardData(view) },
    });
  }
  await scheduleMonthlyReport(tx, ctx, shiftMonth(month, 1));
}

export type { MonthlyReport, QuarterlyReport, Trends, CalibrationRow, TeamSummary, AppendixRow, MonthlyView, ViewOptions };
