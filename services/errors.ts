// Domain errors: services throw these; the edge (bot/) maps them to a card the user can act on.

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that fails validation. `fieldErrors` maps field ids to messages shown next to the fields. */
export class ValidationFailed extends DomainError {
  readonly code = "validation_failed";
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string> = {},
    /** Each field's question as the person sees it on the card (its label), for messages that name it; never its id. */
    readonly fieldLabels: Record<string, string> = {},
  ) {
    super(message, { fieldErrors });
  }
}

/** A DomainError class with its code: each kind of refusal below is one line. */
function withCode<const C extends string>(code: C) {
  return class extends DomainError {
    readonly code = code;
  };
}

/** The actor may not do this. The message says why, without revealing what they may not see. */
export class NotPermitted extends withCode("not_permitted") {}

export class NotFound extends withCode("not_found") {}

/**
 * An object-level refusal. Someone who may not know the item exists (`known` false) gets the very
 * answer of a missing one (`missing`), so the refusal does not tell that the id names something;
 * anyone else is told "Not allowed", with `message`.
 */
export function refuse(known: boolean, missing: string, message: string): never {
  if (!known) throw new NotFound(missing);
  throw new NotPermitted(message);
}

/** A spent button or a repeated submission: nothing was recorded twice. */
export class AlreadyDone extends withCode("already_done") {}

/** The thing changed since the card was shown (someone else acted first). */
export class Conflict extends withCode("conflict") {}

/** The person has no Staff record (or an inactive one): they cannot use Assure yet. */
export class UnknownUser extends withCode("unknown_user") {}

/** A window or a state that no longer accepts the action (e.g. a closed survey). */
export class Closed extends withCode("closed") {}
