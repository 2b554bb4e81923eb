// Every route and command of the bot, in one list: each feature module brings its card verbs
// (routes) and the words a person may type for them (commands, listed on the help card in this order).
import { Router } from "../router";
import { helpCommands, helpRoutes } from "./help";
import { allocationCommands, allocationRoutes } from "./allocation";
import { auditFormCommands, auditFormRoutes } from "./audit-form";
import { escalationCommands, escalationRoutes } from "./escalation";
import { moderationCommands, moderationRoutes } from "./moderation";
import { surveyCommands, surveyRoutes } from "./surveys";
import { supervisionCommands, supervisionRoutes } from "./supervision";
import { outboxCommands, outboxRoutes } from "./outbox";
import { reportCommands, reportRoutes } from "./reports";
import { observationCommands, observationRoutes } from "./observation";
import { dipSampleCommands, dipSampleRoutes } from "./dipSample";
import { practiceDayCommands, practiceDayRoutes } from "./practiceDay";
import { multiAgencyCommands, multiAgencyRoutes } from "./multiAgency";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router)).command(...helpCommands);
  const features = [
    [allocationRoutes(), allocationCommands],
    [auditFormRoutes(), auditFormCommands],
    [escalationRoutes(), escalationCommands],
    [moderationRoutes(), moderationCommands],
    [surveyRoutes(), surveyCommands],
    [supervisionRoutes(), supervisionCommands],
    [outboxRoutes(), outboxCommands],
    [reportRoutes(), reportCommands],
    [observationRoutes(), observationCommands],
    [dipSampleRoutes(), dipSampleCommands],
    [practiceDayRoutes(), practiceDayCommands],
    [multiAgencyRoutes(), multiAgencyCommands],
  ] as const;
  for (const [routes, commands] of features) router.add(...routes).command(...commands);
  return router;
}
