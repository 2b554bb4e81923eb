// Submitting the audit: grade, actions to the people who must do them, the auditor's follow-up in
// 5 working days, cards updated in place, and — for an inadequate audit — the worker, TM, SM, HoS,
// AD and the QA team told at once with immediate tasks due within 24 hours.
import { requireObservationAfterInadequate } from "../observation/programme";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Role } from "../../generated/prisma/enums";
import { AlreadyDone, Conflict, ValidationFailed } from "../errors";
import type { Actor } from "../permissions";
import { recordHistory } from "../history";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { scheduleJob } from "../jobs";
import { addWorkingDays, localDate, isoDate, parseIsoDate, zonedInstant } from "../workingTime";
import { deliveryOf, type MessageKind } from "../messageKinds";
import { sendOutcome } from "./outcome";
import { fmtDateTime } from "../viewerCards";
import { formatDateAt } from "../dates";
import { loadAuditTool } from "../catalogue";
import { firstInChainWithRole, staffWithRole } from "../directory/staff";
import { roleLabel } from "../directory/roles";
import { findAudit, requireAuditor, type AuditWithCase } from "./access";
import { auditSummary } from "./form/summary";
import type { AuditDraft } from "./form/layout";
import { actionCardData, actionRows, actionSubmitErrors, immediateDeadlineDay } from "./actions";
import { CHILD_UNSAFE, CHILDREN_BENEFIT_LABEL, childUnsafeOf, isInadequate } from "./grading";
import { auditMachine } from "./states";
import { auditWrite } from "./statusWrite";
import { can, transition } from "../stateMachine";

const SUBMITTED = auditMachine.steps.submit.to;

const HOUR = 3_600_000;
/** When the required practice observation is due: the project's own default (the framework gives none). */
export const PRACTICE_OBSERVATION_WORKING_DAYS = 20;

/** Thrown when the audit is not complete: the review page lists what is missing. */
export class AuditIncomplete extends ValidationFailed {
  constructor(readonly problems: string[]) {
    super("The audit is not complete yet. Nothing was submitted.", Object.fromEntries(problems.map((p, i) => [`problem${i + 1}`, p])));
  }
}

export async function submitAudit(ctx: AppContext, actor: Actor, auditId: string, version: number) {
  return ctx.db.$transaction(async (tx) => submitInTx(tx, ctx, actor, auditId, version), { timeout: 30_000 });
}

