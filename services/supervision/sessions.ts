// Supervision sessions: the supervisor records a session as held or moves it; the reminder and
// overdue jobs follow (a held session's pending jobs are cancelled in the same transaction); the
// views answer "what is my schedule" and, for managers, "whose supervision is overdue".
import { typedNumber } from "../../cards/schemas/cardData";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { AlreadyDone, NotFound, NotPermitted, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { loadSupervisionRules } from "../catalogue";
import { managerChain } from "../directory/staff";
import { fromDbDate, isoDate, localDate, parseIsoDate, toDbDate, type LocalDate } from "../workingTime";
import { addMonths, formatDate } from "../dates";
import { deliveryOf } from "../messageKinds";
import { sessionJobKey, sessionJobs } from "./plan";

export const SESSION_CARD = "supervision-session";
export const MAX_NOTE = 500;
/** Audit actions shown on one supervision card (the oldest due first). */
const MAX_ACTIONS = 10;

const OPEN = ["scheduled", "overdue"];

type SessionRow = NonNullable<Awaited<ReturnType<typeof loadSession>>>;

async function loadSession(db: Tx, id: string) {
  return db.supervisionSession.findUnique({ where: { id } });
}

/** The supervisor, or anyone above the supervisor in line management. */
async function mayRecord(db: Tx, actor: Actor, s: { supervisorId: string }): Promise<boolean> {
  if (actor.id === s.supervisorId) return true;
  return (await managerChain(db, s.supervisorId)).some((m) => m.id === actor.id);
}

async function mayView(db: Tx, actor: Actor, s: { supervisorId: string; superviseeId: string | null; teamId: string | null }) {
  if (s.superviseeId === actor.id) return true;
  if (s.superviseeId === null && s.teamId && s.teamId === actor.teamId) return true;
  return mayRecord(db, actor, s);
}

export interface SessionForm {
  heldOn?: string;
  durationMinutes?: string;
  kind?: string;
  newDate?: string;
  /** Audit actions the supervisor ticked as reviewed in this session. */
  reviewed?: string[];
}

/** Audit actions still open for a supervisee: theirs, and those of audits of their cases. */
async function openAuditActions(db: Tx, superviseeId: string | null) {
  if (!superviseeId) return [];
  return db.action.findMany({
    where: { status: "open", auditId: { not: null }, OR: [{ assigneeId: superviseeId }, { audit: { practitionerId: superviseeId } }] },
    include: { audit: { select: { case: { select: { caseRef: true } } } } },
    orderBy: { dueAt: "asc" },
    take: MAX_ACTIONS,
  });
}

/** The data of the session card (template supervision-session) for one reader. */
export async function sessionCardData(
  db: Tx,
  s: SessionRow,
  opts: { canRecord: boolean; notice?: string; form?: SessionForm; errors?: Record<string, string>; today?: LocalDate },
) {
  const ids = [s.supervisorId, s.superviseeId].filter((x): x is string => !!x);
  const people = await db.staff.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  const name = (id: string | null) => people.find((p) => p.id === id)?.name ?? "";
  const team = s.teamId ? await db.team.findUnique({ where: { id: s.teamId }, select: { name: true } }) : null;
  const booking = loadSupervisionRules().booking;
  const open = OPEN.includes(s.status);
  const actions = open ? await openAuditActions(db, s.superviseeId) : [];
  const due = fromDbDate(s.dueOn);
  const statusText =
    s.status === "held"
      ? `Held on ${formatDate(s.heldOn!)} (${s.durationMinutes} minutes, ${s.kind})`
      : s.status === "overdue"
        ? `Overdue: it was due on ${formatDate(due)} and has not been recorded as held`
        : s.status === "cancelled"
          ? "Cancelled"
          : `Due on ${formatDate(due)}`;
  const errors = opts.errors ?? {};
  return {
    sessionId: s.id,
    title: s.superviseeId ? `Supervision: ${name(s.superviseeId)}` : `Group supervision: ${team?.name ?? s.teamId ?? ""}`,
    status: s.status,
    statusText,
    overdue: s.status === "overdue",
    supervisor: name(s.supervisorId),
    supervisee: s.superviseeId ? name(s.superviseeId) : "Team (group supervision)",
    team: team?.name ?? "",
    due: formatDate(due),
    notice: opts.notice ?? "",
    guidance: booking.text,
    canRecord: opts.canRecord && open,
    form: {
      heldOn: opts.form?.heldOn ?? isoDate(opts.today ?? due),
      durationMinutes: opts.form ? typedNumber(opts.form.durationMinutes) : booking.durationMinutes.min,
      kind: opts.form?.kind ?? (s.superviseeId ? "individual" : "group"),
      newDate: opts.form?.newDate ?? "",
    },
    errors: {
      heldOn: errors.heldOn ?? "",
      durationMinutes: errors.durationMinutes ?? "",
      kind: errors.kind ?? "",
      newDate: errors.newDate ?? "",
    },
    hasErrors: Object.keys(errors).length > 0,
    // Bexley: audit actions are reviewed in supervision until the team manager is satisfied.
    auditActions: actions.map((a) => ({
      id: `reviewed_${a.id}`,
      text: `Case ${a.audit?.case.caseRef ?? ""}: ${a.description}`,
      due: `Due ${formatDate(a.dueAt)}${a.reviewedAt ? `, last reviewed in supervision on ${formatDate(a.reviewedAt)}` : ""}`,
      value: opts.form?.reviewed?.includes(a.id) ? "true" : "false",
    })),
  };
}

/** The session card for whoever opens it (buttons only for those who may record). */
export async function openSession(
  ctx: AppContext,
  actor: Actor,
  sessionId: string,
  again?: { form: SessionForm; errors: Record<string, string> },
) {
  const s = await loadSession(ctx.db, sessionId);
  if (!s) throw new NotFound("That supervision session no longer exists.");
  if (!(await mayView(ctx.db, actor, s)))
    throw new NotPermitted("Only the supervisee, the supervisor and their managers can see this session.");
  const today = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  return sessionCardData(ctx.db, s, { canRecord: await mayRecord(ctx.db, actor, s), today, ...again });
}

function parseDate(v: string | undefined, field: string, errors: Record<string, string>): LocalDate | undefined {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    errors[field] = "Enter a date.";
    return undefined;
  }
  return parseIsoDate(v);
}

