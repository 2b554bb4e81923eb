// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { escalationCommands, escalationRoutes } from "./escalation";
import { moderationCommands, moderationRoutes } from "./moderation";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
  );
  router.add(...escalationRoutes());
  router.command(...escalationCommands);
  router.add(...moderationRoutes());
  router.command(...moderationCommands);
  return router;
}
