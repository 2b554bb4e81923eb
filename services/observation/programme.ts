// The observation programme (Southwark Children's Social Care Quality Assurance Framework, §5: "a
// scheduled programme of direct observation of staff and key processes (such as supervision,
// visits etc.)"): the QA team or a head of service schedules an observation of a practitioner with
// an observer and a date; the practitioner is told in advance and agrees the date or proposes
// another, which the observer accepts. An observation an inadequate audit requires (Bexley
// Children's Social Care Quality Assurance Framework, §1.3) starts "required", linked to the audit.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { AlreadyDone, NotFound, ValidationFailed } from "../errors";
import { onlyChoices } from "../../cards/schemas/cardData";
import { recordHistory } from "../history";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { may, requireCapability, rolesWith, type Actor } from "../permissions";
import { OBSERVATION_MISSING, requireObserved, requireObserver } from "./access";
import { transition } from "../stateMachine";
import { addWorkingDays, isoDate, localDate } from "../workingTime";
import { dbDate } from "../audit/allocation";
import { formatDate } from "../dates";
import { OBSERVED_PROCESSES, processTitle, type ObservationForm } from "./form";
import { inviteCardKey, observationCardData, observerCardKey, type ObservationView } from "./cards";
import { PLANNED_STATUSES, observationMachine } from "./states";
import { COUNCIL_STAFF } from "../directory/staff";

export async function loadObservation(db: AppContext["db"] | Tx, id: string): Promise<ObservationView> {
  const o = await db.observation.findUnique({ where: { id } });
  if (!o) throw new NotFound(OBSERVATION_MISSING);
  const ids = [o.practitionerId, o.observerId, o.managerId].filter((x): x is string => !!x);
  const people = new Map(
    (await db.staff.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]),
  );
  const audit = o.auditId ? await db.audit.findUnique({ where: { id: o.auditId }, select: { case: { select: { caseRef: true } } } }) : null;
  return {
    ...o,
    practitionerName: people.get(o.practitionerId) ?? "",
    observerName: o.observerId ? (people.get(o.observerId) ?? "") : "",
    managerName: o.managerId ? (people.get(o.managerId) ?? "") : "",
    auditCaseRef: audit?.case.caseRef ?? null,
    form: { themes: {}, ...(o.form as Partial<ObservationForm>) },
  };
}

export const today = (ctx: AppContext) => isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));
/** The earliest date a practitioner can be asked to agree: they are told in advance. */
export const earliestDate = (ctx: AppContext) =>
  isoDate(localDate(addWorkingDays(ctx.clock.now(), ctx.config.OBSERVATION_NOTICE_WORKING_DAYS, ctx.config.TIMEZONE), ctx.config.TIMEZONE));

export interface ScheduleInput {
  requiredId?: string;
  practitionerId?: string;
  observerId?: string;
  process?: string;
  date?: string;
  caseRef?: string;
}

/** Planned observations listed on the schedule card (the soonest first). */
const PLANNED_SHOWN = 10;

