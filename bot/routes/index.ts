// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { outboxRoutes } from "./outbox";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
  );
  router.add(...outboxRoutes());
  router.command({ words: "outbox", verb: "outbox.view", description: "Delivery status of Assure's messages (QA team)" });
  return router;
}
