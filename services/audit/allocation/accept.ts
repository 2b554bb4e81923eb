// The allocated auditor accepts the audit, optionally proposing the meeting date: the
// self-assessment is then due by the meeting, and the practitioner is told the date.
import type { AppContext } from "../../context";
import { quietHours } from "../../context";
import type { Tx } from "../../db";
import { AlreadyDone, NotFound, ValidationFailed } from "../../errors";
import { recordFieldChange } from "../../history";
import { enqueueCardUpdate, enqueueMessage } from "../../outbox";
import type { Actor } from "../../permissions";
import { requireAllocatedAuditor } from "../access";
import { can, transition } from "../../stateMachine";
import { isoDate, localDate, nextDeliveryTime } from "../../workingTime";
import { scheduleSelfAssessmentReminder } from "../selfAssessment";
import { auditMachine, selfAssessmentMachine } from "../states";
import { allocationCardData, allocationCardKey, AUDIT_GONE, cardInfo, noticeData, type CardInfo } from "./cards";
import { dbDate } from "./dates";
import { formatDate } from "../../dates";
import { auditWrite } from "../statusWrite";
import { swappedAwayFrom } from "./swap";

const ACCEPTED_TWICE = "You have already accepted this audit. Nothing was recorded twice.";

export async function acceptAllocation(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  opts: { meetingDate?: string } = {},
): Promise<Record<string, unknown>> {
  const now = ctx.clock.now();
  const today = isoDate(localDate(now, ctx.config.TIMEZONE));
  return ctx.db.$transaction(async (tx) => {
    const audit = await tx.audit.findUnique({ where: { id: auditId } });
    if (!audit) throw new NotFound(AUDIT_GONE);
    if (audit.auditorId !== actor.id && (await swappedAwayFrom(tx, auditId, actor.id)))
      throw new AlreadyDone("You asked to swap this audit; it is now with another auditor.");
    await requireAllocatedAuditor(tx, actor, audit, AUDIT_GONE);
    if (audit.status === auditMachine.steps.accept.to) throw new AlreadyDone(ACCEPTED_TWICE);
    if (!can(auditMachine, "accept", audit.status)) throw new AlreadyDone(`This audit is already ${audit.status.replace(/_/g, " ")}.`);
    const meeting = opts.meetingDate?.trim() || null;
    if (meeting) {
      const due = audit.dueDate.toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(meeting) || meeting < today || meeting > due)
        throw new ValidationFailed("The meeting date is not valid.", {
          meetingDate: `Choose a date from ${formatDate(today)} to the due date, ${formatDate(due)}.`,
        });
    }
    await transition(tx, auditMachine, "accept", {
      id: auditId,
      actorId: actor.id,
      historyAction: "accepted",
      write: auditWrite(tx, auditId, { meetingDate: meeting ? dbDate(meeting) : audit.meetingDate }, { auditorId: actor.id }),
      before: { meetingDate: audit.meetingDate },
      after: { meetingDate: meeting },
      alreadyDone: ACCEPTED_TWICE,
    });
    const info = await cardInfo(tx, auditId);
    if (meeting) await meetingProposed(tx, ctx, actor, info, meeting, now);
    const data = allocationCardData(info, "accepted");
    await enqueueCardUpdate(tx, {
      recipientId: actor.id,
      cardKey: allocationCardKey(auditId),
      idempotencyKey: `audit:${auditId}:allocation:accepted:${actor.id}`,
      payload: { template: "audit-allocation", data },
    });
    return data;
  });
}

/** The self-assessment is due by the meeting (unless already submitted); the practitioner is told the date. */
async function meetingProposed(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  info: CardInfo & { practitionerId: string },
  meeting: string,
  now: Date,
) {
  const { auditId, practitionerId } = info;
  const sa = await tx.selfAssessment.findUnique({ where: { auditId } });
  if (sa && can(selfAssessmentMachine, "submit", sa.status)) {
    await tx.selfAssessment.update({ where: { auditId }, data: { dueDate: dbDate(meeting) } });
    await recordFieldChange(tx, "self_assessment", sa, "due_date_changed", actor.id, { dueDate: meeting });
    await scheduleSelfAssessmentReminder(tx, ctx, auditId, meeting);
  }
  await enqueueMessage(tx, {
    recipientId: practitionerId,
    idempotencyKey: `audit:${auditId}:meeting:${practitionerId}:${meeting}`,
    payload: { template: "audit-allocation-notice", data: noticeData(info, "practitioner", "meeting") },
    notBefore: nextDeliveryTime(now, quietHours(ctx.config)),
  });
}