/**
 * The supervisor (or their manager) records that the session took place. Cancels its pending
 * reminder and overdue jobs. A second click finds the session already held: AlreadyDone.
 */
export async function recordSupervisionHeld(ctx: AppContext, actor: Actor, sessionId: string, form: SessionForm) {
  const tz = ctx.config.TIMEZONE;
  const today = localDate(ctx.clock.now(), tz);
  const errors: Record<string, string> = {};
  const heldOn = parseDate(form.heldOn, "heldOn", errors);
  if (heldOn && isoDate(heldOn) > isoDate(today)) errors.heldOn = "A session cannot be recorded as held in the future.";
  if (heldOn && isoDate(heldOn) < isoDate(addMonths(today, -3))) errors.heldOn = "Enter a date in the last three months.";
  const duration = Number(form.durationMinutes);
  if (!Number.isInteger(duration) || duration < 10 || duration > 480) errors.durationMinutes = "Enter the length in minutes (10 to 480).";
  if (form.kind !== "individual" && form.kind !== "group") errors.kind = "Choose individual or group.";
  if (Object.keys(errors).length) throw new ValidationFailed("Some answers need correcting. Nothing was recorded.", errors);

  return ctx.db.$transaction(async (tx) => {
    const s = await loadSession(tx, sessionId);
    if (!s) throw new NotFound("That supervision session no longer exists.");
    if (!(await mayRecord(tx, actor, s))) throw new NotPermitted("Only the supervisor or their manager can record this session.");
    const updated = await tx.supervisionSession.updateMany({
      where: { id: s.id, status: { in: OPEN } },
      data: { status: "held", heldOn: toDbDate(heldOn!), durationMinutes: duration, kind: form.kind },
    });
    if (updated.count === 0) throw new AlreadyDone(`This session was already recorded (${s.status}). Nothing was recorded twice.`);
    const reviewed = await markActionsReviewed(tx, ctx, actor, s, form.reviewed ?? []);
    const cancelled = await cancelJobs(tx, sessionJobKey(s.id));
    await recordHistory(tx, {
      entityType: "supervision",
      entityId: s.id,
      action: "held",
      actorId: actor.id,
      before: { status: s.status, dueOn: isoDate(fromDbDate(s.dueOn)) },
      after: {
        status: "held",
        heldOn: isoDate(heldOn!),
        durationMinutes: duration,
        kind: form.kind,
        jobsCancelled: cancelled,
        actionsReviewed: reviewed,
      },
    });
    const after = (await loadSession(tx, s.id))!;
    // Replace the reminder card wherever it was delivered, so nobody presses a spent button.
    const readOnly = await sessionCardData(tx, after, { canRecord: false });
    for (const r of [s.supervisorId, s.superviseeId].filter((x): x is string => !!x)) {
      await enqueueCardUpdate(tx, {
        recipientId: r,
        cardKey: `supervision:${s.id}`,
        idempotencyKey: `supervision:${s.id}:held:${r}`,
        payload: { template: SESSION_CARD, data: readOnly },
      });
    }
    return sessionCardData(tx, after, { canRecord: false, notice: "Recorded. The reminders for this session are cancelled." });
  });
}