/** The schedule form's choices and the programme as it stands (template "observation-schedule"). */
export async function scheduleFormData(ctx: AppContext, typed: ScheduleInput = {}, errors: Record<string, string> = {}, error = "") {
  const plannedStatuses = { status: { in: [...PLANNED_STATUSES] } };
  const [staff, required, planned, plannedCount] = await Promise.all([
    ctx.db.staff.findMany({
      where: COUNCIL_STAFF,
      select: { id: true, name: true, roles: true, teamId: true },
      orderBy: { name: "asc" },
    }),
    ctx.db.observation.findMany({ where: { status: "required" }, orderBy: { createdAt: "asc" }, take: 20 }),
    ctx.db.observation.findMany({ where: plannedStatuses, orderBy: { date: "asc" }, take: PLANNED_SHOWN }),
    ctx.db.observation.count({ where: plannedStatuses }),
  ]);
  const name = new Map(staff.map((s) => [s.id, s.name]));
  const observerRoles = rolesWith("observations.observe");
  const caseRefs = new Map(
    (
      await ctx.db.audit.findMany({
        where: { id: { in: required.map((r) => r.auditId ?? "").filter(Boolean) } },
        select: { id: true, case: { select: { caseRef: true } } },
      })
    ).map((a) => [a.id, a.case.caseRef]),
  );
  const requiredChoices = required.map((r) => ({
    title: `${name.get(r.practitionerId) ?? ""}: required after the inadequate audit of ${caseRefs.get(r.auditId ?? "") ?? "a case"}`,
    value: r.id,
  }));
  const practitioners = staff
    .filter((s) => s.roles.includes("PRACTITIONER") || s.roles.includes("DEPUTY_TEAM_MANAGER") || s.roles.includes("TEAM_MANAGER"))
    .map((s) => ({ title: `${s.name} (${s.teamId ?? ""})`, value: s.id }));
  const observers = staff
    .filter((s) => s.roles.some((r) => observerRoles.includes(r)))
    .map((s) => ({ title: `${s.name} (${s.teamId ?? ""})`, value: s.id }));
  return {
    error,
    notice: `The practitioner is told in advance: the date is at least ${ctx.config.OBSERVATION_NOTICE_WORKING_DAYS} working days away (the authority's own default), and they agree it or propose another.`,
    required: requiredChoices,
    requiredId: onlyChoices(typed.requiredId ?? "", requiredChoices),
    practitioners,
    practitionerId: onlyChoices(typed.practitionerId ?? "", practitioners),
    practitionerError: errors.practitionerId ?? "",
    observers,
    observerId: onlyChoices(typed.observerId ?? "", observers),
    observerError: errors.observerId ?? "",
    processes: OBSERVED_PROCESSES.map((p) => ({ title: p.title, value: p.value })),
    process: onlyChoices(typed.process ?? "home_visit", [...OBSERVED_PROCESSES]),
    processError: errors.process ?? "",
    date: typed.date ?? earliestDate(ctx),
    dateError: errors.date ?? "",
    caseRef: typed.caseRef ?? "",
    caseRefError: errors.caseRef ?? "",
    // Each planned observation opens its card (with the "Move or cancel" panel) from here.
    planned: planned.map((p) => ({
      observationId: p.id,
      date: p.date ? formatDate(p.date) : "date to agree",
      text: `${name.get(p.practitionerId) ?? ""}: ${processTitle(p.process)}, observer ${name.get(p.observerId ?? "") ?? ""} (${p.status.replace(/_/g, " ")})`,
    })),
    plannedMore:
      plannedCount > planned.length
        ? `${plannedCount - planned.length} more planned after these: the soonest ${planned.length} are shown. Each observer and practitioner finds theirs with "observations".`
        : "",
  };
}

/** Schedules an observation (or a required one), telling practitioner and observer. */
export async function scheduleObservation(ctx: AppContext, actor: Actor, input: ScheduleInput): Promise<ObservationView> {
  requireCapability(actor, "observations.schedule");
  const errors: Record<string, string> = {};
  const date = (input.date ?? "").trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.date = "Choose the date of the observation.";
  else if (date < earliestDate(ctx))
    errors.date = `The practitioner is told in advance: choose a date from ${formatDate(earliestDate(ctx))}.`;
  if (!OBSERVED_PROCESSES.some((p) => p.value === input.process)) errors.process = "Choose what is observed.";
  const caseRef = (input.caseRef ?? "").trim();
  if (caseRef && !/^[A-Za-z0-9-]{1,20}$/.test(caseRef)) errors.caseRef = "A case ID (letters and digits), never a name.";
  const required = input.requiredId ? await ctx.db.observation.findUnique({ where: { id: input.requiredId } }) : null;
  if (input.requiredId && !required) errors.requiredId = "This required observation does not exist (any more).";
  if (required && required.status !== "required")
    throw new AlreadyDone("This required observation is already scheduled. Nothing was recorded twice.");
  const practitionerId = required?.practitionerId ?? input.practitionerId ?? "";
  const [practitioner, observer] = await Promise.all([
    ctx.db.staff.findUnique({ where: { id: practitionerId } }),
    ctx.db.staff.findUnique({ where: { id: input.observerId ?? "" } }),
  ]);
  if (!practitioner?.active) errors.practitionerId = "Choose the practitioner to observe.";
  if (!observer?.active || !may(observer, "observations.observe"))
    errors.observerId = "Choose an observer (Deputy Team Manager and above, or the QA team).";
  else if (observer.id === practitionerId) errors.observerId = "A practitioner cannot observe themselves.";
  if (Object.keys(errors).length) throw new ValidationFailed("Some details need attention.", errors);
  const id = await ctx.db.$transaction(async (tx) => {
    const data = {
      observerId: observer!.id,
      scheduledById: actor.id,
      process: input.process!,
      date: dbDate(date),
      caseRef: caseRef || required?.caseRef || null,
      managerId: practitioner!.lineManagerId,
    };
    let id: string;
    if (required) {
      id = required.id;
      await transition(tx, observationMachine, "schedule", {
        id,
        actorId: actor.id,
        alreadyDone: "This required observation is already scheduled. Nothing was recorded twice.",
        after: { observerId: data.observerId, date },
        // A required observation cancelled before is arranged afresh: the old reason no longer shows.
        write: (from, to) =>
          tx.observation.updateMany({ where: { id, status: { in: from } }, data: { ...data, changeNote: null, status: to } }),
      });
    } else {
      id = (await tx.observation.create({ data: { ...data, practitionerId, status: observationMachine.initial } })).id;
      await recordHistory(tx, {
        entityType: "observation",
        entityId: id,
        action: "scheduled",
        actorId: actor.id,
        after: { ...data, status: observationMachine.initial },
      });
    }
    const o = await loadObservation(tx, id);
    const when = deliveryOf(ctx, "observation.card");
    // A required observation arranged again (even for the same date) is told again.
    const occasion = await occasionOf(tx, id);
    await sendPractitionerCard(tx, ctx, o, occasion);
    await enqueueMessage(tx, {
      recipientId: o.observerId!,
      idempotencyKey: `${observerCardKey(id)}:new:${occasion}`,
      cardKey: observerCardKey(id),
      payload: { template: "observation", data: observationCardData(o, o.observerId!) },
      ...when,
    });
    return id;
  });
  return loadObservation(ctx.db, id);
}

