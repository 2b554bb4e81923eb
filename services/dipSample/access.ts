// Who may know of a dip sample and its case checks (object-level refusals). Whoever manages dip
// samples (dipSamples.manage) reads every sample and every check in its results: they are told why
// they are refused. To anyone else a refusal is the very answer of a missing sample or check, so it
// does not tell that the id names one (a reviewer does not learn of the checks of other reviewers).
import { refuse } from "../errors";
import { may, type Actor } from "../permissions";

/** What a missing dip sample answers, and what anyone who may not know of it is answered. */
export const SAMPLE_MISSING = "This dip sample does not exist (any more).";
/** The same for one case check of a sample. */
export const CHECK_MISSING = "This case check does not exist (any more).";

const ONLY_THE_REVIEWER = "Only the reviewer this case check is allocated to can answer it.";

/** Whoever manages dip samples knows of every sample and check. */
const mayKnow = (actor: Actor) => may(actor, "dipSamples.manage");

/** Only the reviewer a dip sample check is allocated to answers it. */
export function requireDipReviewer(actor: Actor, c: { reviewerId: string }): void {
  if (c.reviewerId !== actor.id) refuse(mayKnow(actor), CHECK_MISSING, ONLY_THE_REVIEWER);
}

/** Only the reviewers of a sample (`mine`: how many of its checks are the actor's) go through its cases. */
export function requireSampleReviewer(actor: Actor, mine: number): void {
  if (!mine) refuse(mayKnow(actor), SAMPLE_MISSING, ONLY_THE_REVIEWER);
}
