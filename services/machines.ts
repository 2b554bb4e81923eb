// Every workflow's state machine, for the checks that hold across all of them: the database's
// CHECK constraints equal the machines' statuses, and reports name statuses that exist.
import type { Machine } from "./stateMachine";
// Audit-of-practice days and multi-agency audits
import { practiceDayCaseMachine, practiceDayMachine, practiceDayRecommendationMachine } from "./practiceDay/states";
import { multiAgencyAuditMachine, multiAgencyInvitationMachine, multiAgencyRecommendationMachine } from "./multiAgency/states";

// Each workflow's states.ts adds its machine here.
export const machines: readonly Machine<string, string>[] = [
  // Audit-of-practice days and multi-agency audits
  practiceDayMachine,
  practiceDayCaseMachine,
  practiceDayRecommendationMachine,
  multiAgencyAuditMachine,
  multiAgencyInvitationMachine,
  multiAgencyRecommendationMachine,
];
