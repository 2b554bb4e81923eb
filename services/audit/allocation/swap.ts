// The allocated auditor cannot do the audit: it moves to a peer (an auditor from another team than
// the case, not the worker's manager, not anyone who already declined it; lowest load this month
// first), never dropped. The reason is kept in the history and counted as a decline.
import type { AppContext } from "../../context";
import { quietHours } from "../../context";
import type { Tx } from "../../db";
import { AlreadyDone, Conflict, NotFound, ValidationFailed } from "../../errors";
import { enqueueCardUpdate, enqueueMessage } from "../../outbox";
import type { Actor } from "../../permissions";
import { requireAllocatedAuditor } from "../access";
import { AUDIT_GONE } from "./cards";
import { can, transition } from "../../stateMachine";
import { nextDeliveryTime } from "../../workingTime";
import { mayAudit } from "../plan";
import { scheduleSelfAssessmentReminder } from "../selfAssessment";
import { auditMachine, selfAssessmentMachine } from "../states";
import { auditGroupOf, loadAuditors, monthLoads } from "./auditors";
import { allocationCardData, allocationCardKey, cardInfo, noticeData, statusCardData } from "./cards";
import { shiftMonth } from "../../dates";
import { auditWrite } from "../statusWrite";
import { SWAP_REASON_MAX } from "../../../cards/schemas/allocation";

/** Whether this person once held the audit and asked to swap it. */
export async function swappedAwayFrom(tx: Tx, auditId: string, staffId: string): Promise<boolean> {
  const h = await tx.history.findFirst({ where: { entityType: "audit", entityId: auditId, action: "swapped", actorId: staffId } });
  return !!h;
}

/** Returns the status card for the old auditor and the peer the audit went to. */
export async function requestSwap(ctx: AppContext, actor: Actor, auditId: string, reason: string) {
  const text = reason.trim();
  if (text.length < 5 || text.length > SWAP_REASON_MAX)
    throw new ValidationFailed("Please say why you cannot do this audit.", {
      reason: `A reason of 5 to ${SWAP_REASON_MAX} characters is needed.`,
    });
  const now = ctx.clock.now();
  return ctx.db.$transaction(async (tx) => {
    // Lock the audit row: two swap clicks at once move it once.
    await tx.$queryRaw`SELECT id FROM "Audit" WHERE id = ${auditId} FOR UPDATE`;
    const audit = await tx.audit.findUnique({ where: { id: auditId }, include: { case: true, cycle: true } });
    if (!audit) throw new NotFound(AUDIT_GONE);
    if (audit.auditorId !== actor.id && (await swappedAwayFrom(tx, auditId, actor.id)))
      throw new AlreadyDone("You already asked to swap this audit; it has moved to another auditor. Nothing was recorded twice.");
    await requireAllocatedAuditor(tx, actor, audit, AUDIT_GONE);
    if (!can(auditMachine, "swap", audit.status))
      throw new AlreadyDone(`This audit is already ${audit.status.replace(/_/g, " ")}: it can no longer be swapped.`);
    const { peer, declines } = await choosePeer(tx, audit, actor);

    await transition(tx, auditMachine, "swap", {
      id: auditId,
      actorId: actor.id,
      historyAction: "swapped",
      // The reason is the swapping auditor's (kept in the history, counted as a decline): the audit
      // now with the peer carries none, so the report never shows it as the peer's.
      write: auditWrite(tx, auditId, { auditorId: peer.id, meetingDate: null, declineReason: null }),
      before: { auditorId: actor.id, status: audit.status },
      after: { auditorId: peer.id, reason: text },
      alreadyDone: "This audit changed a moment ago: nothing was recorded.",
    });
    const sa = await tx.selfAssessment.findUnique({ where: { auditId } });
    if (sa && can(selfAssessmentMachine, "submit", sa.status) && audit.meetingDate) {
      await tx.selfAssessment.update({ where: { auditId }, data: { dueDate: audit.dueDate } });
      await scheduleSelfAssessmentReminder(tx, ctx, auditId, audit.dueDate.toISOString().slice(0, 10));
    }

    const status = statusCardData({
      caseRef: audit.case.caseRef,
      status: `Swapped to ${peer.name}`,
      who: `You asked to swap: “${text.length > 120 ? `${text.slice(0, 117)}…` : text}”`,
      when: now,
    });
    await notifySwap(tx, ctx, {
      auditId,
      actor,
      peer,
      status,
      n: declines + 1,
      now,
      practitionerId: audit.practitionerId,
      managerId: audit.managerId,
    });
    return { status, peer: { id: peer.id, name: peer.name } };
  });
}