/**
 * The occasion of the change of observation `id` just recorded in `tx`: its own history entry (the
 * change holds the observation's row until it commits, so the latest entry is this change's). The
 * outbox keys of a change are built from it, so each change reaches people once (a double click is
 * refused by the change's guard, before any key), and no later change, even one back to an earlier
 * date, repeats the key of an earlier one.
 */
export async function occasionOf(tx: Tx, id: string): Promise<string> {
  const entry = await tx.history.findFirstOrThrow({
    where: { entityType: "observation", entityId: id },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  return `change-${entry.id}`;
}

/**
 * Sends the practitioner their card of the observation as a new message, once per occasion (its
 * key never meets the in-place update of the same occasion, so both go).
 */
export async function sendPractitionerCard(tx: Tx, ctx: AppContext, o: ObservationView, occasion: string) {
  await enqueueMessage(tx, {
    recipientId: o.practitionerId,
    idempotencyKey: `${inviteCardKey(o.id)}:new:${occasion}`,
    cardKey: inviteCardKey(o.id),
    payload: { template: "observation", data: observationCardData(o, o.practitionerId) },
    ...deliveryOf(ctx, "observation.card"),
  });
}

/** Updates both people's cards in place to the observation as it now stands, once per occasion. */
export async function refreshCards(tx: Tx, o: ObservationView, occasion: string) {
  await enqueueCardUpdate(tx, {
    recipientId: o.practitionerId,
    cardKey: inviteCardKey(o.id),
    idempotencyKey: `${inviteCardKey(o.id)}:${occasion}`,
    payload: { template: "observation", data: observationCardData(o, o.practitionerId) },
  });
  if (o.observerId)
    await enqueueCardUpdate(tx, {
      recipientId: o.observerId,
      cardKey: observerCardKey(o.id),
      idempotencyKey: `${observerCardKey(o.id)}:${occasion}`,
      payload: { template: "observation", data: observationCardData(o, o.observerId) },
    });
}

/** The practitioner agrees the date. */
export async function agreeDate(ctx: AppContext, actor: Actor, id: string) {
  return ctx.db.$transaction(async (tx) => {
    requireObserved(actor, await loadObservation(tx, id));
    await transition(tx, observationMachine, "agree", {
      id,
      actorId: actor.id,
      alreadyDone: "You have already answered about this date. Nothing was recorded twice.",
      write: (from, to) => tx.observation.updateMany({ where: { id, status: { in: from } }, data: { status: to } }),
    });
    const o = await loadObservation(tx, id);
    await refreshCards(tx, o, await occasionOf(tx, id));
    return observationCardData(o, actor.id, { info: "Thank you: the date is agreed." });
  });
}

/** The practitioner proposes another date (told in advance: not before the notice period). */
export async function proposeDate(ctx: AppContext, actor: Actor, id: string, date: string, note: string) {
  const o0 = await loadObservation(ctx.db, id);
  requireObserved(actor, o0);
  const errors: Record<string, string> = {};
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.proposedDate = "Choose the date you propose.";
  else if (date < today(ctx)) errors.proposedDate = `Choose a date from ${formatDate(today(ctx))}.`;
  if (note.length > 500) errors.note = "Please keep the note to 500 characters.";
  if (Object.keys(errors).length && o0.status === "awaiting_agreement")
    return { card: observationCardData(o0, actor.id, { proposedDate: date, note, errors }) };
  return ctx.db.$transaction(async (tx) => {
    await transition(tx, observationMachine, "propose", {
      id,
      actorId: actor.id,
      alreadyDone: "You have already answered about this date. Nothing was recorded twice.",
      after: { proposedDate: date },
      write: (from, to) =>
        tx.observation.updateMany({
          where: { id, status: { in: from } },
          data: { status: to, proposedDate: dbDate(date), proposedNote: note.trim() || null },
        }),
    });
    const o = await loadObservation(tx, id);
    await refreshCards(tx, o, await occasionOf(tx, id));
    return { card: observationCardData(o, actor.id, { info: "Your proposed date was sent to the observer." }) };
  });
}

/** The observer accepts the practitioner's proposed date. */
export async function acceptProposedDate(ctx: AppContext, actor: Actor, id: string) {
  return ctx.db.$transaction(async (tx) => {
    const o0 = await loadObservation(tx, id);
    requireObserver(actor, o0);
    await transition(tx, observationMachine, "acceptDate", {
      id,
      actorId: actor.id,
      alreadyDone: "This date is already agreed. Nothing was recorded twice.",
      after: { date: o0.proposedDate },
      write: (from, to) => tx.observation.updateMany({ where: { id, status: { in: from } }, data: { status: to, date: o0.proposedDate } }),
    });
    const o = await loadObservation(tx, id);
    await refreshCards(tx, o, await occasionOf(tx, id));
    return observationCardData(o, actor.id, { info: "The new date is agreed; the practitioner has been told." });
  });
}

/**
 * The practice observation an inadequate audit requires ("a practice observation should be
 * undertaken … in cases where the auditor has found the work to be inadequate, when it should be
 * included as an action": Bexley §1.3), linked to the audit and its action; the QA team or a head
 * of service schedules it. Once per audit.
 */
export async function requireObservationAfterInadequate(
  tx: Tx,
  a: { auditId: string; actionId: string; practitionerId: string; managerId: string | null; caseRef: string },
): Promise<void> {
  if (await tx.observation.findFirst({ where: { auditId: a.auditId }, select: { id: true } })) return;
  const o = await tx.observation.create({
    data: {
      practitionerId: a.practitionerId,
      managerId: a.managerId,
      process: "direct_work",
      status: "required",
      auditId: a.auditId,
      actionId: a.actionId,
      caseRef: a.caseRef,
    },
  });
  await recordHistory(tx, {
    entityType: "observation",
    entityId: o.id,
    action: "required",
    after: { status: "required", auditId: a.auditId },
  });
}

/** Observations of the actor, or that they carry out (newest first). */
export async function myObservations(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db.observation.findMany({
    where: { OR: [{ practitionerId: actor.id }, { observerId: actor.id }], status: { not: "required" } },
    orderBy: { createdAt: "desc" },
    take: 10,
  });
  const names = new Map(
    (
      await ctx.db.staff.findMany({
        where: { id: { in: rows.flatMap((r) => [r.practitionerId, r.observerId ?? ""]) } },
        select: { id: true, name: true },
      })
    ).map((s) => [s.id, s.name]),
  );
  return rows.map((r) => ({
    observationId: r.id,
    text: `${r.practitionerId === actor.id ? "Of you" : `Of ${names.get(r.practitionerId) ?? ""}`}: ${processTitle(r.process)}, ${r.date ? formatDate(r.date) : "date to agree"} (${r.status.replace(/_/g, " ")})`,
  }));
}

/** The "observations" card: the schedule form for those who schedule, otherwise the actor's own observations. */
export async function observationHome(ctx: AppContext, actor: Actor) {
  if (may(actor, "observations.schedule")) return { template: "observation-schedule", data: await scheduleFormData(ctx) };
  return { template: "observation-list", data: { items: await myObservations(ctx, actor) } };
}
