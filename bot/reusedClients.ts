// botbuilder's authentication with the clients of a turn reused across turns. For every incoming
// activity botbuilder builds a ConnectorFactoryImpl inside authenticateRequest (so an override of
// createConnectorFactory never sees incoming turns) and a UserTokenClient (a token API client with
// its own HTTP pipeline) in processActivity: about 8 % of the CPU of a card action, for clients most
// turns never use (a card action is answered in the HTTP response). Neither holds state of a turn:
// both depend only on the bot's app id (the tokens they fetch come from botbuilder's own cache), so
// one of each per app id serves every turn. Token validation is untouched: authenticateRequest
// still runs botbuilder's in full and throws as it does.
import { ConfigurationBotFrameworkAuthentication, type Activity } from "botbuilder";
import {
  AuthenticationConstants,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorFactory,
  type UserTokenClient,
} from "botframework-connector";
import { cachedPromise } from "./promiseCache";

/** The bot's app id as botbuilder reads it from a turn's claims (audience, else appid; none when authentication is off). */
const appIdOf = (claims: ClaimsIdentity): string =>
  claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? "";

/** Bounded: the app id comes from a validated token, but a cache keyed by a caller must not grow without limit. */
const MAX_APP_IDS = 16;

export class ReusingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly factories = new Map<string, ConnectorFactory>();
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  /** botbuilder's authentication, with the connector factory of the app id (createConnectorFactory's, kept). */
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    const appId = appIdOf(result.claimsIdentity);
    let factory = this.factories.get(appId);
    if (!factory) {
      if (this.factories.size >= MAX_APP_IDS) this.factories.clear();
      factory = this.createConnectorFactory(result.claimsIdentity);
      this.factories.set(appId, factory);
    }
    return { ...result, connectorFactory: factory };
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return cachedPromise(this.userTokenClients, appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity), MAX_APP_IDS);
  }
}