/** Marks the ticked audit actions (only the supervisee's open ones shown on the card) reviewed in this session. */
async function markActionsReviewed(tx: Tx, ctx: AppContext, actor: Actor, s: SessionRow, ids: string[]): Promise<number> {
  const eligible = new Set((await openAuditActions(tx, s.superviseeId)).map((a) => a.id));
  const chosen = ids.filter((id) => eligible.has(id));
  const now = ctx.clock.now();
  for (const id of chosen) {
    await tx.action.update({ where: { id }, data: { reviewedAt: now, reviewedInSessionId: s.id } });
    await recordHistory(tx, {
      entityType: "action",
      entityId: id,
      action: "reviewed_in_supervision",
      actorId: actor.id,
      after: { sessionId: s.id },
    });
  }
  return chosen.length;
}

/** Moves a session to a new date; its reminder and overdue jobs move with it. */
export async function rescheduleSupervision(ctx: AppContext, actor: Actor, sessionId: string, form: SessionForm) {
  const tz = ctx.config.TIMEZONE;
  const today = localDate(ctx.clock.now(), tz);
  const errors: Record<string, string> = {};
  const newDate = parseDate(form.newDate, "newDate", errors);
  if (newDate && isoDate(newDate) < isoDate(today)) errors.newDate = "Choose today or a later date.";
  const horizon = addMonths(today, loadSupervisionRules().booking.bookAheadMonths);
  if (newDate && isoDate(newDate) > isoDate(horizon)) errors.newDate = `Choose a date before ${formatDate(horizon)}.`;
  if (Object.keys(errors).length) throw new ValidationFailed("Some answers need correcting. Nothing was changed.", errors);

  return ctx.db.$transaction(async (tx) => {
    const s = await loadSession(tx, sessionId);
    if (!s) throw new NotFound("That supervision session no longer exists.");
    if (!(await mayRecord(tx, actor, s))) throw new NotPermitted("Only the supervisor or their manager can move this session.");
    const updated = await tx.supervisionSession.updateMany({
      where: { id: s.id, status: { in: OPEN } },
      data: { status: "scheduled", dueOn: toDbDate(newDate!) },
    });
    if (updated.count === 0) throw new AlreadyDone(`This session was already recorded (${s.status}); it cannot be moved.`);
    for (const job of sessionJobs(ctx, s.id, newDate!)) await scheduleJob(tx, job);
    await recordHistory(tx, {
      entityType: "supervision",
      entityId: s.id,
      action: "rescheduled",
      actorId: actor.id,
      before: { status: s.status, dueOn: isoDate(fromDbDate(s.dueOn)) },
      after: { status: "scheduled", dueOn: isoDate(newDate!) },
    });
    const after = (await loadSession(tx, s.id))!;
    return sessionCardData(tx, after, { canRecord: true, notice: `Moved to ${formatDate(newDate!)}. The reminders move with it.`, today });
  });
}

