// Booking supervision ahead: per supervisee (supervisor = line manager) and per team (group
// supervision, led by the team manager), sessions up to the booking horizon, each with its
// reminder and overdue jobs written in the same transaction. Idempotent: a run only adds sessions
// after the last one booked, so the daily recurring run (scheduler/recurring.ts) is harmless.
import { randomUUID } from "node:crypto";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { loadSupervisionRules } from "../catalogue";
import { scheduleNewJobs, type JobSpec } from "../jobs";
import { recordHistory } from "../history";
import { addDays, fromDbDate, isoDate, localDate, shiftWorkingDays, toDbDate, zonedInstant, type LocalDate } from "../workingTime";
import { addMonths } from "../dates";
import { dueDatesBetween, groupRule, ruleFor } from "./schedule";
import { supervisionMachine } from "./states";

export const REMIND_JOB = "supervision.remind";
export const OVERDUE_JOB = "supervision.overdue";

export const sessionJobKey = (sessionId: string) => `supervision:${sessionId}`;

/** The reminder and overdue jobs of a session due on `dueOn`. */
export function sessionJobs(ctx: AppContext, sessionId: string, dueOn: LocalDate): JobSpec[] {
  const tz = ctx.config.TIMEZONE;
  const r = loadSupervisionRules().reminders;
  const [hh, mm] = r.sendAt.split(":").map(Number) as [number, number];
  const now = ctx.clock.now();
  let remindAt = zonedInstant(shiftWorkingDays(dueOn, -r.workingDaysBefore), hh, mm, tz);
  if (remindAt < now) remindAt = now;
  const overdueAt = zonedInstant(shiftWorkingDays(dueOn, r.overdueAfterWorkingDays + 1), hh, mm, tz);
  const data = { sessionId, dueOn: isoDate(dueOn) };
  return [
    { key: `${sessionJobKey(sessionId)}:reminder`, name: REMIND_JOB, runAt: remindAt, data },
    { key: `${sessionJobKey(sessionId)}:overdue`, name: OVERDUE_JOB, runAt: overdueAt, data },
  ];
}

interface NewSession {
  superviseeId: string | null;
  supervisorId: string;
  teamId: string | null;
  kind: "individual" | "group";
  dates: LocalDate[];
}

async function book(tx: Tx, ctx: AppContext, s: NewSession): Promise<number> {
  if (!s.dates.length) return 0;
  const rows = s.dates.map((d) => ({
    id: randomUUID(),
    superviseeId: s.superviseeId,
    supervisorId: s.supervisorId,
    teamId: s.teamId,
    kind: s.kind,
    dueOn: toDbDate(d),
    status: supervisionMachine.initial,
  }));
  await tx.supervisionSession.createMany({ data: rows });
  await scheduleNewJobs(
    tx,
    rows.flatMap((r, i) => sessionJobs(ctx, r.id, s.dates[i]!)),
  );
  await recordHistory(tx, {
    entityType: "supervision",
    entityId: s.superviseeId ?? `team:${s.teamId}`,
    action: "planned",
    after: { supervisorId: s.supervisorId, kind: s.kind, dueOn: s.dates.map(isoDate) },
  });
  return rows.length;
}

export interface PlanResult {
  supervisees: number;
  teams: number;
  sessions: number;
}

/** Books sessions up to the horizon for everyone with a line manager (or only `staffIds`) and every team. */
export async function planSupervision(
  ctx: AppContext,
  opts: { staffIds?: string[]; teamIds?: string[]; shouldStop?: () => boolean } = {},
): Promise<PlanResult> {
  const tz = ctx.config.TIMEZONE;
  const today = localDate(ctx.clock.now(), tz);
  const horizon = addMonths(today, loadSupervisionRules().booking.bookAheadMonths);
  const result: PlanResult = { supervisees: 0, teams: 0, sessions: 0 };

  const staff = await ctx.db.staff.findMany({
    where: { active: true, lineManagerId: { not: null }, ...(opts.staffIds ? { id: { in: opts.staffIds } } : {}) },
    select: { id: true, lineManagerId: true, teamId: true, startDate: true, isNqsw: true, isCaseHolding: true },
    orderBy: { id: "asc" },
  });
  const last = await ctx.db.supervisionSession.groupBy({
    by: ["superviseeId"],
    where: { superviseeId: { in: staff.map((s) => s.id) } },
    _max: { dueOn: true },
  });
  const lastBy = new Map(last.map((l) => [l.superviseeId, l._max.dueOn]));
  for (const s of staff) {
    if (opts.shouldStop?.()) return result; // shutting down: the next run carries on from here
    const rule = ruleFor(s);
    const start = s.startDate ? fromDbDate(s.startDate) : today;
    const previous = lastBy.get(s.id);
    // New starters are planned from their start date; everyone else from their last booked session, or today.
    const anchor = previous ? fromDbDate(previous) : isoDate(start) > isoDate(addDays(today, -7)) ? start : today;
    const dates = dueDatesBetween(rule, start, anchor, horizon);
    if (!dates.length) continue;
    const n = await ctx.db.$transaction((tx) =>
      book(tx, ctx, { superviseeId: s.id, supervisorId: s.lineManagerId!, teamId: s.teamId, kind: "individual", dates }),
    );
    result.supervisees++;
    result.sessions += n;
  }

  if (opts.staffIds && !opts.teamIds) return result;
  const managers = await ctx.db.staff.findMany({
    where: { active: true, roles: { has: "TEAM_MANAGER" }, teamId: opts.teamIds ? { in: opts.teamIds } : { not: null } },
    orderBy: { email: "asc" },
    select: { id: true, teamId: true },
  });
  const leadBy = new Map<string, string>();
  for (const m of managers) if (!leadBy.has(m.teamId!)) leadBy.set(m.teamId!, m.id);
  const rule = groupRule();
  for (const [teamId, supervisorId] of leadBy) {
    if (opts.shouldStop?.()) return result;
    const previous = await ctx.db.supervisionSession.findFirst({
      where: { teamId, superviseeId: null },
      orderBy: { dueOn: "desc" },
      select: { dueOn: true },
    });
    const anchor = previous ? fromDbDate(previous.dueOn) : today;
    const dates = dueDatesBetween(rule, today, anchor, horizon);
    if (!dates.length) continue;
    const n = await ctx.db.$transaction((tx) => book(tx, ctx, { superviseeId: null, supervisorId, teamId, kind: "group", dates }));
    result.teams++;
    result.sessions += n;
  }
  return result;
}
