// Audits that will not be completed, and why. The model monthly reports list them with their
// reasons ("7 were not completed due to annual leave, sickness and non-compliance without
// explanation provided"); the QA team (who allocate) records it, choosing from a fixed list (the
// list is Assure's own), so the report can count reasons and no free text reaches other people.
import type { AppContext } from "../context";
import { AlreadyDone, ValidationFailed } from "../errors";
import { requireCapability, type Actor } from "../permissions";
import { can, transition } from "../stateMachine";
import { cancelJobs } from "../jobs";
import { notify } from "../viewerCards";
import { statusCardData } from "./allocation/cards";
import { auditMachine } from "./states";
import { auditWrite } from "./statusWrite";
import { choices } from "../choices";

export const NOT_COMPLETED_STATUS = auditMachine.steps.recordNotCompleted.to;
export const NOT_COMPLETED_REASONS = choices({
  "auditor-declined": "Declined by the auditor",
  "auditor-absent": "Auditor on leave or off sick",
  "practitioner-absent": "Practitioner absent (leave, sickness or left)",
  "case-closed": "Case closed",
  "competing-priorities": "Competing priorities (caseload)",
  "no-swap": "No auditor of the next month's group could take it",
  "no-explanation": "No explanation given",
});

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
    if (!can(auditMachine, "recordNotCompleted", audit.status))
      throw new AlreadyDone(`The audit of case ${caseRef} is ${audit.status.replace(/_/g, " ")}: it cannot be recorded as not completed.`);
    const now = ctx.clock.now();
    await transition(tx, auditMachine, "recordNotCompleted", {
      id: audit.id,
      actorId: actor.id,
      historyAction: "not_completed",
      write: auditWrite(tx, audit.id, { declineReason: reason.title }),
      before: { status: audit.status, auditorId: audit.auditorId },
      after: { reason: reason.title },
      alreadyDone: `The audit of case ${caseRef} changed a moment ago: nothing was recorded.`,
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
