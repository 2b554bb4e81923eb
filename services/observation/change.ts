// Moving or cancelling a practice observation before it is recorded: the observer or the QA team
// (whoever may schedule observations) gives a reason; the practitioner is told, and agrees a moved
// date again (the steps "reschedule" and "cancel" in services/observation/states.ts). Cancelling an
// observation an inadequate audit requires ("cancelRequired") returns it to the QA team to arrange
// again: the audit's action stays open, its history says why, and the QA team and the action's
// assignee are told.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { AlreadyDone } from "../errors";
import { recordHistory } from "../history";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import type { Actor } from "../permissions";
import { requireObserverOrScheduler } from "./access";
import { transition } from "../stateMachine";
import { dbDate } from "../audit/allocation";
import { actionCardData } from "../audit/actions";
import { isOpenAction } from "../audit/states";
import { QA_ROLES } from "../directory/roles";
import { COUNCIL_STAFF } from "../directory/staff";
import { formatDate } from "../dates";
import { observationCardData, observationCardFor, observerCardKey, type ObservationView } from "./cards";
import { earliestDate, loadObservation, occasionOf, refreshCards, sendPractitionerCard } from "./programme";
import { observationMachine } from "./states";

export interface ObservationChange {
  kind: "reschedule" | "cancel";
  newDate?: string;
  reason: string;
}

/** Moves the date (the practitioner agrees again) or cancels; returns the actor's card data. */
export async function changeObservation(ctx: AppContext, actor: Actor, id: string, change: ObservationChange) {
  const o0 = await loadObservation(ctx.db, id);
  requireObserverOrScheduler(actor, o0);
  const reason = change.reason.trim();
  const newDate = (change.newDate ?? "").trim();
  const errors: Record<string, string> = {};
  if (reason.length < 5 || reason.length > 500) errors.reason = "Give the reason the practitioner will be told (5 to 500 characters).";
  if (change.kind === "reschedule") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(newDate)) errors.newDate = "Choose the new date.";
    else if (newDate < earliestDate(ctx))
      errors.newDate = `The practitioner is told in advance: choose a date from ${formatDate(earliestDate(ctx))}.`;
  }
  if (Object.keys(errors).length && observationMachine.steps[change.kind].from.includes(o0.status as never))
    return observationCardFor(o0, actor, { newDate, reason, errors });
  // An observation an inadequate audit requires is still required when cancelled.
  if (change.kind === "cancel" && o0.actionId) return cancelRequired(ctx, actor, o0, reason);
  const reschedule = change.kind === "reschedule";
  return ctx.db.$transaction(async (tx) => {
    const changed = await transition(tx, observationMachine, change.kind, {
      id,
      actorId: actor.id,
      after: { reason, ...(newDate ? { date: newDate } : {}) },
      write: (from, to) =>
        tx.observation.updateMany({
          // The same move pressed twice (already on that date, for that reason, waiting for the
          // practitioner) is not made, recorded or told again.
          where: { id, status: { in: from }, ...(reschedule ? notMovedTo(dbDate(newDate), reason) : {}) },
          data: reschedule
            ? { status: to, date: dbDate(newDate), proposedDate: null, proposedNote: null, changeNote: reason }
            : { status: to, changeNote: reason },
        }),
    });
    if (!changed) {
      const now = await loadObservation(tx, id);
      throw new AlreadyDone(
        reschedule && observationMachine.steps.reschedule.from.includes(now.status as never)
          ? `The date is already moved to ${formatDate(dbDate(newDate))}; the practitioner has been told. Nothing was recorded twice.`
          : "This observation is already recorded or cancelled. Nothing was changed.",
      );
    }
    const o = await loadObservation(tx, id);
    // Each move is told under its own history entry: a later move back to an earlier date is told too.
    const occasion = await occasionOf(tx, id);
    await refreshCards(tx, o, occasion);
    // The practitioner is told (a new card, not only the old one updated in place).
    await sendPractitionerCard(tx, ctx, o, occasion);
    return observationCardFor(o, actor, {
      info:
        change.kind === "reschedule"
          ? "The date is moved; the practitioner has been told and asked to agree it."
          : "The observation is cancelled; the practitioner has been told why.",
    });
  });
}

