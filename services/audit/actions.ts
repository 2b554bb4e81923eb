// Step 6–7, actions: who / what / by when for every audit (even a good one), immediate actions to
// reach Good, cards to the people who must act, reminders at the due date with a chase, the
// auditor's follow-up after 5 working days, and "mark done" (which cancels the action's reminders).
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { AlreadyDone, NotFound, ValidationFailed } from "../errors";
import type { Actor } from "../permissions";
import { recordFieldChange, recordHistory } from "../history";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { cancelJobs, scheduleJob } from "../jobs";
import { addWorkingDays, isoDate, localDate } from "../workingTime";
import { fmtDateTime } from "../viewerCards";
import { deliveryOf } from "../messageKinds";
import { formatDate, formatDateAt } from "../dates";
import { loadAuditTool } from "../catalogue";
import { can, transition } from "../stateMachine";
import type { FieldDef, FieldValues } from "./fields";
import { findAudit, refusal, requireAuditor } from "./access";
import { outcomeRecipients } from "./outcome";
import { isUniqueViolation, spendButton } from "./receipts";
import { actionMachine, isOpenAction, OPEN_ACTION_STATUSES } from "./states";

export const ACTION_ROWS = 4;
export const ACTION_TEXT_MAX = 500;
export const NOTE_MAX = 500;
/** How many times an overdue action is chased after its due date (one working day apart). */
export const MAX_CHASES = 3;

export interface Person {
  id: string;
  name: string;
  role: string;
}

export interface ActionRow {
  row: number;
  what: string;
  who: string;
  when: string;
  immediate: boolean;
}

export function actionFields(people: Person[]): FieldDef[] {
  const a = loadAuditTool().outcome.actions;
  const label = (id: "what" | "who" | "when") => a.columns.find((c) => c.id === id)?.label ?? id;
  const out: FieldDef[] = [{ kind: "heading", id: "h-actions", label: a.text, note: `${a.rule} ${a.step6}` }];
  for (let i = 1; i <= ACTION_ROWS; i++) {
    out.push({ kind: "info", id: `h-act${i}`, label: `Action ${i}` });
    out.push({ kind: "multiline", id: `act${i}_what`, label: label("what"), maxLength: ACTION_TEXT_MAX });
    out.push({
      kind: "choice",
      id: `act${i}_who`,
      label: label("who"),
      choices: people.map((p) => ({ title: `${p.name} (${p.role})`, value: p.id })),
    });
    out.push({ kind: "date", id: `act${i}_when`, label: label("when") });
    out.push({ kind: "toggle", id: `act${i}_immediate`, label: "Immediate action to reach Good" });
  }
  return out;
}

/** The rows the auditor started (any of what / who / when filled). */
export function actionRows(v: FieldValues): ActionRow[] {
  const rows: ActionRow[] = [];
  for (let i = 1; i <= ACTION_ROWS; i++) {
    const r = {
      row: i,
      what: v[`act${i}_what`] ?? "",
      who: v[`act${i}_who`] ?? "",
      when: v[`act${i}_when`] ?? "",
      immediate: v[`act${i}_immediate`] === "true",
    };
    if (r.what || r.who || r.when) rows.push(r);
  }
  return rows;
}

/**
 * Completeness rules checked on submit. Step 6 ("Immediate actions to improve to 'Good' must be
 * recorded") applies to every audit graded below Good, Requires Improvement as well as Inadequate.
 */
export function actionSubmitErrors(v: FieldValues, today: string, belowGood: boolean, immediateBy?: string): Record<string, string> {
  const errors: Record<string, string> = actionDateErrors(v, today, immediateBy);
  const rows = actionRows(v);
  if (rows.length === 0) errors.act1_what = `${loadAuditTool().outcome.actions.rule}`;
  for (const r of rows) {
    if (!r.what) errors[`act${r.row}_what`] = "Say what needs to happen.";
    if (!r.who) errors[`act${r.row}_who`] = "Say who will do it.";
    if (!r.when) errors[`act${r.row}_when`] = "Say by when.";
  }
  if (belowGood && !rows.some((r) => r.immediate)) {
    errors.act1_immediate = "An audit graded below Good needs at least one immediate action to improve it to Good.";
  }
  return errors;
}

/**
 * The actions' dates, checked whenever the page is saved and again at submit: none in the past, and
 * for an audit graded inadequate, each immediate action by `immediateBy` (the last day within the
 * framework's 24 hours), so the date the auditor chose is the one the action gets.
 */
