// The workflow statuses the Home tab reads, typed by each workflow's machine (its states.ts), so a
// status no workflow writes does not compile.
import type { ActionStatus, AuditStatus, SelfAssessmentStatus } from "../audit/states";
import type { ModerationStatus } from "../moderation/states";
import { ESCALATION_STATUSES, EscalationStatus, isActive } from "../escalation/states";
import { OPEN_SESSION_STATUSES, SupervisionStatus } from "../supervision/states";

export const AUDIT = {
  allocated: "allocated",
  accepted: "accepted",
  inProgress: "in_progress",
} as const satisfies Record<string, AuditStatus>;

/** Not yet submitted: a saved draft still waits on the practitioner. */
export const SELF_ASSESSMENT = { pending: "pending", draft: "draft" } as const satisfies Record<string, SelfAssessmentStatus>;

export const ACTION = { open: "open" } as const satisfies Record<string, ActionStatus>;

export const MODERATION = {
  allocated: "allocated",
  agreeing: "agreeing",
  awaitingApproval: "awaiting_approval",
  finalised: "finalised",
} as const satisfies Record<string, ModerationStatus>;

export const ESCALATION = {
  resolutionProposed: EscalationStatus.proposed,
  /** Statuses of an escalation that is over (nothing waits on anyone). */
  closed: ESCALATION_STATUSES.filter((s) => !isActive(s)),
};

export const SUPERVISION = { open: OPEN_SESSION_STATUSES, held: SupervisionStatus.held };