/** The observation is not already moved to `date` for `reason` and waiting for the practitioner to agree it. */
const notMovedTo = (date: Date, reason: string) => ({
  OR: [
    { status: { not: observationMachine.steps.reschedule.to } },
    { date: null },
    { date: { not: date } },
    { changeNote: null },
    { changeNote: { not: reason } },
  ],
});

/**
 * Cancels an observation an inadequate audit requires: back to "required" (observer and date
 * cleared) in the QA team's list to arrange again; the practitioner and the observer see it
 * cancelled and why; the audit's action stays open, with the cancellation and its reason in its
 * history, and its assignee and the QA team are told.
 */
async function cancelRequired(ctx: AppContext, actor: Actor, o0: ObservationView, reason: string) {
  const id = o0.id;
  return ctx.db.$transaction(async (tx) => {
    await transition(tx, observationMachine, "cancelRequired", {
      id,
      actorId: actor.id,
      alreadyDone: "This observation is already recorded or cancelled. Nothing was changed.",
      before: { observerId: o0.observerId, date: o0.date },
      after: { reason },
      write: (from, to) =>
        tx.observation.updateMany({
          where: { id, status: { in: from } },
          data: { status: to, changeNote: reason, observerId: null, date: null, proposedDate: null, proposedNote: null },
        }),
    });
    const o = await loadObservation(tx, id);
    // A required observation may be arranged and cancelled more than once: each time is told.
    const occasion = await occasionOf(tx, id);
    await refreshCards(tx, o, occasion);
    await sendPractitionerCard(tx, ctx, o, occasion);
    if (o0.observerId && o0.observerId !== actor.id)
      await enqueueCardUpdate(tx, {
        recipientId: o0.observerId,
        cardKey: observerCardKey(id),
        idempotencyKey: `${observerCardKey(id)}:${occasion}`,
        payload: { template: "observation", data: observationCardData(o, o0.observerId) },
      });
    await tellActionAndQaTeam(tx, ctx, actor, o, reason, occasion);
    // The card's intro says what happens next (BACK_TO_QA).
    return observationCardFor(o, actor, { info: "The observation is cancelled; the practitioner and the QA team have been told why." });
  });
}

async function tellActionAndQaTeam(tx: Tx, ctx: AppContext, actor: Actor, o: ObservationView, reason: string, occasion: string) {
  const action = o.actionId ? await tx.action.findUnique({ where: { id: o.actionId } }) : null;
  const caseRef = o.auditCaseRef ?? "";
  const when = deliveryOf(ctx, "observation.card");
  const text = `${actor.name} cancelled the practice observation of ${o.practitionerName} required after the inadequate audit of case ${caseRef}. Reason: “${reason}”. It is back in the list of required observations to arrange again; the audit's action stays open until an observation is recorded.`;
  if (action && isOpenAction(action.status)) {
    await recordHistory(tx, {
      entityType: "action",
      entityId: action.id,
      action: "observation_cancelled",
      actorId: actor.id,
      after: { observationId: o.id, reason },
    });
    await enqueueCardUpdate(tx, {
      recipientId: action.assigneeId,
      cardKey: `action:${action.id}`,
      idempotencyKey: `action:${action.id}:${occasion}`,
      payload: {
        template: "action-card",
        data: actionCardData(action, caseRef, ctx.config.TIMEZONE, {
          message: "The observation arranged for this action was cancelled; the QA team will arrange it again.",
        }),
      },
    });
  }
  const qa = await tx.staff.findMany({ where: { ...COUNCIL_STAFF, roles: { hasSome: QA_ROLES } }, select: { id: true } });
  for (const { id } of qa.filter((s) => s.id !== actor.id))
    await enqueueMessage(tx, {
      recipientId: id,
      idempotencyKey: `observation:${o.id}:${occasion}:qa:${id}`,
      payload: { template: "message", data: { title: `Required observation cancelled: case ${caseRef}`, text } },
      ...when,
    });
}