export function actionDateErrors(v: FieldValues, today: string, immediateBy?: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const hours = loadAuditTool().outcome.inadequate.immediateTasksWithinHours;
  for (const r of actionRows(v)) {
    if (!r.when) continue;
    if (r.when < today) errors[`act${r.row}_when`] = "The date has passed: choose today or later.";
    else if (immediateBy && r.immediate && r.when > immediateBy)
      errors[`act${r.row}_when`] =
        `The audit is graded inadequate, and the framework says “Immediate tasks will be actioned within ${hours} hours”: choose ${formatDate(immediateBy)} or earlier (or make it not an immediate action). It is then due within ${hours} hours of submitting.`;
  }
  return errors;
}

/** The last local day within the framework's hours for an inadequate audit's immediate tasks, from `now`. */
export function immediateDeadlineDay(now: Date, tz: string): string {
  const hours = loadAuditTool().outcome.inadequate.immediateTasksWithinHours;
  return isoDate(localDate(new Date(now.getTime() + hours * 3_600_000), tz));
}

export function actionCardData(
  a: { id: string; description: string; dueAt: Date; immediate: boolean; status: string; doneNote: string | null; doneAt: Date | null },
  caseRef: string,
  tz: string,
  extra: Record<string, unknown> = {},
) {
  return {
    actionId: a.id,
    caseRef,
    description: a.description,
    due: fmtDateTime(a.dueAt, tz),
    immediate: a.immediate,
    open: isOpenAction(a.status),
    done: !isOpenAction(a.status),
    doneNote: a.doneNote ?? "",
    doneAt: a.doneAt ? formatDateAt(a.doneAt, tz) : "",
    noteMax: NOTE_MAX,
    message: "",
    ...extra,
  };
}

const ACTION_MISSING = "That action does not exist.";

/** The assignee (or the auditor who set it) marks an action done, once. */
export async function markActionDone(ctx: AppContext, actor: Actor, actionId: string, note: string) {
  if (note.length > NOTE_MAX) throw new ValidationFailed("The note is too long.", { note: `At most ${NOTE_MAX} characters, please.` });
  return ctx.db.$transaction(async (tx) => {
    const action = await tx.action.findUnique({ where: { id: actionId }, include: { audit: { include: { case: true } } } });
    if (!action) throw new NotFound(ACTION_MISSING);
    if (action.assigneeId !== actor.id && action.createdById !== actor.id) {
      // Someone who may not read its audit finds nothing, as for a missing action.
      if (!action.audit) throw new NotFound(ACTION_MISSING);
      await refusal(
        tx,
        actor,
        action.audit,
        ACTION_MISSING,
        "Only the person the action is for (or the auditor who set it) can mark it done.",
      );
    }
    const caseRef = action.audit?.case.caseRef ?? "";
    if (!can(actionMachine, "markDone", action.status)) {
      throw new AlreadyDone(
        `This action was already marked done${action.doneAt ? ` on ${formatDateAt(action.doneAt, ctx.config.TIMEZONE)}` : ""}. Nothing was recorded twice.`,
      );
    }
    const now = ctx.clock.now();
    await transition(tx, actionMachine, "markDone", {
      id: actionId,
      actorId: actor.id,
      historyAction: "done",
      write: (from, to) =>
        tx.action.updateMany({ where: { id: actionId, status: { in: from } }, data: { status: to, doneAt: now, doneNote: note || null } }),
      after: { note },
      alreadyDone: "This action was already marked done. Nothing was recorded twice.",
    });
    await cancelJobs(tx, `action:${actionId}`);
    const done = { ...action, status: actionMachine.steps.markDone.to, doneAt: now, doneNote: note || null };
    await enqueueCardUpdate(tx, {
      recipientId: action.assigneeId,
      cardKey: `action:${actionId}`,
      idempotencyKey: `action:${actionId}:done:update`,
      payload: { template: "action-card", data: actionCardData(done, caseRef, ctx.config.TIMEZONE) },
    });
    if (action.createdById !== actor.id) {
      await enqueueMessage(tx, {
        recipientId: action.createdById,
        idempotencyKey: `action:${actionId}:done:notify`,
        ...deliveryOf(ctx, "action.note", now),
        payload: {
          template: "message",
          data: {
            title: `Action done: case ${caseRef}`,
            text: `${actor.name} marked done: "${action.description}".${note ? ` Note: ${note}` : ""}`,
          },
        },
      });
    }
    return actionCardData(done, caseRef, ctx.config.TIMEZONE, { message: "Marked done. Its reminders are cancelled." });
  });
}

