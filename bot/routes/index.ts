// Every route and command of the bot, in one list. Feature modules add theirs here.
import { Router } from "../router";
import { helpRoutes } from "./help";
import { surveyRoutes } from "./surveys";

export function buildRouter(): Router {
  const router = new Router();
  router.add(...helpRoutes(router));
  router.command(
    { words: "help", verb: "help.show", description: "What Assure can do for you" },
    { words: "hi", verb: "help.show", description: "Start here" },
  );
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
  return router;
}
