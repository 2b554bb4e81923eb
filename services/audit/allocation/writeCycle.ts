// Stores a month's allocation in one transaction: the cycle, each audit (allocated) with its
// self-assessment (pending) and history, the cards to the auditor, the practitioner and their
// manager, and the self-assessment reminders. Bulk inserts: a month is hundreds of rows.
import { randomUUID } from "node:crypto";
import type { AppContext } from "../../context";
import type { Tx } from "../../db";
import type { Prisma } from "../../../generated/prisma/client";
import { recordHistory } from "../../history";
import type { Actor } from "../../permissions";
import { roleLabel } from "../../directory/roles";
import { isoDate, type LocalDate } from "../../workingTime";
import type { PlanCase } from "../plan";
import { REMINDER_JOB, selfAssessmentCardData, selfAssessmentReminderAt } from "../selfAssessment";
import { auditMachine, selfAssessmentMachine } from "../states";
import type { AuditTheme } from "../themes";
import type { loadAuditors } from "./auditors";
import { allocationCardData, allocationCardKey, noticeData, selfAssessmentCardKey, type CardInfo } from "./cards";
import { dbDate } from "./dates";
import type { AllocationRow } from "./summary";

export interface MonthPlan {
  month: string;
  target: number;
  seed: string;
  theme: AuditTheme | null;
  due: LocalDate;
  pool: PlanCase[];
  picks: { case: PlanCase; auditor: Awaited<ReturnType<typeof loadAuditors>>[number] }[];
  /** The summary's rows: each gets its audit's id when written. */
  rows: AllocationRow[];
  excludedRecent: number;
}

type Outbox = Prisma.OutboxMessageCreateManyInput;

export async function writeCycle(
  tx: Tx,
  ctx: AppContext,
  actor: Actor | null,
  plan: MonthPlan,
  o: { themeId: string; gradeScaleId: string; now: Date; notBefore: Date },
): Promise<string> {
  const { month, target, seed, due, rows } = plan;
  const cycle = await tx.auditCycle.create({
    data: { month, theme: o.themeId, target, seed, gradeScaleId: o.gradeScaleId, createdById: actor?.id ?? null },
  });
  await recordHistory(tx, {
    entityType: "audit_cycle",
    entityId: cycle.id,
    action: "allocated",
    actorId: actor?.id,
    after: { month, theme: o.themeId, target, seed, allocated: rows.length, excludedRecent: plan.excludedRecent },
  });
  const staff = await tx.staff.findMany({
    where: { id: { in: [...new Set([...rows.map((r) => r.practitionerId), ...plan.pool.map((c) => c.managerId ?? "")])] } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(staff.map((s) => [s.id, s.name]));
  const audits: Prisma.AuditCreateManyInput[] = [];
  const sas: Prisma.SelfAssessmentCreateManyInput[] = [];
  const history: Prisma.HistoryCreateManyInput[] = [];
  const outbox: Outbox[] = [];
  for (const [i, { case: c, auditor: a }] of plan.picks.entries()) {
    const id = randomUUID();
    rows[i]!.auditId = id;
    const audit = {
      id,
      cycleId: cycle.id,
      caseId: c.id,
      auditorId: a.id,
      practitionerId: c.workerId,
      managerId: c.managerId,
      teamId: c.teamId,
      status: auditMachine.initial,
      dueDate: dbDate(due),
      gradeScaleId: o.gradeScaleId,
      allocatedAt: o.now,
    };
    audits.push(audit);
    const saId = randomUUID();
    sas.push({ id: saId, auditId: id, practitionerId: c.workerId, dueDate: dbDate(due), status: selfAssessmentMachine.initial });
    history.push(
      {
        entityType: "self_assessment",
        entityId: saId,
        action: "created",
        actorId: actor?.id ?? null,
        after: { auditId: id, practitionerId: c.workerId, status: selfAssessmentMachine.initial, dueDate: isoDate(due) },
      },
      {
        entityType: "audit",
        entityId: id,
        action: "allocated",
        actorId: actor?.id ?? null,
        after: { ...audit, caseRef: c.caseRef, allocatedAt: o.now.toISOString(), dueDate: isoDate(due), seed } as Prisma.InputJsonValue,
      },
    );
    const info: CardInfo = {
      auditId: id,
      caseRef: c.caseRef,
      planType: c.planType,
      teamId: c.teamId,
      auditorName: a.name,
      auditorRole: a.roles[0] ? roleLabel(a.roles[0]) : "",
      auditorTeamId: a.teamId,
      practitionerName: nameOf.get(c.workerId) ?? "",
      managerName: c.managerId ? (nameOf.get(c.managerId) ?? "") : "",
      dueDate: isoDate(due),
      meetingDate: null,
      theme: plan.theme,
    };
    outbox.push(...allocationMessages(ctx, info, { auditorId: a.id, workerId: c.workerId, managerId: c.managerId }, o.notBefore));
  }
  await tx.audit.createMany({ data: audits });
  await tx.selfAssessment.createMany({ data: sas });
  await tx.history.createMany({ data: history });
  await tx.outboxMessage.createMany({ data: outbox, skipDuplicates: true });
  const reminderAt = selfAssessmentReminderAt(ctx, isoDate(due));
  if (reminderAt)
    await tx.scheduledJob.createMany({
      data: audits.map((au) => ({
        key: `audit:${au.id}:self-assessment:reminder`,
        name: REMINDER_JOB,
        runAt: reminderAt,
        data: { auditId: au.id } as Prisma.InputJsonValue,
      })),
      skipDuplicates: true,
    });
  return cycle.id;
}

/** One audit's cards: the auditor's allocation, the notices, the practitioner's self-assessment. */
function allocationMessages(
  ctx: AppContext,
  info: CardInfo,
  who: { auditorId: string; workerId: string; managerId: string | null },
  notBefore: Date,
): Outbox[] {
  const id = info.auditId;
  const msg = (recipientId: string, idempotencyKey: string, template: string, data: Record<string, unknown>, cardKey?: string): Outbox => ({
    idempotencyKey,
    recipientId,
    kind: "send",
    cardKey: cardKey ?? null,
    payload: { template, data } as Prisma.InputJsonValue,
    notBefore,
    nextAttemptAt: notBefore,
  });
  const out = [
    msg(
      who.auditorId,
      `audit:${id}:allocation:${who.auditorId}`,
      "audit-allocation",
      allocationCardData(info, "allocated"),
      allocationCardKey(id),
    ),
    msg(who.workerId, `audit:${id}:notice:${who.workerId}:0`, "audit-allocation-notice", noticeData(info, "practitioner")),
  ];
  if (who.managerId)
    out.push(msg(who.managerId, `audit:${id}:notice:${who.managerId}:0`, "audit-allocation-notice", noticeData(info, "manager")));
  out.push(
    msg(
      who.workerId,
      `audit:${id}:self-assessment`,
      "audit-self-assessment",
      selfAssessmentCardData({
        caseRecordSystem: ctx.config.CASE_RECORD_SYSTEM,
        auditId: id,
        caseRef: info.caseRef,
        dueDate: info.dueDate,
        answers: {},
        status: selfAssessmentMachine.initial,
      }),
      selfAssessmentCardKey(id),
    ),
  );
  return out;
}
