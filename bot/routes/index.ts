// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { allocationCommands, allocationRoutes } from "./allocation";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
  );
  router.add(...allocationRoutes());
  router.command(...allocationCommands);
  return router;
}