async function submitInTx(tx: Tx, ctx: AppContext, actor: Actor, auditId: string, version: number) {
  const tool = loadAuditTool();
  const audit = await findAudit(tx, auditId);
  await requireAuditor(tx, actor, audit);
  if (audit.status === SUBMITTED || audit.submittedAt) {
    throw new AlreadyDone(
      `The audit of case ${audit.case.caseRef} was already submitted${audit.submittedAt ? ` on ${formatDateAt(audit.submittedAt, ctx.config.TIMEZONE)}` : ""}. Nothing was recorded twice.`,
    );
  }
  if (!can(auditMachine, "submit", audit.status)) {
    throw new Conflict(`The audit of case ${audit.case.caseRef} is ${audit.status.replace(/_/g, " ")} and cannot be submitted.`);
  }
  const now = ctx.clock.now();
  const tz = ctx.config.TIMEZONE;
  const s = await auditSummary(tx, ctx, audit);
  const outcome = ((audit.draft ?? {}) as AuditDraft).outcome ?? {};
  const problems: string[] = [];
  if (s.missingAreas.length) problems.push(`Rate every area of practice (missing: ${s.missingAreas.join(", ")}).`);
  for (const f of s.feedback) if (!f.recorded) problems.push(`Record the ${f.kind} feedback, or why it could not be obtained.`);
  if (!s.band) problems.push("Give the overall rating (Grade and actions page).");
  // The framework asks of all its work "is anyone better off?"; the report counts every audit's
  // answers, so both are needed to submit (the authority's own default: the framework has no form rule).
  const outcomeQuestion = (q: string) =>
    `Answer “${q}” (Grade and actions page): every audit counts in the report's “Is anyone better off?” (the authority's own default).`;
  if (!outcome.childrenBenefit) problems.push(outcomeQuestion(CHILDREN_BENEFIT_LABEL));
  if (!outcome.childUnsafe) problems.push(outcomeQuestion(CHILD_UNSAFE.label));
  const inadequate = s.band ? isInadequate(s.scale, s.band) : false;
  const actionErrors = actionSubmitErrors(
    outcome,
    isoDate(localDate(now, tz)),
    s.band ? !s.band.isGood : false,
    inadequate ? immediateDeadlineDay(now, tz) : undefined,
  );
  for (const [id, msg] of Object.entries(actionErrors)) problems.push(`Action ${id.match(/act(\d)/)?.[1] ?? ""}: ${msg}`);
  if (problems.length) throw new AuditIncomplete(problems);

  const submitted = {
    submittedAt: now,
    grade: s.grade!,
    gradeBand: s.band!.id,
    childrenBenefit: outcome.childrenBenefit || null,
    childUnsafe: childUnsafeOf(outcome.childUnsafe),
  };
  const moved = await transition(tx, auditMachine, "submit", {
    id: audit.id,
    actorId: actor.id,
    historyAction: "submitted",
    write: auditWrite(tx, audit.id, submitted, { version }),
    before: { status: audit.status, grade: audit.grade },
    after: { grade: s.grade, gradeBand: s.band!.id, gradeScaleId: s.scale.id, childrenBenefit: outcome.childrenBenefit || null },
  });
  if (!moved) {
    const fresh = await tx.audit.findUnique({ where: { id: audit.id }, select: { status: true } });
    if (fresh?.status === SUBMITTED)
      throw new AlreadyDone(`The audit of case ${audit.case.caseRef} was already submitted. Nothing was recorded twice.`);
    throw new Conflict(
      `The audit of case ${audit.case.caseRef} changed on another device since this page was opened. Type "my audits" and press Resume to see the latest version.`,
    );
  }

  const created = [];
  for (const r of actionRows(outcome)) {
    let dueAt = zonedInstant(parseIsoDate(r.when), 17, 0, tz);
    if (inadequate && r.immediate)
      dueAt = new Date(Math.min(dueAt.getTime(), now.getTime() + tool.outcome.inadequate.immediateTasksWithinHours * HOUR));
    // An inadequate audit's immediate tasks are due within 24 hours: they never wait for the morning.
    const kind = inadequate && r.immediate ? "action.immediate" : "action.assigned";
    created.push(
      await assignAction(tx, ctx, audit, actor, { assigneeId: r.who, description: r.what, dueAt, immediate: r.immediate }, kind),
    );
  }
  if (inadequate) created.push(...(await inadequateRequiredActions(tx, ctx, audit, actor, now)));
  await scheduleJob(tx, {
    key: `audit:${audit.id}:followup`,
    name: "audit.followUp",
    runAt: addWorkingDays(now, tool.outcome.followUp.workingDays, tz),
    data: { auditId: audit.id },
  });
  await updateCardsInPlace(tx, audit, actor, now, tz);
  if (inadequate) await notifyInadequate(tx, ctx, audit, s.band!.label, s.grade!, created);
  await sendOutcome(tx, ctx, audit.id);
  return { caseRef: audit.case.caseRef, grade: `${s.grade} (${s.band!.label})`, actions: created.length, inadequate };
}

/** Creates an audit action: its history, its card to the assignee and its due-date reminder. */
async function assignAction(
  tx: Tx,
  ctx: AppContext,
  audit: AuditWithCase,
  actor: Actor,
  a: { assigneeId: string; description: string; dueAt: Date; immediate: boolean; kind?: string },
  messageKind: MessageKind,
) {
  const action = await tx.action.create({
    data: { auditId: audit.id, createdById: actor.id, ...a },
  });
  await recordHistory(tx, {
    entityType: "action",
    entityId: action.id,
    action: "created",
    actorId: actor.id,
    after: { assigneeId: a.assigneeId, dueAt: a.dueAt, immediate: a.immediate, description: a.description, kind: action.kind },
  });
  await enqueueMessage(tx, {
    recipientId: a.assigneeId,
    idempotencyKey: `action:${action.id}:assigned`,
    cardKey: `action:${action.id}`,
    ...deliveryOf(ctx, messageKind),
    payload: {
      template: "action-card",
      data: actionCardData(action, audit.case.caseRef, ctx.config.TIMEZONE, {
        message: `A new action from the audit of case ${audit.case.caseRef}.`,
      }),
    },
  });
  await scheduleJob(tx, { key: `action:${action.id}:due`, name: "action.due", runAt: a.dueAt, data: { actionId: action.id, n: 0 } });
  return action;
}

/**
 * What an inadequate audit always requires besides the auditor's own actions: the service manager
 * checks that the team manager's actions are sufficient, and a practice observation of the
 * practitioner is included as an action (for the team manager).
 */
