// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { supervisionRoutes } from "./supervision";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
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
  return router;
}
