// Every workflow's state machine, for the checks that hold across all of them: the database's
// CHECK constraints equal the machines' statuses, and reports name statuses that exist.
import type { Machine } from "./stateMachine";
import { actionMachine, auditMachine, selfAssessmentMachine } from "./audit/states";
import { moderationMachine } from "./moderation/states";
import { escalationMachine } from "./escalation/states";
import { supervisionMachine } from "./supervision/states";
import { campaignMachine } from "./surveys/states";
import { observationMachine } from "./observation/states";
import { dipCheckMachine, dipSampleMachine } from "./dipSample/states";
import { practiceDayCaseMachine, practiceDayMachine, practiceDayRecommendationMachine } from "./practiceDay/states";
import { outboxMachine } from "./delivery/states";
import { multiAgencyAuditMachine, multiAgencyInvitationMachine, multiAgencyRecommendationMachine } from "./multiAgency/states";

// Each workflow's states.ts adds its machine here.
export const machines: readonly Machine<string, string>[] = [
  auditMachine,
  selfAssessmentMachine,
  actionMachine,
  moderationMachine,
  escalationMachine,
  supervisionMachine,
  campaignMachine,
  observationMachine,
  dipSampleMachine,
  dipCheckMachine,
  practiceDayMachine,
  practiceDayCaseMachine,
  practiceDayRecommendationMachine,
  multiAgencyAuditMachine,
  multiAgencyInvitationMachine,
  multiAgencyRecommendationMachine,
  outboxMachine,
];
