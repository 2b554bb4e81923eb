// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { reportCommands, reportRoutes } from "./reports";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
  );
  router.add(...reportRoutes());
  router.command(...reportCommands);
  return router;
}
