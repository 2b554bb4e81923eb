// The workflow statuses the Home tab reads, as plain strings in one place. Each workflow's own
// states.ts is the authority; these names must match the values its machine writes.
export const AUDIT = {
  allocated: "allocated",
  accepted: "accepted",
  inProgress: "in_progress",
} as const;

export const SELF_ASSESSMENT = { pending: "pending" } as const;

export const ACTION = { open: "open" } as const;

export const MODERATION = {
  allocated: "allocated",
  agreeing: "agreeing",
  awaitingApproval: "awaiting_approval",
  finalised: "finalised",
} as const;

export const ESCALATION = {
  resolutionProposed: "resolution_proposed",
  /** Statuses of an escalation that is over (nothing waits on anyone). */
  closed: ["resolved", "closed", "withdrawn", "cancelled"],
} as const;

export const SUPERVISION = { open: ["scheduled", "overdue"] } as const;