/**
 * The peer: "If someone is unable to complete an audit they swap with a peer in the next month's
 * audit schedule": where the directory has audit groups, one of next month's group.
 */
async function choosePeer(
  tx: Tx,
  audit: { id: string; practitionerId: string; managerId: string | null; case: { teamId: string }; cycle: { month: string } },
  actor: Actor,
) {
  const decliners = await tx.history.findMany({
    where: { entityType: "audit", entityId: audit.id, action: "swapped" },
    select: { actorId: true },
  });
  const excluded = new Set([actor.id, ...decliners.map((d) => d.actorId ?? "")]);
  const worker = await tx.staff.findUnique({ where: { id: audit.practitionerId }, select: { lineManagerId: true } });
  const c = { teamId: audit.case.teamId, workerId: audit.practitionerId, managerId: worker?.lineManagerId ?? audit.managerId };
  const loads = await monthLoads(tx, audit.cycle.month);
  const auditors = await loadAuditors(tx);
  const nextGroup = auditGroupOf(shiftMonth(audit.cycle.month, 1), Math.max(0, ...auditors.map((a) => a.auditGroup ?? 0)));
  const peer = auditors
    .filter((a) => !excluded.has(a.id) && mayAudit(c, a) && (nextGroup === null || a.auditGroup === nextGroup))
    .sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0) || a.email.localeCompare(b.email))[0];
  if (!peer)
    throw new Conflict(
      nextGroup === null
        ? "No other auditor is free to take this audit, so it stays with you for now. Please talk to the QA team: nothing was changed."
        : `No auditor of next month's audit group (group ${nextGroup}) is free to take this audit, so it stays with you for now. Please talk to the QA team: nothing was changed.`,
    );
  return { peer, declines: decliners.length };
}

/** The peer gets the allocation card, the old auditor's card shows the swap, the practitioner and manager a notice. */
async function notifySwap(
  tx: Tx,
  ctx: AppContext,
  s: {
    auditId: string;
    actor: Actor;
    peer: { id: string };
    status: ReturnType<typeof statusCardData>;
    n: number;
    now: Date;
    practitionerId: string;
    managerId: string | null;
  },
) {
  const { auditId, actor, peer } = s;
  const info = await cardInfo(tx, auditId);
  const notBefore = nextDeliveryTime(s.now, quietHours(ctx.config));
  await enqueueMessage(tx, {
    recipientId: peer.id,
    idempotencyKey: `audit:${auditId}:allocation:${peer.id}`,
    cardKey: allocationCardKey(auditId),
    payload: { template: "audit-allocation", data: allocationCardData(info, "allocated") },
    notBefore,
  });
  await enqueueCardUpdate(tx, {
    recipientId: actor.id,
    cardKey: allocationCardKey(auditId),
    idempotencyKey: `audit:${auditId}:allocation:swapped:${actor.id}`,
    payload: { template: "audit-status", data: s.status },
  });
  for (const [who, audience] of [
    [s.practitionerId, "practitioner"],
    [s.managerId, "manager"],
  ] as const) {
    if (!who) continue;
    await enqueueMessage(tx, {
      recipientId: who,
      idempotencyKey: `audit:${auditId}:notice:${who}:swap:${s.n}`,
      payload: { template: "audit-allocation-notice", data: noticeData(info, audience, "swapped") },
      notBefore,
    });
  }
}