async function inadequateRequiredActions(tx: Tx, ctx: AppContext, audit: AuditWithCase, actor: Actor, now: Date) {
  const tz = ctx.config.TIMEZONE;
  const caseRef = audit.case.caseRef;
  const sm = (await firstInChainWithRole(tx, audit.practitionerId, ["SERVICE_MANAGER"]))?.id;
  const tm = audit.managerId ?? (await firstInChainWithRole(tx, audit.practitionerId, ["TEAM_MANAGER"]))?.id;
  const required = [
    {
      assigneeId: sm,
      kind: "manager check",
      // Due when the auditor follows up, which checks it.
      dueAt: addWorkingDays(now, loadAuditTool().outcome.followUp.workingDays, tz),
      description: `Review the findings of the inadequate audit of case ${caseRef} and be satisfied that the actions outlined by the team manager are sufficient to bring the case up to expected practice standards within a reasonable period.`,
    },
    {
      assigneeId: tm,
      kind: "practice observation",
      dueAt: addWorkingDays(now, PRACTICE_OBSERVATION_WORKING_DAYS, tz),
      description: `Observe the practitioner in their work with case ${caseRef} (required: the audit found the work inadequate).`,
    },
  ];
  const out = [];
  for (const r of required)
    if (r.assigneeId)
      out.push(await assignAction(tx, ctx, audit, actor, { ...r, assigneeId: r.assigneeId, immediate: false }, "action.assigned"));
  // The observation programme holds the required observation, linked to this audit and its action.
  const observation = out.find((a) => a.kind === "practice observation");
  if (observation)
    await requireObservationAfterInadequate(tx, {
      auditId: audit.id,
      actionId: observation.id,
      practitionerId: audit.practitionerId,
      managerId: tm ?? null,
      caseRef: audit.case.caseRef,
    });
  return out;
}

/** The allocation and self-assessment cards now say the audit is submitted. */
async function updateCardsInPlace(tx: Tx, audit: AuditWithCase, actor: Actor, now: Date, tz: string) {
  const data = { caseRef: audit.case.caseRef, status: "Audit submitted", who: actor.name, when: formatDateAt(now, tz) };
  await enqueueCardUpdate(tx, {
    recipientId: audit.auditorId,
    cardKey: `audit:${audit.id}:allocation`,
    idempotencyKey: `audit:${audit.id}:allocation:submitted`,
    payload: { template: "audit-status", data },
  });
  await enqueueCardUpdate(tx, {
    recipientId: audit.practitionerId,
    cardKey: `audit:${audit.id}:self-assessment`,
    idempotencyKey: `audit:${audit.id}:self-assessment:submitted`,
    payload: { template: "audit-status", data },
  });
}

/** Worker, TM, SM, HoS and AD/DD by the manager chain, and the QA team, told at once. */
async function notifyInadequate(
  tx: Tx,
  ctx: AppContext,
  audit: AuditWithCase,
  bandLabel: string,
  grade: number,
  actions: { id: string; description: string; dueAt: Date; immediate: boolean; assigneeId: string }[],
) {
  const rule = loadAuditTool().outcome.inadequate;
  const recipients = new Map<string, string>();
  for (const role of rule.notifyRoles as Role[]) {
    if (role === "PRACTITIONER") recipients.set(audit.practitionerId, "the worker");
    else if (role === "QA_TEAM") {
      for (const r of ["QA_TEAM", "HEAD_OF_QA"] as Role[])
        for (const s of await staffWithRole(tx, r)) if (!recipients.has(s.id)) recipients.set(s.id, "the QA team");
    } else {
      const m = await firstInChainWithRole(tx, audit.practitionerId, [role]);
      if (m && !recipients.has(m.id)) recipients.set(m.id, roleLabel(role));
    }
  }
  const names = await tx.staff.findMany({ where: { id: { in: actions.map((a) => a.assigneeId) } }, select: { id: true, name: true } });
  const immediate = actions
    .filter((a) => a.immediate)
    .map((a) => ({
      description: a.description,
      who: names.find((n) => n.id === a.assigneeId)?.name ?? "",
      due: fmtDateTime(a.dueAt, ctx.config.TIMEZONE),
    }));
  for (const [staffId, as] of recipients) {
    await enqueueMessage(tx, {
      recipientId: staffId,
      idempotencyKey: `audit:${audit.id}:inadequate:${staffId}`,
      ...deliveryOf(ctx, "audit.inadequate"),
      payload: {
        template: "audit-inadequate",
        data: {
          auditId: audit.id,
          caseRef: audit.case.caseRef,
          grade: `${grade} (${bandLabel})`,
          as,
          text: as === "the QA team" ? rule.qaTeamText : rule.text,
          steps: rule.steps.map((text) => ({ text })),
          immediate,
          hours: rule.immediateTasksWithinHours,
        },
      },
    });
  }
  await recordHistory(tx, {
    entityType: "audit",
    entityId: audit.id,
    action: "inadequate_notified",
    after: { recipients: [...recipients.entries()].map(([id, as]) => ({ id, as })) },
  });
  ctx.log.info({ auditId: audit.id, recipients: recipients.size }, "inadequate audit notified");
}
