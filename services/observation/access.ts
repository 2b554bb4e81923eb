// Who may do what with one practice observation (object-level checks). Its practitioner, observer
// and the practitioner's manager, and whoever schedules observations, know it exists and are told
// "Not allowed"; to anyone else it is as if it did not exist (the very answer of a missing one), so a
// refusal does not tell that the id names an observation. The actor is the authenticated person.
import { NotFound, refuse } from "../errors";
import { may, type Actor } from "../permissions";

/** What a missing observation answers, and what anyone who may not know of it is answered. */
export const OBSERVATION_MISSING = "This observation does not exist (any more).";

type ObservationPeople = { practitionerId: string; observerId: string | null; managerId: string | null };

/** Its practitioner, observer and the practitioner's manager, and whoever schedules observations. */
const mayKnow = (actor: Actor, o: ObservationPeople) =>
  [o.practitionerId, o.observerId, o.managerId].includes(actor.id) || may(actor, "observations.schedule");

const refusal = (actor: Actor, o: ObservationPeople, message: string): never => refuse(mayKnow(actor, o), OBSERVATION_MISSING, message);

/**
 * The practitioner, the observer and the practitioner's manager open the observation; whoever may
 * schedule observations opens any of them (from the planned observations on the schedule card).
 */
export function requireObservationViewer(actor: Actor, o: ObservationPeople): void {
  // Anyone else is answered as for a missing observation.
  if (!mayKnow(actor, o)) throw new NotFound(OBSERVATION_MISSING);
}

/** Only the observed practitioner agrees the date, proposes another or adds a reflection. */
export function requireObserved(actor: Actor, o: ObservationPeople): void {
  if (o.practitionerId !== actor.id) refusal(actor, o, "Only the practitioner being observed can do this.");
}

/** Only the named observer accepts a proposed date and records the observation. */
export function requireObserver(actor: Actor, o: ObservationPeople): void {
  if (o.observerId !== actor.id) refusal(actor, o, "Only the observer named for this observation can do this.");
}

/** The observer or whoever schedules observations may move or cancel it (their cards show the panel). */
const mayChangeObservation = (actor: Pick<Actor, "id" | "roles" | "partnerAgency">, o: Pick<ObservationPeople, "observerId">) =>
  o.observerId === actor.id || may(actor, "observations.schedule");

export function requireObserverOrScheduler(actor: Actor, o: ObservationPeople): void {
  if (!mayChangeObservation(actor, o)) refusal(actor, o, "Only the observer or the QA team can move or cancel this observation.");
}
