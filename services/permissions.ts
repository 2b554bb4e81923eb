// Function-level permissions, in one place: which roles may use which capability. Object-level
// checks (is this *your* audit?) live in the service that owns the object and use `may` too.
import type { Role } from "../generated/prisma/enums";
import { NotPermitted } from "./errors";
import { MANAGEMENT_ROLES, MANAGERS_AND_QA, QA_ROLES } from "./directory/roles";

export const ALL_STAFF = "ALL_STAFF" as const;

export const permissionMatrix = {
  "help.show": [ALL_STAFF],
  "audits.mine": [ALL_STAFF],
  "actions.mine": [ALL_STAFF],
  "supervision.mine": [ALL_STAFF],
  "surveys.mine": [ALL_STAFF],
  "audits.allocate": ["QA_TEAM", "HEAD_OF_QA", "ADMIN"],
  /** Who may be allocated audits to conduct: Deputy Team Manager and above (docs/domain.md). The allocation draws its auditors from this list. */
  "audits.conduct": MANAGEMENT_ROLES,
  "audits.team": MANAGERS_AND_QA,
  "moderation.sample": ["QA_TEAM", "HEAD_OF_QA", "ADMIN"],
  "moderation.moderate": ["MODERATOR", "SERVICE_MANAGER", "HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "CP_CHAIR", "IRO"],
  /** Everyone the escalation catalogue lets raise some kind of escalation (each kind's own raisers are checked by the service). */
  "escalation.raise": ["CP_CHAIR", "IRO", "FOSTERING_IRO", "PRACTITIONER", "DEPUTY_TEAM_MANAGER", "TEAM_MANAGER", "SERVICE_MANAGER"],
  "escalations.overview": ["HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "DIRECTOR", "QA_TEAM", "HEAD_OF_QA"],
  "survey.manage": ["QA_TEAM", "HEAD_OF_QA", "ADMIN"],
  "report.monthly": ["HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "DIRECTOR", "QA_TEAM", "HEAD_OF_QA"],
  "report.team": ["TEAM_MANAGER", "SERVICE_MANAGER"],
  "report.calibration": ["QA_TEAM", "HEAD_OF_QA"],
  /** Either report.monthly or report.team: the `report` command (the service picks the scope). */
  "report.view": ["HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "DIRECTOR", "QA_TEAM", "HEAD_OF_QA", "TEAM_MANAGER", "SERVICE_MANAGER"],
  "outbox.view": ["ADMIN", "QA_TEAM", "HEAD_OF_QA"],
  // Allocation and self-assessment: anyone may press the button; the object-level checks below decide.
  "audits.allocation.respond": [ALL_STAFF],
  "audits.selfAssessment.answer": [ALL_STAFF],
  // Buttons on shared approval cards: anyone may press; the service checks it is theirs to press.
  "escalation.act": [ALL_STAFF],
  "moderation.act": [ALL_STAFF],
  // Anyone may be a supervisor; the supervision service checks it is *their* supervisee (or below them).
  "supervision.record": [ALL_STAFF],
  // ---- Practice observations and dip samples (Southwark Children's Social Care Quality Assurance
  // Framework, §7: quality activity is led centrally or, locally, "as determined by the Head of Service").
  "observations.schedule": ["QA_TEAM", "HEAD_OF_QA", "HEAD_OF_SERVICE", "ADMIN"],
  /** Who may be named as observer: Deputy Team Manager and above, and the QA team. */
  "observations.observe": MANAGERS_AND_QA,
  /** Observations of oneself (agree a date, read the outcome, reflect): the service checks it is theirs. */
  "observations.mine": [ALL_STAFF],
  /** The "dip samples" card: the service shows each person their own part. */
  "dipSamples.mine": [ALL_STAFF],
  "dipSamples.manage": ["QA_TEAM", "HEAD_OF_QA", "HEAD_OF_SERVICE", "ADMIN"],
  /** Who may be allocated dip sample checks: Deputy Team Manager and above, and the QA team. */
  "dipSamples.review": MANAGERS_AND_QA,

  // ---- Audit-of-practice days (Halton) and multi-agency audits (Bexley §1.4)
  /** The QA team plans the year's audit-of-practice days: dates, audit teams, the case selection, the report. */
  "practiceDay.manage": ["QA_TEAM", "HEAD_OF_QA", "ADMIN"],
  /** Volunteering, confirming attendance, a pair's analysis, the lead manager's assurance, a line manager's confirmation: the service checks it is theirs. */
  "practiceDay.participate": [ALL_STAFF],
  /** Multi-agency audits are "led by the partnership's practice review and learning manager" (Bexley §1.4); the QA team may stand in. */
  "multiAgency.lead": ["PRACTICE_REVIEW_LEARNING_MANAGER", ...QA_ROLES],
  /** The audits one is invited to (the service checks the invitation): also open to partner agencies' guests. */
  "multiAgency.participate": [ALL_STAFF],
} as const satisfies Record<string, readonly (Role | typeof ALL_STAFF)[]>;

export type Capability = keyof typeof permissionMatrix;

export interface Actor {
  id: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  /** Set for a partner agency's person (a guest of the tenant): see PARTNER_CAPABILITIES. */
  partnerAgency?: string | null;
}

/**
 * All a partner agency's person may do: the multi-agency audits they are invited to, and help
 * (which lists only that). Every other capability, ALL_STAFF ones included, is refused.
 */
export const PARTNER_CAPABILITIES: readonly Capability[] = ["help.show", "multiAgency.participate"];

export function may(actor: Pick<Actor, "roles" | "partnerAgency">, capability: Capability): boolean {
  if (actor.partnerAgency) return PARTNER_CAPABILITIES.includes(capability);
  const allowed = permissionMatrix[capability] as readonly string[];
  return allowed.includes(ALL_STAFF) || actor.roles.some((r) => allowed.includes(r));
}

export function requireCapability(actor: Pick<Actor, "roles" | "partnerAgency">, capability: Capability): void {
  if (!may(actor, capability)) {
    // The capability's id is for developers: never shown to the person refused.
    throw new NotPermitted("Your role does not allow this. Ask the QA team if you think it should.");
  }
}

/** The roles a capability names (for capabilities that pick people, e.g. auditors); none for ALL_STAFF. */
export function rolesWith(capability: Capability): Role[] {
  return (permissionMatrix[capability] as readonly string[]).filter((r): r is Role => r !== ALL_STAFF);
}

export const hasRole = (actor: Pick<Actor, "roles">, ...roles: Role[]): boolean => actor.roles.some((r) => roles.includes(r));
