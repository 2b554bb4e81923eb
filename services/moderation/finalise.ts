// Finalising: the audit takes the moderated grade, the practitioner and their manager receive
// the outcome again, and a grade still inadequate or actions outstanding give the worker, TM and
// SM tasks due within 24 hours (the Head of QA is told of inadequate moderations).
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { recordHistory } from "../history";
import { scheduleJob } from "../jobs";
import { getGradeScale, isInadequateBand, loadAuditTool } from "../catalogue";
import { firstInChainWithRole, staffWithRole } from "../directory/staff";
import { fmtDateTime, notify } from "../viewerCards";
import { sendOutcome } from "../audit/outcome";
import { auditMachine, isOpenAction } from "../audit/states";
import { transition } from "../stateMachine";
import { gradeLabel, movementText } from "./grades";
import { load, TASKS_JOB, type ActionCheck, type ModerationRow } from "./model";

export async function finalise(
  tx: Tx,
  ctx: AppContext,
  m: ModerationRow,
  final: { grade: number; band: string },
  actorId: string,
): Promise<void> {
  const now = ctx.clock.now();
  const scale = getGradeScale(m.audit.gradeScaleId);
  const original = { grade: m.audit.grade ?? 0, band: m.audit.gradeBand ?? "" };
  const text = movementText(scale, original, final);
  // The moderation is already finalised (the agree or approve transition): it records when.
  await tx.moderation.update({ where: { id: m.id }, data: { finalisedAt: now } });
  await transition(tx, auditMachine, "finalise", {
    id: m.auditId,
    actorId,
    historyAction: "moderated",
    write: (from, to) =>
      tx.audit.updateMany({
        where: { id: m.auditId, status: { in: from } },
        data: { status: to, finalisedAt: now, moderatedGrade: final.grade, moderatedBand: final.band, version: { increment: 1 } },
      }),
    before: { grade: original.grade, band: original.band },
    after: { moderatedGrade: final.grade, moderatedBand: final.band, text, moderationId: m.id },
    alreadyDone: `The audit of case ${m.audit.case.caseRef} is ${m.audit.status.replace(/_/g, " ")}: it cannot be finalised. Nothing was changed.`,
  });
  await recordHistory(tx, { entityType: "moderation", entityId: m.id, action: "finalised", actorId, after: { text } });
  const caseRef = m.audit.case.caseRef;
  const manager = m.audit.managerId ?? (await tx.staff.findUnique({ where: { id: m.audit.practitionerId } }))?.lineManagerId ?? null;
  // The learning loop: the practitioner and their manager receive the outcome again, as moderated.
  await sendOutcome(tx, ctx, m.auditId, { id: m.id, movement: text, feedbackGood: m.feedbackGood, feedbackDevelop: m.feedbackDevelop });

  const checks = (m.actionChecks ?? []) as unknown as ActionCheck[];
  const outstanding = m.audit.actions.filter((a) => checks.some((c) => c.actionId === a.id && !c.completed));
  const inadequate = isInadequateBand(scale, final.band);
  if (!inadequate && outstanding.length === 0) return;

  const hours = loadAuditTool().outcome.inadequate.immediateTasksWithinHours;
  const due = new Date(now.getTime() + hours * 3_600_000);
  const task = await tx.action.create({
    data: {
      auditId: m.auditId,
      moderationId: m.id,
      assigneeId: m.audit.practitionerId,
      createdById: actorId,
      description: inadequate
        ? `Immediate tasks after an inadequate moderation of case ${caseRef}${outstanding.length ? `, including: ${outstanding.map((a) => a.description).join("; ")}` : ""}`
        : `Complete the outstanding audit actions for case ${caseRef}: ${outstanding.map((a) => a.description).join("; ")}`,
      dueAt: due,
      immediate: true,
    },
  });
  await recordHistory(tx, {
    entityType: "action",
    entityId: task.id,
    action: "created",
    actorId,
    after: { dueAt: due, moderationId: m.id },
  });
  await scheduleJob(tx, { key: `moderation:${m.id}:tasks24h`, name: TASKS_JOB, runAt: due, data: { id: m.id, actionId: task.id } });
  const sm = await firstInChainWithRole(tx, m.audit.practitionerId, ["SERVICE_MANAGER"]);
  const why = inadequate ? `The moderated grade is ${gradeLabel(scale, final.grade, final.band)}` : "Audit actions are outstanding";
  const list = outstanding.length ? ` Outstanding: ${outstanding.map((a) => a.description).join("; ")}.` : "";
  for (const r of new Set([m.audit.practitionerId, ...(manager ? [manager] : []), ...(sm ? [sm.id] : [])]))
    await notify(tx, ctx, {
      recipientId: r,
      idempotencyKey: `moderation:${m.id}:tasks:${r}`,
      kind: "moderation.tasks",
      title: `Case ${caseRef}: tasks due within ${hours} hours`,
      text: `${why}.${list} The immediate tasks are due by ${fmtDateTime(due, ctx.config.TIMEZONE)}.`,
    });
  if (inadequate)
    for (const hq of await staffWithRole(tx, "HEAD_OF_QA"))
      await notify(tx, ctx, {
        recipientId: hq.id,
        idempotencyKey: `moderation:${m.id}:inadequate:${hq.id}`,
        kind: "moderation.inadequate",
        title: `Moderation graded inadequate: case ${caseRef}`,
        text: `Original grade ${gradeLabel(scale, original.grade, original.band)}; ${text}. Immediate tasks are due by ${fmtDateTime(due, ctx.config.TIMEZONE)}.`,
      });
}

/** Job: the 24-hour tasks are due; chase the worker and their manager if not done. */
export async function tasksDue(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const action = await tx.action.findUnique({ where: { id: String(data.actionId) } });
  if (!action || !isOpenAction(action.status)) return;
  const m = await load(tx, String(data.id));
  const manager = m.audit.managerId ?? (await tx.staff.findUnique({ where: { id: m.audit.practitionerId } }))?.lineManagerId ?? null;
  await recordHistory(tx, { entityType: "action", entityId: action.id, action: "chased", after: { dueAt: action.dueAt } });
  for (const r of new Set([action.assigneeId, ...(manager ? [manager] : [])]))
    await notify(tx, ctx, {
      recipientId: r,
      idempotencyKey: `moderation:${m.id}:tasks-chase:${r}`,
      kind: "moderation.tasks",
      title: `Overdue: immediate tasks for case ${m.audit.case.caseRef}`,
      text: `"${action.description}" was due by ${fmtDateTime(action.dueAt, ctx.config.TIMEZONE)} and is not recorded as done.`,
    });
}
