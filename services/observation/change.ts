// Moving or cancelling a practice observation before it is recorded: the observer or the QA team
// (whoever may schedule observations) gives a reason; the practitioner is told, and agrees a moved
// date again (the steps "reschedule" and "cancel" in services/observation/states.ts).
import type { AppContext } from "../context";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import type { Actor } from "../permissions";
import { requireObserverOrScheduler } from "./access";
import { transition } from "../stateMachine";
import { dbDate } from "../audit/allocation";
import { formatDate } from "../dates";
import { inviteCardKey, observationCardData } from "./cards";
import { earliestDate, loadObservation, refreshCards } from "./programme";
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
    return observationCardData(o0, actor.id, { newDate, reason, errors });
  return ctx.db.$transaction(async (tx) => {
    await transition(tx, observationMachine, change.kind, {
      id,
      actorId: actor.id,
      alreadyDone: "This observation is already recorded or cancelled. Nothing was changed.",
      after: { reason, ...(newDate ? { date: newDate } : {}) },
      write: (from, to) =>
        tx.observation.updateMany({
          where: { id, status: { in: from } },
          data:
            change.kind === "reschedule"
              ? { status: to, date: dbDate(newDate), proposedDate: null, proposedNote: null, changeNote: reason }
              : { status: to, changeNote: reason },
        }),
    });
    const o = await loadObservation(tx, id);
    const occasion = `${change.kind}:${newDate || "cancel"}`;
    await refreshCards(tx, o, occasion);
    // The practitioner is told (a new card, not only the old one updated in place).
    await enqueueMessage(tx, {
      recipientId: o.practitionerId,
      idempotencyKey: `${inviteCardKey(id)}:${occasion}`,
      cardKey: inviteCardKey(id),
      payload: { template: "observation", data: observationCardData(o, o.practitionerId) },
      ...deliveryOf(ctx, "observation.card"),
    });
    return observationCardData(o, actor.id, {
      info:
        change.kind === "reschedule"
          ? "The date is moved; the practitioner has been told and asked to agree it."
          : "The observation is cancelled; the practitioner has been told why.",
    });
  });
}
