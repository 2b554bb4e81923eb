// The states of a multi-agency audit, its invitations and its recommendations, in one place
// (Bexley Children's Social Care Quality Assurance Framework, §1.4).
import { defineMachine } from "../stateMachine";

/** An audit: practitioners invited (tools due) → reflective practice discussion set → held → closed when every recommendation is done. */
export const multiAgencyAuditMachine = defineMachine("multi_agency_audit", ["invited", "discussion_set", "discussed", "closed"], {
  setDiscussion: "invited | discussion_set -> discussion_set",
  recordDiscussion: "discussion_set -> discussed",
  close: "discussed -> closed",
});

/** An invitation: a practitioner completes the multi-agency audit tool in advance of the discussion. */
export const multiAgencyInvitationMachine = defineMachine("multi_agency_invitation", ["invited", "tool_submitted"], {
  submitTool: "invited -> tool_submitted",
});

/** A recommendation assigned to an agency, tracked to done. */
export const multiAgencyRecommendationMachine = defineMachine("multi_agency_recommendation", ["open", "done"], { done: "open -> done" });
