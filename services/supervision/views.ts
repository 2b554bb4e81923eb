// What supervision looks like from where one stands: my sessions, the sessions I must record, and
// for managers the overdue sessions in their teams; and the monthly report's figures per team.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { ValidationFailed } from "../errors";
import { localDate, parseIsoDate, toDbDate } from "../workingTime";
import { addMonths, formatDate } from "../dates";
import { OPEN_SESSION_STATUSES, SupervisionStatus } from "./states";

/** Everyone below a person in line management (not the person). */
async function reportsBelow(ctx: AppContext, staffId: string): Promise<string[]> {
  const rows = await ctx.db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE below AS (
      SELECT id FROM "Staff" WHERE "lineManagerId" = ${staffId}
      UNION SELECT s.id FROM "Staff" s JOIN below b ON s."lineManagerId" = b.id)
    SELECT id FROM below`;
  return rows.map((r) => r.id);
}

export interface SupervisionView {
  name: string;
  mine: { due: string; supervisor: string; status: string }[];
  toRecord: { sessionId: string; title: string; due: string; overdue: boolean }[];
  overdueBelow: { sessionId: string; team: string; supervisee: string; supervisor: string; due: string }[];
  managesOthers: boolean;
  overdueCount: number;
}

/** "supervision": my next sessions; sessions I must record; for managers, overdue sessions in their teams. */
export async function supervisionView(ctx: AppContext, actor: Actor): Promise<SupervisionView> {
  const today = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  const todayDb = toDbDate(today);
  const soon = new Date(todayDb.getTime() + 14 * 86_400_000);
  const open = [...OPEN_SESSION_STATUSES];
  const [mine, toRecord, below] = await Promise.all([
    ctx.db.supervisionSession.findMany({
      where: { superviseeId: actor.id, status: { in: open } },
      orderBy: { dueOn: "asc" },
      take: 6,
    }),
    ctx.db.supervisionSession.findMany({
      where: { supervisorId: actor.id, status: { in: open }, dueOn: { lte: soon } },
      orderBy: { dueOn: "asc" },
      take: 10,
    }),
    reportsBelow(ctx, actor.id),
  ]);
  const overdue = below.length
    ? await ctx.db.supervisionSession.findMany({
        where: { status: SupervisionStatus.overdue, supervisorId: { in: below } },
        orderBy: [{ teamId: "asc" }, { dueOn: "asc" }],
      })
    : [];
  const ids = new Set<string>();
  for (const s of [...mine, ...toRecord, ...overdue]) {
    ids.add(s.supervisorId);
    if (s.superviseeId) ids.add(s.superviseeId);
  }
  const people = new Map(
    (await ctx.db.staff.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]),
  );
  const teams = new Map((await ctx.db.team.findMany({ select: { id: true, name: true } })).map((t) => [t.id, t.name]));
  const label = (s: { superviseeId: string | null; teamId: string | null }) =>
    s.superviseeId ? (people.get(s.superviseeId) ?? "") : `Group: ${teams.get(s.teamId ?? "") ?? ""}`;
  return {
    name: actor.name,
    mine: mine.map((s) => ({ due: formatDate(s.dueOn), supervisor: people.get(s.supervisorId) ?? "", status: s.status })),
    toRecord: toRecord.map((s) => ({
      sessionId: s.id,
      title: label(s),
      due: formatDate(s.dueOn),
      overdue: s.status === SupervisionStatus.overdue,
    })),
    overdueBelow: overdue.slice(0, 25).map((s) => ({
      sessionId: s.id,
      team: teams.get(s.teamId ?? "") ?? "",
      supervisee: label(s),
      supervisor: people.get(s.supervisorId) ?? "",
      due: formatDate(s.dueOn),
    })),
    managesOthers: below.length > 0,
    overdueCount: overdue.length,
  };
}

export interface TeamSupervisionFigures {
  teamId: string;
  team: string;
  due: number;
  held: number;
  heldLate: number;
  overdue: number;
}

/** For the monthly report: sessions due in `month` ("YYYY-MM") per team, how many held, late, overdue. */
export async function supervisionOverdueByTeam(ctx: AppContext, month: string): Promise<TeamSupervisionFigures[]> {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new ValidationFailed("Month must look like 2026-12.", { month: "YYYY-MM" });
  const start = parseIsoDate(`${month}-01`);
  const from = toDbDate(start);
  const to = toDbDate(addMonths(start, 1));
  const rows = await ctx.db.$queryRaw<{ teamId: string; due: bigint; held: bigint; heldLate: bigint; overdue: bigint }[]>`
    SELECT COALESCE(s."teamId", '') AS "teamId",
           COUNT(*) AS due,
           COUNT(*) FILTER (WHERE s.status = ${SupervisionStatus.held}) AS held,
           COUNT(*) FILTER (WHERE s.status = ${SupervisionStatus.held} AND s."heldOn" > s."dueOn") AS "heldLate",
           COUNT(*) FILTER (WHERE s.status = ${SupervisionStatus.overdue}) AS overdue
    FROM "SupervisionSession" s
    WHERE s."dueOn" >= ${from} AND s."dueOn" < ${to}
    GROUP BY 1 ORDER BY 1`;
  const teams = new Map((await ctx.db.team.findMany({ select: { id: true, name: true } })).map((t) => [t.id, t.name]));
  return rows.map((r) => ({
    teamId: r.teamId,
    team: teams.get(r.teamId) ?? r.teamId,
    due: Number(r.due),
    held: Number(r.held),
    heldLate: Number(r.heldLate),
    overdue: Number(r.overdue),
  }));
}
