// Planning an audit-of-practice day (Halton Children and Young People's Services Quality Assurance
// Framework, "The audit"): "Four dates are set over a calendar year … audit teams are agreed well in
// advance. Five weeks before audit, a quality assurance officer randomly selects cases and workers
// are required to ensure that their recording is up to date and confirm their attendance."
import { randomBytes } from "node:crypto";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { AlreadyDone, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { scheduleJob, scheduleNewJobs } from "../jobs";
import { deliveryOf } from "../messageKinds";
import { enqueueAll, type OutboxPayload } from "../outbox";
import type { Actor } from "../permissions";
import { transition } from "../stateMachine";
import { addCalendarDaysIso, dayLabel, practiceDayOf } from "./shared";
import { addWorkingDays, isoDate, localDate, zonedInstant, parseIsoDate } from "../workingTime";
import { resolveTheme } from "../audit/themes";
import { pairVolunteers, selectCases, CONTACT_PLAN, AREAS_OF_WORK } from "./plan";
import { practiceDayMachine } from "./states";
import { COUNCIL_STAFF } from "../directory/staff";

export const SELECT_JOB = "practiceDay.select";
export const REMIND_JOB = "practiceDay.remind";

/** The QA team sets a date (at most PRACTICE_DAYS_PER_YEAR a calendar year) with its lead manager and an optional theme. */
export async function scheduleDay(ctx: AppContext, actor: Actor, d: { heldOn: string; leadId: string; theme?: string | null }) {
  const today = isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));
  const errors: Record<string, string> = {};
  if (d.heldOn <= today) errors.heldOn = "Choose a date after today.";
  const lead = await ctx.db.staff.findFirst({ where: { id: d.leadId, active: true, partnerAgency: null } });
  if (!lead) errors.lead = "Choose the lead manager.";
  const theme = d.theme && d.theme !== "none" ? resolveTheme(d.theme) : null;
  const year = d.heldOn.slice(0, 4);
  const inYear = await ctx.db.practiceDay.count({
    where: { heldOn: { gte: new Date(`${year}-01-01T00:00:00Z`), lte: new Date(`${year}-12-31T00:00:00Z`) } },
  });
  if (!errors.heldOn && inYear >= ctx.config.PRACTICE_DAYS_PER_YEAR)
    errors.heldOn = `${year} already has its ${ctx.config.PRACTICE_DAYS_PER_YEAR} audit-of-practice days.`;
  if (!errors.heldOn && (await ctx.db.practiceDay.findUnique({ where: { heldOn: new Date(`${d.heldOn}T00:00:00Z`) } })))
    errors.heldOn = "There is already an audit-of-practice day on that date.";
  if (Object.keys(errors).length) throw new ValidationFailed("The day could not be set.", errors);
  const now = ctx.clock.now();
  return ctx.db.$transaction(async (tx) => {
    const day = await tx.practiceDay.create({
      data: {
        heldOn: new Date(`${d.heldOn}T00:00:00Z`),
        leadManagerId: lead!.id,
        theme: theme?.id ?? "",
        contacts: ctx.config.PRACTICE_DAY_CONTACTS,
        casesPerPair: ctx.config.PRACTICE_DAY_CASES_PER_PAIR,
        createdById: actor.id,
      },
    });
    await recordHistory(tx, {
      entityType: "practice_day",
      entityId: day.id,
      action: "scheduled",
      actorId: actor.id,
      after: { status: "planned", heldOn: d.heldOn, leadManagerId: lead!.id, theme: theme?.id ?? "" },
    });
    // Selection five weeks before, at the start of the working day (the QA team may select earlier).
    const selectOn = parseIsoDate(addCalendarDaysIso(d.heldOn, -7 * ctx.config.PRACTICE_DAY_SELECTION_WEEKS));
    await scheduleJob(tx, {
      key: `practiceDay:${day.id}:select`,
      name: SELECT_JOB,
      runAt: zonedInstant(selectOn, 8, 0, ctx.config.TIMEZONE),
      data: { dayId: day.id },
    });
    // "All staff have the opportunity to join an audit team": everyone in the council's directory is asked.
    const staff = await tx.staff.findMany({ where: COUNCIL_STAFF, select: { id: true } });
    const data = volunteerCardData(day, lead!.name, false, ctx.config);
    await sendCards(
      tx,
      deliveryOf(ctx, "practiceDay.volunteer", now),
      "practice-day-volunteer",
      staff.map((s) => ({
        recipientId: s.id,
        key: `practiceDay:${day.id}:volunteer:${s.id}`,
        cardKey: `practiceDay:${day.id}:volunteer`,
        data,
      })),
    );
    return day;
  });
}

