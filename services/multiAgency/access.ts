// Who may know of a multi-agency audit, an invitation to it or one of its recommendations
// (object-level refusals). The lead runs the audit; the people invited to it (partner agencies'
// guests too) and the owners of its recommendations know it exists and are told why they are
// refused. To anyone else (the rest of the QA team included: each lead sees only their own audits)
// a refusal is the very answer of a missing one, so it does not tell that the id names an audit.
// An invitation and a recommendation are only ever their own person's: anyone else finds nothing.
import { NotFound, refuse } from "../errors";
import type { Actor } from "../permissions";

/** What a missing multi-agency audit answers, and what anyone who may not know of it is answered. */
export const AUDIT_MISSING = "This multi-agency audit does not exist (any more).";
/** What a missing invitation answers, and what anyone but the person invited is answered. */
export const INVITATION_MISSING = "This multi-agency audit does not exist, or you are not invited to it.";
/** What a missing recommendation answers, and what anyone it is not for is answered. */
export const RECOMMENDATION_MISSING = "This recommendation does not exist, or it is not yours.";

type AuditPeople = { leadId: string; invitations: { staffId: string }[]; recommendations: { ownerId: string }[] };

const mayKnowAudit = (actor: Actor, a: AuditPeople) =>
  a.leadId === actor.id || a.invitations.some((i) => i.staffId === actor.id) || a.recommendations.some((r) => r.ownerId === actor.id);

/** Only the lead runs the audit (its card, the discussion, the recommendations). */
export function requireLead(actor: Actor, a: AuditPeople): void {
  if (a.leadId !== actor.id) refuse(mayKnowAudit(actor, a), AUDIT_MISSING, "Only the lead of this multi-agency audit can do this.");
}

/** Only the person invited opens, answers and replies to an invitation. */
export function requireInvitee<T extends { staffId: string }>(actor: Actor, i: T | null): asserts i is T {
  if (!i || i.staffId !== actor.id) throw new NotFound(INVITATION_MISSING);
}

/** A recommendation is its owner's; `orLead`: the audit's lead may read it too. */
export function requireRecommendationOwner<T extends { ownerId: string; audit: { leadId: string } }>(
  actor: Actor,
  r: T | null,
  orLead = false,
): asserts r is T {
  if (!r || (r.ownerId !== actor.id && !(orLead && r.audit.leadId === actor.id))) throw new NotFound(RECOMMENDATION_MISSING);
}
