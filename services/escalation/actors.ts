// Who may press an escalation card's buttons: the current stage's owners, or the raiser.
import type { Actor } from "../permissions";
import { AlreadyDone, NotPermitted } from "../errors";
import type { Queryable } from "../sql";
import { ownerMayAct, raiserMayAct } from "./states";
import { load, loadWithEvents, type EscalationRow, type Loaded } from "./store";

/** What every card button sends: the escalation's id. */
export interface Pressed {
  id: string;
}

/** The escalation and its events (and, given its card's key, the card's sends), if the actor owns its current stage. */
export async function asOwner(tx: Queryable, actor: Actor, id: string, cardKey?: string): Promise<Loaded> {
  const loaded = await loadWithEvents(tx, id, cardKey);
  const e = loaded.row;
  const refused = ownerMayAct(e);
  if (refused) throw new AlreadyDone(refused);
  if (!e.stageOwnerIds.includes(actor.id)) {
    const wasOwner = loaded.events.some((x) => x.kind === "stage_owner" && x.actorId === actor.id);
    if (e.stageOwnerIds.length && wasOwner)
      throw new AlreadyDone("This escalation has moved on to another stage: it is no longer yours to act on.");
    throw new NotPermitted("Only the current stage owner can do this.");
  }
  return loaded;
}

/** The escalation, if the actor raised it and it is not resolved. */
export async function asRaiser(tx: Queryable, actor: Actor, id: string): Promise<EscalationRow> {
  const e = await load(tx, id);
  if (e.raiserId !== actor.id) throw new NotPermitted("Only the person who raised the escalation can do this.");
  const refused = raiserMayAct(e);
  if (refused) throw new AlreadyDone(refused);
  return e;
}
