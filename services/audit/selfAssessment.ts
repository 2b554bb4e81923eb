// Step 2 of the collaborative case audit (Bexley Children's Social Care Quality Assurance Framework, §1.3): the practitioner's self-assessment before
// the audit meeting. Questions and wording come from services/forms/templates/audit-self-assessment.json
// (the same text as services/catalogue/auditTool.json "selfAssessment"). Draft, resume, submit once.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Prisma } from "../../generated/prisma/client";
import { AlreadyDone, NotFound, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { can, step, transition } from "../stateMachine";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { cancelJobs, scheduleJob, type JobHandler } from "../jobs";
import type { Actor } from "../permissions";
import { requireAuditParticipant, requireSelfAssessor } from "./access";
import { loadFormTemplate, type FormTemplate } from "../forms/templateSchema";
import { isWorkingDay, parseIsoDate, zonedInstant, type LocalDate } from "../workingTime";
import { deliveryOf } from "../messageKinds";
import { zeroToTen } from "./fields";
import { isOpenAudit, selfAssessmentMachine } from "./states";
import { formatDate } from "../dates";

export const SELF_ASSESSMENT_TEMPLATE = "audit-self-assessment";
export const REMINDER_JOB = "audit.selfAssessmentReminder";
export const REMINDER_WORKING_DAYS = 2;
const cardKey = (auditId: string) => `audit:${auditId}:self-assessment`;
const reminderKey = (auditId: string) => `audit:${auditId}:self-assessment:reminder`;

export type SelfAssessmentAnswers = Record<string, string | number>;

const template = (): FormTemplate => loadFormTemplate(SELF_ASSESSMENT_TEMPLATE);

/** Card data for the self-assessment: inputs (pending/draft) or a read-only summary (submitted). */
export function selfAssessmentCardData(s: {
  auditId: string;
  caseRef: string;
  dueDate: string;
  answers: SelfAssessmentAnswers;
  status: string;
  errors?: Record<string, string>;
  note?: string;
  /** Where practitioners complete the audit form (the CASE_RECORD_SYSTEM setting). */
  caseRecordSystem: string;
}): Record<string, unknown> {
  const t = template();
  const readOnly = !can(selfAssessmentMachine, "submit", s.status);
  return {
    auditId: s.auditId,
    caseRef: s.caseRef,
    title: t.title,
    description: (t.description ?? "").replaceAll("{caseRecordSystem}", s.caseRecordSystem),
    dueDate: formatDate(s.dueDate),
    readOnly,
    status: readOnly
      ? "Submitted: your auditor can now read your answers."
      : s.status === selfAssessmentMachine.steps.saveDraft.to
        ? "Draft saved. Submit when you are ready."
        : "",
    note: s.note ?? "",
    error: s.errors && Object.keys(s.errors).length ? "Some answers need attention: see the messages below." : "",
    sections: t.sections.map((sec) => ({
      title: sec.title,
      questions: sec.questions.map((q) => {
        const v = s.answers[q.id];
        const value = v === undefined || v === null ? "" : String(v);
        const isScale = q.type === "scale0to10";
        return {
          id: q.id,
          text: q.text,
          scale: isScale,
          long: !isScale,
          value,
          shown: value === "" ? "Not answered" : isScale ? `${value} / 10` : value,
          maxLength: q.maxLength ?? 3000,
          required: q.required,
          choices: isScale ? zeroToTen(q.anchors) : [],
          error: s.errors?.[q.id] ?? "",
        };
      }),
    })),
  };
}

/** Checks the answers against the template; `complete` demands every required one. */
export function validateAnswers(raw: Record<string, unknown>, complete: boolean): SelfAssessmentAnswers {
  const errors: Record<string, string> = {};
  const out: SelfAssessmentAnswers = {};
  for (const sec of template().sections) {
    for (const q of sec.questions) {
      const v = raw[q.id];
      const s = v === undefined || v === null ? "" : String(v).trim();
      if (s === "") {
        if (complete && q.required) errors[q.id] = "Please answer this question before submitting.";
        continue;
      }
      if (q.type === "scale0to10") {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 0 || n > 10) errors[q.id] = "Choose a number from 0 to 10.";
        else out[q.id] = n;
      } else {
        const max = q.maxLength ?? 3000;
        if (s.length > max) errors[q.id] = `Please keep this to ${max} characters (you wrote ${s.length}).`;
        else out[q.id] = s;
      }
    }
  }
  if (Object.keys(errors).length)
    throw new ValidationFailed("Some answers need attention. Nothing was saved from this submission.", errors);
  return out;
}

