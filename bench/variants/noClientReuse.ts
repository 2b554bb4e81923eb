// A variant for paired runs of bench:actions (BENCH_VARIANT): incoming turns build botbuilder's
// connector factory and user token client per request again, as botbuilder does by default
// (bot/reusedClients.ts is what it undoes).
import { ConfigurationBotFrameworkAuthentication } from "botbuilder";
import { ReusingBotFrameworkAuthentication } from "../../bot/reusedClients";

const base = ConfigurationBotFrameworkAuthentication.prototype;
ReusingBotFrameworkAuthentication.prototype.authenticateRequest = base.authenticateRequest;
ReusingBotFrameworkAuthentication.prototype.createUserTokenClient = base.createUserTokenClient;
