// Who may know of a survey campaign (object-level refusals). The QA team manages every campaign and
// the people it was sent to know of it: they are told why they are refused. To anyone else a refusal
// is the very answer of a missing campaign, so it does not tell that the id names a survey. Knowing
// of a campaign is read from the participation only (sent to this person), never from anything that
// could link a person to what they answered.
import type { Db, Tx } from "../db";
import { NotFound, NotPermitted, type DomainError } from "../errors";
import { may, type Actor } from "../permissions";

/** What a missing survey answers, and what anyone who may not know of it is answered. */
export const SURVEY_MISSING = "That survey does not exist.";

/**
 * Refuses the actor: `SURVEY_MISSING` when they may not know of the campaign (not the QA team, not
 * sent it), else `known` (a "Not allowed" message, or the refusal of someone who knows of it).
 */
export async function refusal(db: Db | Tx, actor: Actor, campaignId: string, known: string | DomainError): Promise<never> {
  const sentTo = async () => (await db.surveyParticipation.count({ where: { campaignId, staffId: actor.id } })) > 0;
  if (!may(actor, "survey.manage") && !(await sentTo())) throw new NotFound(SURVEY_MISSING);
  throw typeof known === "string" ? new NotPermitted(known) : known;
}
