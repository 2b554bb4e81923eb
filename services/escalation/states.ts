// An escalation's life (Bexley Children's Social Care Quality Assurance Framework, §4.6, §5.3).
// Its status says whether it waits on the stage owners (open), on the raiser's confirmation of a
// proposed resolution (resolution_proposed), or on nobody (resolved). Its stage (1 to the type's
// last, from the catalogue) is data that changes only by `changeStage`, which re-opens it: a stage
// is not a status, as each type has its own number of stages.
import { byName, defineMachine, step } from "../stateMachine";

export const escalationMachine = defineMachine("escalation", ["open", "resolution_proposed", "resolved"], {
  /** A stage owner proposes a resolution; the raiser must confirm it. */
  proposeResolution: "open -> resolution_proposed",
  /** The raiser confirms the proposed resolution. */
  confirmResolution: "resolution_proposed -> resolved",
  /** The raiser does not accept it: the stage owners act again. */
  rejectResolution: "resolution_proposed -> open",
  /** Escalated by an owner, bypassed by the raiser, or the deadline passed: a new stage, open. */
  changeStage: "open | resolution_proposed -> open",
});
export const ESCALATION_STATUSES = escalationMachine.statuses;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];
/** The statuses by name (`proposed` for short), for readers: reports, card data, queries. */
export const EscalationStatus = { ...byName(escalationMachine), proposed: "resolution_proposed" } as const;

/** Statuses in which the escalation still wants something from someone (not resolved). */
export const ACTIVE_ESCALATION_STATUSES: readonly EscalationStatus[] = step(escalationMachine, "changeStage").from;

export const isActive = (status: string) => (ACTIVE_ESCALATION_STATUSES as readonly string[]).includes(status);

// ---------------------------------------------------------------- guards of the actions that keep the status

interface Guarded {
  status: string;
  extensionRequest: unknown;
  stage: number;
}

/** Why an action may not happen now (the message the user sees), or null when it may. */
export type Refusal = string | null;

export const RESOLVED = "This escalation is already resolved.";
const PROPOSAL_WAITING = "A resolution is already waiting for the raiser's confirmation.";

/** A stage owner's action on an escalation not yet resolved. */
export const ownerMayAct = (e: Guarded): Refusal => (isActive(e.status) ? null : RESOLVED);

/** A response (or a proposed resolution) and a request for more time need the owners' turn: open. */
export function ownerMayRespond(e: Guarded): Refusal {
  return ownerMayAct(e) ?? (e.status === EscalationStatus.open ? null : PROPOSAL_WAITING);
}

export function ownerMayRequestTime(e: Guarded): Refusal {
  if (e.extensionRequest) return ownerMayAct(e) ?? "A request for more time is already waiting for the raiser.";
  return ownerMayRespond(e);
}

/**
 * Escalating now, from the stage the card showed (`pressedAt`, when the card said): a second press
 * of the same button finds the escalation already at a later stage and records nothing, even when
 * the same person owns the next stage too.
 */
export function ownerMayEscalate(e: Guarded, lastStage: number, pressedAt?: number): Refusal {
  const refused = ownerMayAct(e);
  if (refused) return refused;
  if (pressedAt !== undefined && pressedAt !== e.stage) return `This escalation already moved on to Stage ${e.stage}.`;
  return e.stage >= lastStage ? "This escalation is already at the last stage." : null;
}

/** The raiser's actions (answering a request for time, bypassing, Cafcass) need it not resolved. */
export const raiserMayAct = ownerMayAct;

export const raiserMayConfirm = (e: Guarded): Refusal =>
  e.status === EscalationStatus.proposed ? null : "No resolution is waiting for your confirmation.";
