// The observer records the Practice Observation form (a draft is kept until recorded); the outcome
// goes to the practitioner and their manager ("feedback to the social worker of outcomes … to both
// social worker and team manager": Southwark Children's Social Care Quality Assurance Framework,
// §5), and the practitioner may add a reflection. Recording an observation an inadequate audit
// required completes that audit's "practice observation" action.
import type { AppContext } from "../context";
import { AlreadyDone, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import type { Actor } from "../permissions";
import { requireObservationViewer, requireObserved, requireObserver } from "./access";
import { transition } from "../stateMachine";
import { isoDate, localDate } from "../workingTime";
import { formatDate } from "../dates";
import { KEY_MARKERS, TEXT_MAX, formFromCard, formProblems, judgementBands, type ObservationForm } from "./form";
import {
  inviteCardKey,
  observationCardData,
  observationCardFor,
  observationFormData,
  observerCardKey,
  outcomeCardData,
  outcomeCardKey,
  type ObservationView,
} from "./cards";
import { loadObservation } from "./programme";
import { observationMachine } from "./states";

const bandChoices = (ctx: AppContext) => judgementBands(ctx.config).map((b) => ({ title: b.label, value: b.id }));

/** The card an observation shows the actor now: form, outcome or invitation. */
export async function openObservation(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<{ template: string; data: Record<string, unknown> }> {
  const o = await loadObservation(ctx.db, id);
  requireObservationViewer(actor, o);
  if (o.status === "completed") return { template: "observation-outcome", data: outcomeCardData(o, ctx.config, actor.id) };
  if (o.status === "agreed" && actor.id === o.observerId) return { template: "observation-form", data: formCard(ctx, o) };
  return { template: "observation", data: observationCardFor(o, actor) };
}

const formCard = (ctx: AppContext, o: ObservationView, typed?: ObservationForm, errors: Record<string, string> = {}, info = "") =>
  observationFormData(o, ctx.config, bandChoices(ctx), KEY_MARKERS, typed, errors, info);

/**
 * Saves the form (draft) or records it (complete: every theme judged, the overall judgement,
 * strengths, areas to develop and actions given). Problems re-show the form with what was typed.
 */
export async function saveObservationForm(
  ctx: AppContext,
  actor: Actor,
  id: string,
  raw: Record<string, unknown>,
  opts: { record: boolean },
) {
  const o = await loadObservation(ctx.db, id);
  requireObserver(actor, o);
  if (o.status === "completed") throw new AlreadyDone("This observation is already recorded. Nothing was recorded twice.");
  if (o.status !== "agreed") throw new ValidationFailed("The date of this observation is not agreed yet.", {});
  const form = formFromCard(raw);
  const errors = formProblems(ctx.config, form, opts.record);
  const today = isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));
  if (opts.record && o.date && o.date.toISOString().slice(0, 10) > today)
    errors.date = `The observation is on ${formatDate(o.date)}: record it on or after that day (save a draft until then).`;
  if (Object.keys(errors).length) return { template: "observation-form", data: formCard(ctx, o, form, errors) };
  if (!opts.record) {
    await ctx.db.$transaction(async (tx) => {
      await tx.observation.updateMany({ where: { id, status: "agreed" }, data: { form: form as object } });
      await recordHistory(tx, { entityType: "observation", entityId: id, action: "draft_saved", actorId: actor.id });
    });
    return {
      template: "observation-form",
      data: formCard(ctx, { ...o, form }, form, {}, "Draft saved: open it again from “observations” to carry on."),
    };
  }
  const band = judgementBands(ctx.config).find((b) => b.id === form.bandId)!;
  return ctx.db.$transaction(async (tx) => {
    const now = ctx.clock.now();
    await transition(tx, observationMachine, "record", {
      id,
      actorId: actor.id,
      alreadyDone: "This observation is already recorded. Nothing was recorded twice.",
      after: { bandId: band.id, goodOrBetter: band.isGood },
      write: (from, to) =>
        tx.observation.updateMany({
          where: { id, status: { in: from } },
          data: {
            status: to,
            form: form as object,
            bandId: band.id,
            goodOrBetter: band.isGood,
            strengths: form.strengths!.trim(),
            toDevelop: form.toDevelop!.trim(),
            actions: form.actions!.trim(),
            completedAt: now,
          },
        }),
    });
    const done = await loadObservation(tx, id);
    const row = await tx.observation.findUniqueOrThrow({ where: { id }, select: { actionId: true, managerId: true } });
    if (row.actionId) {
      const r = await tx.action.updateMany({
        where: { id: row.actionId, status: "open" },
        data: { status: "done", doneAt: now, doneNote: "Practice observation recorded." },
      });
      if (r.count)
        await recordHistory(tx, {
          entityType: "action",
          entityId: row.actionId,
          action: "done",
          actorId: actor.id,
          after: { status: "done", observationId: id },
        });
    }
    const when = deliveryOf(ctx, "observation.card");
    for (const who of [done.practitionerId, ...(row.managerId && row.managerId !== done.practitionerId ? [row.managerId] : [])])
      await enqueueMessage(tx, {
        recipientId: who,
        idempotencyKey: `${outcomeCardKey(id)}:${who}`,
        cardKey: outcomeCardKey(id),
        payload: { template: "observation-outcome", data: outcomeCardData(done, ctx.config, who) },
        ...when,
      });
    for (const [who, key] of [
      [done.practitionerId, inviteCardKey(id)],
      [done.observerId!, observerCardKey(id)],
    ] as const)
      await enqueueCardUpdate(tx, {
        recipientId: who,
        cardKey: key,
        idempotencyKey: `${key}:recorded`,
        payload: { template: "observation", data: observationCardData(done, who) },
      });
    return {
      template: "observation-outcome",
      data: { ...outcomeCardData(done, ctx.config, actor.id), intro: "Recorded: the practitioner and their manager have the outcome." },
    };
  });
}

/** The practitioner's reflection on the outcome (once); their manager's card shows it too. */
export async function addReflection(ctx: AppContext, actor: Actor, id: string, text: string) {
  const o = await loadObservation(ctx.db, id);
  requireObserved(actor, o);
  const t = text.trim();
  if (o.status !== "completed") throw new ValidationFailed("The observation is not recorded yet.", {});
  if (o.reflection) throw new AlreadyDone("You have already added your reflection. Nothing was recorded twice.");
  if (t.length < 2 || t.length > TEXT_MAX)
    return outcomeCardData(o, ctx.config, actor.id, `Please write your reflection (up to ${TEXT_MAX} characters).`);
  return ctx.db.$transaction(async (tx) => {
    const r = await tx.observation.updateMany({
      where: { id, status: "completed", reflection: null },
      data: { reflection: t, reflectedAt: ctx.clock.now() },
    });
    if (!r.count) throw new AlreadyDone("You have already added your reflection. Nothing was recorded twice.");
    await recordHistory(tx, { entityType: "observation", entityId: id, action: "reflected", actorId: actor.id });
    const done = await loadObservation(tx, id);
    for (const who of [done.managerId, done.observerId].filter((x): x is string => !!x))
      await enqueueCardUpdate(tx, {
        recipientId: who,
        cardKey: who === done.observerId ? observerCardKey(id) : outcomeCardKey(id),
        idempotencyKey: `${outcomeCardKey(id)}:reflected:${who}`,
        payload: { template: "observation-outcome", data: outcomeCardData(done, ctx.config, who) },
      });
    return outcomeCardData(done, ctx.config, actor.id);
  });
}