function minusWorkingDays(l: LocalDate, n: number): LocalDate {
  let cur = l;
  let left = n;
  while (left > 0) {
    const t = new Date(Date.UTC(cur.y, cur.m - 1, cur.d - 1));
    cur = { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
    if (isWorkingDay(cur)) left--;
  }
  return cur;
}

/** Reminder at 09:00 two working days before the due date (moved when the date moves). */
export function selfAssessmentReminderAt(ctx: AppContext, dueIso: string): Date | null {
  const at = zonedInstant(minusWorkingDays(parseIsoDate(dueIso), REMINDER_WORKING_DAYS), 9, 0, ctx.config.TIMEZONE);
  return at.getTime() > ctx.clock.now().getTime() ? at : null;
}

export async function scheduleSelfAssessmentReminder(tx: Tx, ctx: AppContext, auditId: string, dueIso: string): Promise<void> {
  const at = selfAssessmentReminderAt(ctx, dueIso);
  if (!at) {
    await cancelJobs(tx, reminderKey(auditId));
    return;
  }
  await scheduleJob(tx, { key: reminderKey(auditId), name: REMINDER_JOB, runAt: at, data: { auditId } });
}

/** What a missing self-assessment (or one the person may not see) answers. */
const SA_GONE = "This self-assessment does not exist (any more).";

async function load(db: Tx | AppContext["db"], auditId: string) {
  const sa = await db.selfAssessment.findUnique({
    where: { auditId },
    include: { audit: { select: { practitionerId: true, auditorId: true, case: { select: { caseRef: true } } } } },
  });
  if (!sa) throw new NotFound(SA_GONE);
  return sa;
}

const answersOf = (j: unknown): SelfAssessmentAnswers => (j && typeof j === "object" ? (j as SelfAssessmentAnswers) : {});

/** The practitioner's card as saved (resume on any device). */
export async function selfAssessmentCard(ctx: AppContext, actor: Actor, auditId: string): Promise<Record<string, unknown>> {
  const sa = await load(ctx.db, auditId);
  requireSelfAssessor(actor, sa, SA_GONE);
  return selfAssessmentCardData({
    caseRecordSystem: ctx.config.CASE_RECORD_SYSTEM,
    auditId,
    caseRef: sa.audit.case.caseRef,
    dueDate: sa.dueDate.toISOString(),
    answers: answersOf(sa.answers),
    status: sa.status,
  });
}

/** Re-shows the card with what the person typed and the errors next to the fields. */
export async function selfAssessmentCardWithErrors(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  typed: Record<string, unknown>,
  errors: Record<string, string>,
): Promise<Record<string, unknown>> {
  const sa = await load(ctx.db, auditId);
  requireSelfAssessor(actor, sa, SA_GONE);
  const answers: SelfAssessmentAnswers = {};
  for (const [k, v] of Object.entries(typed)) if (typeof v === "string" || typeof v === "number") answers[k] = v;
  return selfAssessmentCardData({
    caseRecordSystem: ctx.config.CASE_RECORD_SYSTEM,
    auditId,
    caseRef: sa.audit.case.caseRef,
    dueDate: sa.dueDate.toISOString(),
    answers,
    status: sa.status,
    errors,
  });
}

const SUBMITTED_TWICE = "You have already submitted this self-assessment. Nothing was recorded twice.";

/** Saves a draft or submits. Only the audit's practitioner; a second submit is AlreadyDone. */
export async function saveSelfAssessment(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  raw: Record<string, unknown>,
  opts: { submit: boolean },
): Promise<Record<string, unknown>> {
  const now = ctx.clock.now();
  return ctx.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "SelfAssessment" WHERE "auditId" = ${auditId} FOR UPDATE`;
    const sa = await load(tx, auditId);
    requireSelfAssessor(actor, sa, SA_GONE);
    const action = opts.submit ? "submit" : "saveDraft";
    if (!can(selfAssessmentMachine, action, sa.status)) throw new AlreadyDone(SUBMITTED_TWICE);
    const answers = validateAnswers(raw, opts.submit);
    const status = step(selfAssessmentMachine, action).to;
    await transition(tx, selfAssessmentMachine, action, {
      id: sa.id,
      actorId: actor.id,
      historyAction: opts.submit ? "submitted" : "draft_saved",
      write: (from, to) =>
        tx.selfAssessment.updateMany({
          where: { auditId, status: { in: from } },
          data: { answers: answers as Prisma.InputJsonValue, status: to, submittedAt: opts.submit ? now : null },
        }),
      before: { status: sa.status, answers: sa.answers },
      after: { answers },
      alreadyDone: SUBMITTED_TWICE,
    });
    const data = selfAssessmentCardData({
      caseRecordSystem: ctx.config.CASE_RECORD_SYSTEM,
      auditId,
      caseRef: sa.audit.case.caseRef,
      dueDate: sa.dueDate.toISOString(),
      answers,
      status,
    });
    if (opts.submit) {
      await cancelJobs(tx, reminderKey(auditId));
      await enqueueCardUpdate(tx, {
        recipientId: actor.id,
        cardKey: cardKey(auditId),
        idempotencyKey: `audit:${auditId}:self-assessment:submitted`,
        payload: { template: "audit-self-assessment", data },
      });
      // The auditor learns the answers are ready (they read them on the audit form).
      await enqueueMessage(tx, {
        recipientId: sa.audit.auditorId,
        idempotencyKey: `audit:${auditId}:self-assessment:submitted:auditor`,
        payload: {
          template: "audit-status",
          data: {
            caseRef: sa.audit.case.caseRef,
            status: "Self-assessment submitted: the practitioner's answers are on your audit form",
            who: actor.name,
            when: formatDate(now.toISOString()),
            detail: "",
          },
        },
        ...deliveryOf(ctx, "audit.selfAssessment", now),
      });
    }
    return data;
  });
}

/** The answers for the audit form: the auditor (or the practitioner) of that audit only. */
export async function selfAssessmentFor(ctx: AppContext, actor: Actor, auditId: string) {
  const sa = await load(ctx.db, auditId);
  requireAuditParticipant(actor, sa.audit, SA_GONE);
  const t = template();
  const answers = answersOf(sa.answers);
  return {
    status: sa.status,
    submittedAt: sa.submittedAt,
    dueDate: sa.dueDate,
    answers,
    questions: t.sections.flatMap((sec) =>
      sec.questions.map((q) => ({ id: q.id, section: sec.title, text: q.text, type: q.type, answer: answers[q.id] ?? null })),
    ),
  };
}

/** The practitioner's self-assessments still to do. */
export async function pendingSelfAssessments(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db.selfAssessment.findMany({
    where: { practitionerId: actor.id, status: { in: [...selfAssessmentMachine.steps.submit.from] } },
    include: { audit: { select: { case: { select: { caseRef: true } } } } },
    orderBy: { dueDate: "asc" },
  });
  return rows.map((r) => ({
    auditId: r.auditId,
    caseRef: r.audit.case.caseRef,
    dueDate: formatDate(r.dueDate.toISOString()),
    status: r.status,
  }));
}

/** Job: two working days before the due date, re-send the card (with any draft) if not submitted. */
export const selfAssessmentReminder: JobHandler = async (tx, ctx, data) => {
  const auditId = String(data.auditId ?? "");
  const sa = await tx.selfAssessment.findUnique({ where: { auditId }, include: { audit: { include: { case: true } } } });
  // Only while the self-assessment is still to do and the audit still to be carried out.
  if (!sa || !can(selfAssessmentMachine, "submit", sa.status) || !isOpenAudit(sa.audit.status)) return;
  const due = sa.dueDate.toISOString();
  await enqueueMessage(tx, {
    recipientId: sa.practitionerId,
    idempotencyKey: `audit:${auditId}:self-assessment:reminder:${due.slice(0, 10)}`,
    cardKey: cardKey(auditId),
    payload: {
      template: "audit-self-assessment",
      data: selfAssessmentCardData({
        caseRecordSystem: ctx.config.CASE_RECORD_SYSTEM,
        auditId,
        caseRef: sa.audit.case.caseRef,
        dueDate: due,
        answers: answersOf(sa.answers),
        status: sa.status,
        note: `Reminder: please complete your self-assessment before the audit meeting (due ${formatDate(due)}).`,
      }),
    },
    ...deliveryOf(ctx, "audit.selfAssessment"),
  });
  await recordHistory(tx, { entityType: "self_assessment", entityId: sa.id, action: "reminded", after: { dueDate: due.slice(0, 10) } });
};