export function volunteerCardData(
  day: { id: string; heldOn: Date; theme: string },
  leadName: string,
  volunteered: boolean,
  config: AppContext["config"],
) {
  return {
    dayId: day.id,
    date: dayLabel(day.heldOn),
    lead: leadName,
    theme: resolveTheme(day.theme || null)?.label ?? "",
    volunteered,
    status: volunteered ? "You have volunteered. The QA team will tell you your audit partner." : "",
    selectionWeeks: String(config.PRACTICE_DAY_SELECTION_WEEKS),
  };
}

/** A member of staff volunteers for a day's audit team (once: a second press records nothing). */
export async function volunteer(ctx: AppContext, actor: Actor, dayId: string) {
  const day = await practiceDayOf(ctx.db, dayId);
  if (day.status !== "planned" && day.status !== "teams_agreed")
    throw new AlreadyDone("The audit teams for this day are already settled. Thank you for offering: please ask the QA team.");
  const lead = await ctx.db.staff.findUnique({ where: { id: day.leadManagerId }, select: { name: true } });
  await ctx.db.$transaction(async (tx) => {
    const r = await tx.practiceDayVolunteer.createMany({ data: [{ dayId, staffId: actor.id }], skipDuplicates: true });
    if (r.count)
      await recordHistory(tx, {
        entityType: "practice_day",
        entityId: dayId,
        action: "volunteered",
        actorId: actor.id,
        after: { staffId: actor.id },
      });
  });
  return volunteerCardData(day, lead?.name ?? "", true, ctx.config);
}

/** The QA team agrees the audit teams: volunteers paired, front-line with senior managers, experience balanced. */
export async function agreeTeams(ctx: AppContext, actor: Actor, dayId: string) {
  await ctx.db.$transaction(async (tx) => {
    await lockDay(tx, dayId);
    const vols = await tx.practiceDayVolunteer.findMany({ where: { dayId } });
    const staff = await tx.staff.findMany({
      where: { id: { in: vols.map((v) => v.staffId) }, active: true },
      select: { id: true, roles: true, startDate: true },
    });
    if (staff.length < 2) throw new ValidationFailed("At least two volunteers are needed to form an audit team.");
    const teams = pairVolunteers(
      staff.map((s) => ({ id: s.id, roles: s.roles, startDate: s.startDate ? isoDate(parseIsoDate(s.startDate.toISOString())) : null })),
    );
    const moved = await transition(tx, practiceDayMachine, "agreeTeams", {
      id: dayId,
      actorId: actor.id,
      write: (from, to) => tx.practiceDay.updateMany({ where: { id: dayId, status: { in: from } }, data: { status: to } }),
      after: { teams },
      alreadyDone: "The cases for this day are already selected: the audit teams are settled.",
    });
    if (!moved) return;
    await tx.practiceDayVolunteer.updateMany({ where: { dayId }, data: { pairNo: null } });
    for (const [i, members] of teams.entries())
      await tx.practiceDayVolunteer.updateMany({ where: { dayId, staffId: { in: members } }, data: { pairNo: i + 1 } });
  });
}

async function lockDay(tx: Tx, dayId: string) {
  await tx.$queryRaw`SELECT id FROM "PracticeDay" WHERE id = ${dayId} FOR UPDATE`;
  return practiceDayOf(tx, dayId);
}

/**
 * The random selection (by the QA team, or the scheduler five weeks before): cases across all areas
 * of work plus initial contacts from partner agencies (and the theme's cases), each to an audit
 * team; each allocated worker is told to bring their recording up to date and confirm attendance.
 */