// ---------------------------------------------------------------- jobs

/** Job "supervision.remind": a card to supervisor and supervisee before the session is due. */
export async function sendSupervisionReminder(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const s = await loadSession(tx, String(data.sessionId));
  if (!s || s.status !== "scheduled") return; // done or moved on: never nag about finished work
  const due = isoDate(fromDbDate(s.dueOn));
  const { notBefore } = deliveryOf(ctx, "supervision.reminder");
  const recipients: { id: string; canRecord: boolean }[] = [{ id: s.supervisorId, canRecord: true }];
  if (s.superviseeId) recipients.push({ id: s.superviseeId, canRecord: false });
  for (const r of recipients) {
    const card = await sessionCardData(tx, s, {
      canRecord: r.canRecord,
      notice: r.canRecord
        ? "Reminder: this supervision is due soon. Record it here once held, or move it."
        : "Reminder: your supervision is due soon.",
    });
    await enqueueMessage(tx, {
      recipientId: r.id,
      idempotencyKey: `supervision:${s.id}:reminder:${due}:${r.id}`,
      cardKey: `supervision:${s.id}`,
      payload: { template: SESSION_CARD, data: card },
      notBefore,
    });
  }
}

/** Job "supervision.overdue": a session not recorded in time becomes overdue; the supervisor is told. */
export async function markSupervisionOverdue(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const s = await loadSession(tx, String(data.sessionId));
  if (!s || s.status !== "scheduled") return;
  const due = isoDate(fromDbDate(s.dueOn));
  if (data.dueOn !== undefined && data.dueOn !== due) return; // a stale job for an earlier date
  await tx.supervisionSession.update({ where: { id: s.id }, data: { status: "overdue" } });
  await recordHistory(tx, {
    entityType: "supervision",
    entityId: s.id,
    action: "overdue",
    before: { status: s.status },
    after: { status: "overdue", dueOn: due },
  });
  const after = (await loadSession(tx, s.id))!;
  const card = await sessionCardData(tx, after, {
    canRecord: true,
    notice: "This supervision is overdue. If it took place, record it; otherwise book a new date.",
  });
  await enqueueMessage(tx, {
    recipientId: s.supervisorId,
    idempotencyKey: `supervision:${s.id}:overdue:${due}:${s.supervisorId}`,
    cardKey: `supervision:${s.id}`,
    payload: { template: SESSION_CARD, data: card },
    ...deliveryOf(ctx, "supervision.reminder"),
  });
}

// ---------------------------------------------------------------- views

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
  const [mine, toRecord, below] = await Promise.all([
    ctx.db.supervisionSession.findMany({
      where: { superviseeId: actor.id, status: { in: OPEN } },
      orderBy: { dueOn: "asc" },
      take: 6,
    }),
    ctx.db.supervisionSession.findMany({
      where: { supervisorId: actor.id, status: { in: OPEN }, dueOn: { lte: soon } },
      orderBy: { dueOn: "asc" },
      take: 10,
    }),
    reportsBelow(ctx, actor.id),
  ]);
  const overdue = below.length
    ? await ctx.db.supervisionSession.findMany({
        where: { status: "overdue", supervisorId: { in: below } },
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
    toRecord: toRecord.map((s) => ({ sessionId: s.id, title: label(s), due: formatDate(s.dueOn), overdue: s.status === "overdue" })),
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
           COUNT(*) FILTER (WHERE s.status = 'held') AS held,
           COUNT(*) FILTER (WHERE s.status = 'held' AND s."heldOn" > s."dueOn") AS "heldLate",
           COUNT(*) FILTER (WHERE s.status = 'overdue') AS overdue
    FROM "SupervisionSession" s
    WHERE s."dueOn" >= ${from} AND s."dueOn" < ${to} AND s.status <> 'cancelled'
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
