// Every route and command of the bot, in one list: each feature module brings its card verbs
// (routes) and the words a person may type for them (commands, listed on the help card in this order).
import { Router } from "../router";
import * as help from "./help";
import * as allocation from "./allocation";
import * as auditForm from "./audit-form";
import * as escalation from "./escalation";
import * as moderation from "./moderation";
import * as surveys from "./surveys";
import * as supervision from "./supervision";
import * as outbox from "./outbox";
import * as reports from "./reports";
import * as observation from "./observation";
import * as dipSample from "./dipSample";
import * as practiceDay from "./practiceDay";
import * as multiAgency from "./multiAgency";

const features = [
  allocation,
  auditForm,
  escalation,
  moderation,
  surveys,
  supervision,
  outbox,
  reports,
  observation,
  dipSample,
  practiceDay,
  multiAgency,
];

export function buildRouter(): Router {
  const router = new Router();
  // Help lists the commands the router holds, so it is given the router.
  router.add(...help.routes(router)).command(...help.commands);
  for (const f of features) router.add(...f.routes()).command(...f.commands);
  return router;
}