export async function selectDayCases(tx: Tx, ctx: AppContext, actorId: string | null, dayId: string, seed?: string) {
  const day = await lockDay(tx, dayId);
  if (day.status === "cases_selected" || day.status === "reported") return { alreadySelected: true, count: 0 };
  const vols = await tx.practiceDayVolunteer.findMany({ where: { dayId, pairNo: { not: null } }, orderBy: { pairNo: "asc" } });
  const teams: string[][] = [];
  for (const v of vols) (teams[v.pairNo! - 1] ??= []).push(v.staffId);
  if (!teams.length) throw new ValidationFailed("Agree the audit teams first: no volunteers are in a team yet.");
  const theme = resolveTheme(day.theme || null);
  const cases = await tx.case.findMany({
    where: { active: true, worker: { active: true }, planType: { in: [...AREAS_OF_WORK, CONTACT_PLAN] } },
    select: { caseRef: true, planType: true, teamId: true, workerId: true, worker: { select: { lineManagerId: true } } },
    orderBy: { caseRef: "asc" },
  });
  const s = seed ?? day.seed ?? randomBytes(6).toString("hex");
  const { selected } = selectCases({
    pool: cases.map((c) => ({
      caseRef: c.caseRef,
      planType: c.planType,
      teamId: c.teamId,
      workerId: c.workerId!,
      managerId: c.worker?.lineManagerId ?? null,
    })),
    teams,
    size: Math.max(AREAS_OF_WORK.length, teams.length * day.casesPerPair),
    contacts: day.contacts,
    themePlanTypes: theme ? theme.planTypes : null,
    themeCases: theme ? teams.length : 0,
    seed: s,
  });
  const moved = await transition(tx, practiceDayMachine, "selectCases", {
    id: dayId,
    actorId,
    write: (from, to) => tx.practiceDay.updateMany({ where: { id: dayId, status: { in: from } }, data: { status: to, seed: s } }),
    after: { seed: s, cases: selected.length },
  });
  if (!moved) throw new ValidationFailed("Agree the audit teams before the cases are selected.");
  const byRef = new Map(cases.map((c) => [c.caseRef, c]));
  await tx.practiceDayCase.createMany({
    data: selected.map((x) => {
      const c = byRef.get(x.caseRef)!;
      return {
        dayId,
        caseRef: c.caseRef,
        planType: c.planType,
        teamId: c.teamId,
        workerId: c.workerId!,
        managerId: c.worker?.lineManagerId ?? null,
        pairNo: x.team,
        reason: x.reason,
      };
    }),
  });
  const rows = await tx.practiceDayCase.findMany({ where: { dayId } });
  const now = ctx.clock.now();
  await sendCards(
    tx,
    deliveryOf(ctx, "practiceDay.notice", now),
    "practice-day-notice",
    rows.map((r) => ({
      recipientId: r.workerId,
      key: `practiceDay:${r.id}:notice`,
      data: noticeData(day, r, ctx.config, 0),
    })),
  );
  await scheduleNewJobs(
    tx,
    rows.map((r) => ({
      key: `practiceDay:${r.id}:remind`,
      name: REMIND_JOB,
      runAt: addWorkingDays(now, ctx.config.PRACTICE_DAY_REMINDER_DAYS, ctx.config.TIMEZONE),
      data: { dayCaseId: r.id },
    })),
  );
  return { alreadySelected: false, count: rows.length };
}

export function noticeData(
  day: { heldOn: Date },
  r: { id: string; caseRef: string; status: string; planType: string },
  config: AppContext["config"],
  reminder: number,
) {
  const confirmed = r.status !== "selected";
  return {
    dayCaseId: r.id,
    caseRef: r.caseRef,
    date: dayLabel(day.heldOn),
    area: areaLabel(r.planType),
    system: config.CASE_RECORD_SYSTEM,
    confirmed,
    title:
      reminder > 0 && !confirmed ? `Reminder ${reminder}: please confirm you will attend` : "Your case is in the audit of practice day",
    status: confirmed ? "You have confirmed you will attend. Thank you." : "Waiting for you to confirm you will attend",
  };
}

export const areaLabel = (p: string) =>
  ({
    EARLY_HELP: "Family support",
    CHILD_IN_NEED: "Child in need",
    CHILD_PROTECTION: "Child protection",
    CHILD_LOOKED_AFTER: "Looked after",
    CARE_LEAVER: "Care leaver",
    CONTACT: "Initial contact from a partner agency",
  })[p] ?? p;

/** The scheduler's selection job, five weeks before the day. */
export async function selectionJob(tx: Tx, ctx: AppContext, data: Record<string, unknown>) {
  const day = await tx.practiceDay.findUnique({ where: { id: String(data.dayId) } });
  if (!day || day.status !== "teams_agreed") {
    if (day?.status === "planned") ctx.log.warn({ dayId: day.id }, "audit-of-practice day: no audit teams agreed at selection time");
    return;
  }
  await selectDayCases(tx, ctx, null, day.id);
}

/** The QA team presses "Select cases now". */
export async function selectNow(ctx: AppContext, actor: Actor, dayId: string, seed?: string) {
  return ctx.db.$transaction((tx) => selectDayCases(tx, ctx, actor.id, dayId, seed), { timeout: 30_000 });
}

/** One card each to many people, all of one template and delivery (one insert); a card is updated by its key unless it names another. */
function sendCards(
  tx: Tx,
  when: { notBefore: Date; urgent: boolean },
  template: string,
  cards: { recipientId: string; key: string; cardKey?: string; data: OutboxPayload["data"] }[],
) {
  return enqueueAll(
    tx,
    cards.map((c) => ({
      kind: "send" as const,
      recipientId: c.recipientId,
      idempotencyKey: c.key,
      cardKey: c.cardKey ?? c.key,
      payload: { template, data: c.data },
      ...when,
    })),
  );
}