export async function myActions(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db.action.findMany({
    where: { assigneeId: actor.id, status: { in: [...OPEN_ACTION_STATUSES] } },
    orderBy: { dueAt: "asc" },
    take: 10,
    include: { audit: { include: { case: { select: { caseRef: true } } } } },
  });
  const now = ctx.clock.now();
  return {
    name: actor.name,
    items: rows.map((a) => ({ ...actionCardData(a, a.audit?.case.caseRef ?? "", ctx.config.TIMEZONE), overdue: a.dueAt < now })),
    empty: rows.length === 0,
  };
}

// ------------------------------------------------------------------ jobs

/** At the due date (and then each working day, a few times) while the action is still open. */
export async function actionDueJob(tx: Tx, ctx: AppContext, data: Record<string, unknown>) {
  const actionId = String(data.actionId);
  const n = Number(data.n ?? 0);
  const action = await tx.action.findUnique({ where: { id: actionId }, include: { audit: { include: { case: true } } } });
  if (!action || !isOpenAction(action.status)) return;
  const caseRef = action.audit?.case.caseRef ?? "";
  const now = ctx.clock.now();
  // An immediate task (due within 24 hours) is chased at once; other reminders wait for the morning.
  const when = deliveryOf(ctx, action.immediate ? "action.immediate" : "action.reminder", now);
  await enqueueMessage(tx, {
    recipientId: action.assigneeId,
    idempotencyKey: `action:${actionId}:reminder:${n}`,
    ...when,
    payload: {
      template: "action-card",
      data: actionCardData(action, caseRef, ctx.config.TIMEZONE, { message: "This action is due and not yet marked done." }),
    },
  });
  const assignee = await tx.staff.findUnique({ where: { id: action.assigneeId }, select: { name: true, lineManagerId: true } });
  const chaseTo = new Set([action.createdById, assignee?.lineManagerId].filter((x): x is string => !!x && x !== action.assigneeId));
  for (const to of chaseTo) {
    await enqueueMessage(tx, {
      recipientId: to,
      idempotencyKey: `action:${actionId}:chase:${n}:${to}`,
      ...when,
      payload: {
        template: "message",
        data: {
          title: `Overdue action: case ${caseRef}`,
          text: `${assignee?.name ?? "The assignee"} has not yet marked done: "${action.description}" (due ${fmtDateTime(action.dueAt, ctx.config.TIMEZONE)}).`,
        },
      },
    });
  }
  await recordHistory(tx, {
    entityType: "action",
    entityId: actionId,
    action: "chased",
    after: { n, to: [action.assigneeId, ...chaseTo] },
  });
  if (n + 1 < MAX_CHASES) {
    await scheduleJob(tx, {
      key: `action:${actionId}:chase:${n + 1}`,
      name: "action.due",
      runAt: addWorkingDays(now, 1, ctx.config.TIMEZONE),
      data: { actionId, n: n + 1 },
    });
  }
}

export function followUpCardData(
  audit: { id: string; case: { caseRef: string } },
  actions: { id: string; description: string; status: string; dueAt: Date; followUpNote: string | null }[],
  errors: Record<string, string> = {},
  input: FieldValues = {},
  people: { auditor: string; manager: string } = { auditor: "", manager: "" },
  tz = "Europe/London",
) {
  const tool = loadAuditTool();
  return {
    auditId: audit.id,
    caseRef: audit.case.caseRef,
    text: tool.outcome.followUp.text,
    withText: people.manager
      ? `The auditor (${people.auditor}) and the manager (${people.manager}) follow up together; either of you records what has been done.`
      : "",
    noteMax: NOTE_MAX,
    actions: actions.map((a) => ({
      id: `fu_${a.id}`,
      description: a.description,
      state: isOpenAction(a.status) ? `open, due ${fmtDateTime(a.dueAt, tz)}` : "done",
      value: input[`fu_${a.id}`] ?? a.followUpNote ?? "",
      error: errors[`fu_${a.id}`] ?? "",
    })),
  };
}

/** The auditor and the practitioner's manager, who follow up together, with their names. */
async function followUpPeople(tx: Tx, audit: { auditorId: string; practitionerId: string; managerId: string | null }) {
  const managerId = (await outcomeRecipients(tx, audit)).find((id) => id !== audit.practitionerId && id !== audit.auditorId) ?? null;
  const names = await tx.staff.findMany({ where: { id: { in: [audit.auditorId, ...(managerId ? [managerId] : [])] } } });
  const name = (id: string | null) => names.find((n) => n.id === id)?.name ?? "";
  return {
    ids: [audit.auditorId, ...(managerId ? [managerId] : [])],
    managerId,
    names: { auditor: name(audit.auditorId), manager: name(managerId) },
  };
}

