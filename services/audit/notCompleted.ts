// Audits that will not be completed, and why. The model monthly reports list them with their
// reasons ("7 were not completed due to annual leave, sickness and non-compliance without
// explanation provided"); the QA team (who allocate) records it, choosing from a fixed list (the
// list is Assure's own), so the report can count reasons and no free text reaches other people.
import type { AppContext } from "../context";
import { AlreadyDone, ValidationFailed } from "../errors";
import { requireCapability, type Actor } from "../permissions";
import { recordHistory } from "../history";
import { cancelJobs } from "../jobs";
import { notify } from "../sharedCard";
import { statusCardData } from "./allocation";

export const NOT_COMPLETED_STATUS = "not_completed";
export const NOT_COMPLETED_REASONS = [
  { value: "auditor-declined", title: "Declined by the auditor" },
  { value: "auditor-absent", title: "Auditor on leave or off sick" },
  { value: "practitioner-absent", title: "Practitioner absent (leave, sickness or left)" },
  { value: "case-closed", title: "Case closed" },
  { value: "competing-priorities", title: "Competing priorities (caseload)" },
  { value: "no-swap", title: "No auditor of the next month's group could take it" },
  { value: "no-explanation", title: "No explanation given" },
] as const;
/** Statuses of an audit that can still be completed. */
const OPEN_STATUSES = ["allocated", "accepted", "in_progress"];

export async function recordNotCompleted(ctx: AppContext, actor: Actor, input: { caseRef: string; reason: string }) {
  requireCapability(actor, "audits.allocate");
  const caseRef = input.caseRef.trim().toUpperCase();
  const reason = NOT_COMPLETED_REASONS.find((r) => r.value === input.reason);
  const errors: Record<string, string> = {};
  if (!caseRef) errors.caseRef = "Give the case-management ID of the audited case.";
  if (!reason) errors.reason = "Choose why the audit will not be completed.";
  if (Object.keys(errors).length || !reason) throw new ValidationFailed("Please check the form.", errors);
  return ctx.db.$transaction(async (tx) => {
    const audit = await tx.audit.findFirst({
      where: { case: { caseRef } },
      orderBy: { allocatedAt: "desc" },
      include: { case: true },
    });
    if (!audit) throw new ValidationFailed("Please check the form.", { caseRef: "No audit of that case." });
    if (audit.status === NOT_COMPLETED_STATUS)
      throw new AlreadyDone(`The audit of case ${caseRef} is already recorded as not completed (${audit.declineReason}).`);
    if (!OPEN_STATUSES.includes(audit.status))
      throw new AlreadyDone(`The audit of case ${caseRef} is ${audit.status.replace(/_/g, " ")}: it cannot be recorded as not completed.`);
    const now = ctx.clock.now();
    const changed = await tx.audit.updateMany({
      where: { id: audit.id, status: { in: OPEN_STATUSES } },
      data: { status: NOT_COMPLETED_STATUS, declineReason: reason.title, version: { increment: 1 } },
    });
    if (changed.count !== 1) throw new AlreadyDone(`The audit of case ${caseRef} changed a moment ago: nothing was recorded.`);
    await recordHistory(tx, {
      entityType: "audit",
      entityId: audit.id,
      action: "not_completed",
      actorId: actor.id,
      before: { status: audit.status, auditorId: audit.auditorId },
      after: { status: NOT_COMPLETED_STATUS, reason: reason.title },
    });
    await cancelJobs(tx, `audit:${audit.id}`);
    await notify(tx, ctx, {
      recipientId: audit.auditorId,
      idempotencyKey: `audit:${audit.id}:not-completed`,
      kind: "audit.notCompleted",
      title: `Case audit ${caseRef}: recorded as not completed`,
      text: `The QA team recorded that this audit will not be completed: ${reason.title}.`,
    });
    return statusCardData({ caseRef, status: `Not completed: ${reason.title}`, who: `Recorded by ${actor.name}`, when: now });
  });
}
