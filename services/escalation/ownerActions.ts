// What a stage owner does on the escalation card: acknowledge, respond (or propose a resolution),
// ask the raiser for more time. Escalating now is in stages.ts.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { AlreadyDone, NotPermitted, ValidationFailed } from "../errors";
import { historyInsert, recordHistory } from "../history";
import { notify, showCardInWrite } from "../viewerCards";
import { cardsOf, publish } from "./card";
import { cardKeyOf, escalationType, LIMITS, subjectOf } from "./rules";
import { ownerMayRequestTime, ownerMayRespond } from "./states";
import { addEvent, bump, eventInsert, inTransaction, moveStatus, type EventRow, type ExtensionRequest } from "./store";
import { asOwner, type Pressed } from "./actors";

export async function acknowledge(ctx: AppContext, actor: Actor, p: Pressed) {
  // The busiest escalation action, with no transaction: one read (the row, its events, the card's
  // people and sends), then one guarded write of the version, the event, the history entry and
  // the card's outbox rows, made only if nobody acted since the read (else Conflict).
  const cardKey = cardKeyOf(p.id);
  const { row: e, events, people, sends = [] } = await asOwner(ctx.db, actor, p.id, cardKey);
  if (events.some((x) => x.stage === e.stage && x.kind === "acknowledged" && x.actorId === actor.id))
    throw new AlreadyDone("You have already acknowledged this stage.");
  const event: EventRow = { stage: e.stage, kind: "acknowledged", actorId: actor.id, text: "Acknowledged", at: ctx.clock.now() };
  // The card as the write leaves it: the version moves on, nothing else of the row changes, and the
  // new event's actor is a stage owner, already among the people read.
  const { all, forViewer } = await cardsOf(ctx.db, ctx, { row: { ...e, version: e.version + 1 }, events: [...events, event], people });
  await bump(ctx.db, e, {}, (params) => [
    eventInsert(e, event, params),
    historyInsert(
      [{ entityType: "escalation", entityId: e.id, action: "acknowledged", actorId: actor.id, after: { stage: e.stage } }],
      params,
    ),
    ...showCardInWrite(ctx, all, sends, params),
  ]);
  return forViewer(actor.id);
}

/** A response; with `resolve`, a proposed resolution the raiser is asked to confirm. */
export async function respond(ctx: AppContext, actor: Actor, p: Pressed & { response: string; resolve: boolean }) {
  const text = p.response.trim();
  if (!text) throw new ValidationFailed("Write your response.", { response: "Write your response." });
  return inTransaction(ctx, async (tx) => {
    const { row: e } = await asOwner(tx, actor, p.id);
    const refused = ownerMayRespond(e);
    if (refused) throw new AlreadyDone(refused);
    const after = { stage: e.stage, text };
    if (p.resolve) await moveStatus(tx, e, "proposeResolution", { actorId: actor.id, historyAction: "resolution_proposed", after });
    else {
      await bump(tx, e);
      await recordHistory(tx, { entityType: "escalation", entityId: e.id, action: "responded", actorId: actor.id, after });
    }
    const [kind, said] = p.resolve ? ["resolution_proposed", `Proposes resolution: ${text}`] : ["response", `Response: ${text}`];
    await addEvent(tx, e, kind, actor.id, said, ctx.clock.now());
    if (p.resolve)
      await notify(tx, ctx, {
        kind: "escalation.note",
        recipientId: e.raiserId,
        idempotencyKey: `escalation:${e.id}:proposal:${e.version}`,
        title: `Escalation for ${subjectOf(e)}: resolution proposed`,
        text: "Please confirm on the escalation card whether this resolves your concern.",
      });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

/** Asks the raiser for more working days before the stage's deadline moves it on. */
export async function requestMoreTime(ctx: AppContext, actor: Actor, p: Pressed & { days: number; reason: string }) {
  const reason = p.reason.trim();
  const errors: Record<string, string> = {};
  if (!Number.isInteger(p.days) || p.days < 1 || p.days > LIMITS.maxExtensionDays)
    errors.days = `Between 1 and ${LIMITS.maxExtensionDays} working days.`;
  if (!reason) errors.reason = "Say why more time is needed.";
  if (Object.keys(errors).length) throw new ValidationFailed("Please check the request for more time.", errors);
  return inTransaction(ctx, async (tx) => {
    const { row: e } = await asOwner(tx, actor, p.id);
    if (!escalationType(e.type).furtherTime.allowed) throw new NotPermitted("This kind of escalation does not allow extensions.");
    const refused = ownerMayRequestTime(e);
    if (refused) throw new AlreadyDone(refused);
    const req: ExtensionRequest = { byId: actor.id, days: p.days, reason, at: ctx.clock.now().toISOString() };
    await bump(tx, e, { extensionRequest: req });
    await addEvent(tx, e, "extension_requested", actor.id, `Asks for ${p.days} more working days: ${reason}`, ctx.clock.now());
    await recordHistory(tx, { entityType: "escalation", entityId: e.id, action: "extension_requested", actorId: actor.id, after: req });
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: e.raiserId,
      idempotencyKey: `escalation:${e.id}:extreq:${e.version}`,
      title: `Escalation for ${subjectOf(e)}: more time requested`,
      text: `${actor.name} asks for ${p.days} more working days: ${reason}. Open the escalation to grant or refuse the request.`,
      // The escalation's card, with Grant and Refuse for the raiser (escalation.refresh: only those who may read it).
      open: { title: "Open the escalation", verb: "escalation.refresh", id: e.id },
    });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}
