// Who may read an escalation and who may press its card's buttons: the current stage's owners, or
// the raiser. Refusals name nothing about the escalation; someone who may not even read it gets the
// answer of a missing one (NotFound, same words), not even whether it is still open: "Not allowed"
// would tell them that an escalation with that id exists.
import { may, type Actor } from "../permissions";
import { AlreadyDone, NotFound, refuse } from "../errors";
import type { Queryable } from "../sql";
import { ownerMayAct, raiserMayAct } from "./states";
import { ESCALATION_MISSING, load, loadWithEvents, viewersAndNames, type EscalationRow, type Loaded } from "./store";

/** What every card button sends: the escalation's id. */
export interface Pressed {
  id: string;
}

/**
 * Who may read an escalation: the people its card is shown to (the raiser, the stage's owners and
 * every owner so far, the case's worker and their line manager) and whoever oversees every
 * escalation (escalations.overview).
 */
async function mayView(tx: Queryable, actor: Actor, { row, events, people }: Loaded): Promise<boolean> {
  if (may(actor, "escalations.overview")) return true;
  return (await viewersAndNames(tx, row, events, [], people)).viewers.includes(actor.id);
}

/** As if the escalation did not exist, unless the actor may read it. */
export async function requireView(tx: Queryable, actor: Actor, loaded: Loaded): Promise<void> {
  if (!(await mayView(tx, actor, loaded))) throw new NotFound(ESCALATION_MISSING);
}

/** `ESCALATION_MISSING` when the actor may not read the escalation, else `message` (they know it exists). */
async function refusal(tx: Queryable, actor: Actor, loaded: Loaded, message: string): Promise<never> {
  return refuse(await mayView(tx, actor, loaded), ESCALATION_MISSING, message);
}

/** The escalation and its events (and, given its card's key, the card's sends), if the actor owns its current stage. */
export async function asOwner(tx: Queryable, actor: Actor, id: string, cardKey?: string): Promise<Loaded> {
  const loaded = await loadWithEvents(tx, id, cardKey);
  const e = loaded.row;
  const owner = e.stageOwnerIds.includes(actor.id);
  // Whether it is still open is for those who may read it.
  if (!owner) await requireView(tx, actor, loaded);
  const refused = ownerMayAct(e);
  if (refused) throw new AlreadyDone(refused);
  if (!owner) {
    const wasOwner = loaded.events.some((x) => x.kind === "stage_owner" && x.actorId === actor.id);
    if (e.stageOwnerIds.length && wasOwner)
      throw new AlreadyDone("This escalation has moved on to another stage: it is no longer yours to act on.");
    await refusal(tx, actor, loaded, "Only the current stage owner can do this.");
  }
  return loaded;
}

/** The escalation, if the actor raised it and it is not resolved. */
export async function asRaiser(tx: Queryable, actor: Actor, id: string): Promise<EscalationRow> {
  const e = await load(tx, id);
  // Who may read it needs its events and people: read only for a refusal.
  if (e.raiserId !== actor.id)
    await refusal(tx, actor, await loadWithEvents(tx, id), "Only the person who raised the escalation can do this.");
  const refused = raiserMayAct(e);
  if (refused) throw new AlreadyDone(refused);
  return e;
}
