// The states of a multi-agency audit, its invitations and its recommendations, in one place
// (Bexley Children's Social Care Quality Assurance Framework, §1.4).
import { defineMachine } from "../stateMachine";

/** An audit: practitioners invited (tools due) → reflective practice discussion set → held → closed when every recommendation is done. */
export const multiAgencyAuditMachine = defineMachine({
  entity: "multi_agency_audit",
  table: "MultiAgencyAudit",
  statuses: ["invited", "discussion_set", "discussed", "closed"],
  initial: "invited",
  steps: {
    setDiscussion: { from: ["invited", "discussion_set"], to: "discussion_set" },
    recordDiscussion: { from: ["discussion_set"], to: "discussed" },
    close: { from: ["discussed"], to: "closed" },
  },
});

/** An invitation: a practitioner completes the multi-agency audit tool in advance of the discussion. */
export const multiAgencyInvitationMachine = defineMachine({
  entity: "multi_agency_invitation",
  table: "MultiAgencyInvitation",
  statuses: ["invited", "tool_submitted"],
  initial: "invited",
  steps: { submitTool: { from: ["invited"], to: "tool_submitted" } },
});

/** A recommendation assigned to an agency, tracked to done. */
export const multiAgencyRecommendationMachine = defineMachine({
  entity: "multi_agency_recommendation",
  table: "MultiAgencyRecommendation",
  statuses: ["open", "done"],
  initial: "open",
  steps: { done: { from: ["open"], to: "done" } },
});