/** 5 working days after submission: the auditor and the manager are asked what has been done for each action. */
export async function auditFollowUpJob(tx: Tx, ctx: AppContext, data: Record<string, unknown>) {
  const audit = await tx.audit.findUnique({
    where: { id: String(data.auditId) },
    include: { case: true, actions: { orderBy: { createdAt: "asc" } } },
  });
  if (!audit) return;
  const people = await followUpPeople(tx, audit);
  for (const r of people.ids)
    await enqueueMessage(tx, {
      recipientId: r,
      idempotencyKey: r === audit.auditorId ? `audit:${audit.id}:followup:card` : `audit:${audit.id}:followup:card:${r}`,
      cardKey: `audit:${audit.id}:followup`,
      ...deliveryOf(ctx, "audit.followUp"),
      payload: { template: "audit-followup", data: followUpCardData(audit, audit.actions, {}, {}, people.names, ctx.config.TIMEZONE) },
    });
  await recordHistory(tx, {
    entityType: "audit",
    entityId: audit.id,
    action: "follow_up_requested",
    after: { actions: audit.actions.length, to: people.ids },
  });
}

/** The auditor or the manager records what has been done per action, once. */
export async function recordFollowUp(ctx: AppContext, actor: Actor, auditId: string, data: Record<string, unknown>) {
  try {
    return await ctx.db.$transaction(async (tx) => {
      const audit = await findAudit(tx, auditId);
      const people = await followUpPeople(tx, audit);
      if (actor.id !== people.managerId) await requireAuditor(tx, actor, audit);
      const actions = await tx.action.findMany({ where: { auditId }, orderBy: { createdAt: "asc" } });
      const input: FieldValues = {};
      const errors: Record<string, string> = {};
      for (const a of actions) {
        const v = typeof data[`fu_${a.id}`] === "string" ? (data[`fu_${a.id}`] as string).trim() : "";
        input[`fu_${a.id}`] = v;
        if (v.length > NOTE_MAX) errors[`fu_${a.id}`] = `At most ${NOTE_MAX} characters, please (this has ${v.length}).`;
      }
      if (!Object.values(input).some(Boolean) && actions.length)
        errors[`fu_${actions[0]!.id}`] = "Say what has been done for at least one action.";
      if (Object.keys(errors).length)
        throw new FollowUpInvalid(followUpCardData(audit, actions, errors, input, people.names, ctx.config.TIMEZONE));
      await spendButton(tx, `audit:${auditId}:followup`, actor.id, "audit.followUp.save");
      for (const a of actions) {
        const note = input[`fu_${a.id}`];
        if (!note) continue;
        await tx.action.update({ where: { id: a.id }, data: { followUpNote: note } });
        await recordFieldChange(tx, "action", a, "followed_up", actor.id, { followUpNote: note });
      }
      await recordHistory(tx, {
        entityType: "audit",
        entityId: auditId,
        action: "followed_up",
        actorId: actor.id,
        after: { notes: Object.values(input).filter(Boolean).length },
      });
      const fresh = await tx.action.findMany({ where: { auditId }, orderBy: { createdAt: "asc" } });
      const card = { ...followUpCardData(audit, fresh, {}, {}, people.names, ctx.config.TIMEZONE), recorded: true };
      // The other person's follow-up card shows it recorded, so nobody records it twice.
      for (const r of people.ids.filter((id) => id !== actor.id))
        await enqueueCardUpdate(tx, {
          recipientId: r,
          cardKey: `audit:${auditId}:followup`,
          idempotencyKey: `audit:${auditId}:followup:recorded:${r}`,
          payload: { template: "audit-followup", data: card },
        });
      return card;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AlreadyDone("The follow-up for this audit was already recorded. Nothing was recorded twice.");
    throw err;
  }
}

/** Invalid follow-up input: the route shows the same card again with the errors and the input. */
export class FollowUpInvalid extends ValidationFailed {
  constructor(readonly card: ReturnType<typeof followUpCardData>) {
    super(
      "Some notes are not valid. Nothing was saved.",
      Object.fromEntries(card.actions.filter((a) => a.error).map((a) => [a.id, a.error])),
    );
  }
}
