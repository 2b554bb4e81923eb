// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { allocationCommands, allocationRoutes } from "./allocation";
import { auditFormRoutes } from "./audit-form";
import { escalationCommands, escalationRoutes } from "./escalation";
import { moderationCommands, moderationRoutes } from "./moderation";
import { surveyRoutes } from "./surveys";
import { supervisionRoutes } from "./supervision";
import { outboxRoutes } from "./outbox";
import { reportCommands, reportRoutes } from "./reports";
// Audit-of-practice days and multi-agency audits
import { practiceDayCommands, practiceDayRoutes } from "./practiceDay";
import { multiAgencyCommands, multiAgencyRoutes } from "./multiAgency";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
  );
  router.add(...allocationRoutes());
  router.command(...allocationCommands);
  router.add(...auditFormRoutes());
  router.command(
    {
      words: "my audits",
      verb: "audits.mine",
      description: "Audits you carry out, audits of your cases, your team's audits",
      button: "My audits",
    },
    { words: "my actions", verb: "actions.mine", description: "Actions from audits that you need to do", button: "My actions" },
  );
  router.add(...escalationRoutes());
  router.command(...escalationCommands);
  router.add(...moderationRoutes());
  router.command(...moderationCommands);
  router.add(...surveyRoutes());
  router.command(
    {
      words: "survey",
      verb: "survey.home",
      description: "Your open surveys (the QA team also opens and closes surveys here)",
      button: "Surveys",
    },
    { words: "surveys", verb: "survey.home", description: "Same as survey" },
  );
  router.add(...supervisionRoutes());
  router.command(
    {
      words: "supervision",
      verb: "supervision.show",
      description: "Your supervision schedule; for managers, overdue sessions",
      button: "Supervision",
    },
    { words: "my supervision", verb: "supervision.show", description: "Your supervision schedule" },
  );
  router.add(...outboxRoutes());
  router.command(
    { words: "outbox", verb: "outbox.view", description: "Delivery status of Assure's messages (QA team)" },
    {
      words: "deliver now",
      verb: "outbox.deliverNow",
      description: "Development only: send the cards quiet hours are holding now",
      devOnly: true,
    },
  );
  router.add(...reportRoutes());
  router.command(...reportCommands);
  // Audit-of-practice days and multi-agency audits
  router.add(...practiceDayRoutes());
  router.command(...practiceDayCommands);
  router.add(...multiAgencyRoutes());
  router.command(...multiAgencyCommands);
  return router;
}
