// The bot's identity toward the Bot Framework, in one place for both directions: the HTTP edge
// (bot/server.ts) validates incoming tokens and answers turns with it, and the outbox sender
// (bot/delivery.ts) sends proactively with it. One set of settings, so a sovereign or private cloud
// (BOTFRAMEWORK_LOGIN_URL, BOTFRAMEWORK_OAUTH_SCOPE) applies to proactive sends as well.
import { ConfidentialClientApplication } from "@azure/msal-node";
import { ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";
import {
  AuthenticationConstants,
  ClaimsIdentity,
  MsalServiceClientCredentialsFactory,
  type ConnectorClient,
  type ServiceClientCredentialsFactory,
} from "botframework-connector";
import type { Config } from "../services/config";

/**
 * botbuilder's authentication options. The BOTFRAMEWORK_* settings (tests, sovereign clouds) switch
 * botbuilder to its parameterized configuration, which takes every value literally: the ones not
 * set keep the public-cloud constants so a partial override cannot silently disable a check.
 */
export function authOptions(c: Config): ConfigurationBotFrameworkAuthenticationOptions {
  const base = {
    MicrosoftAppId: c.MicrosoftAppId,
    MicrosoftAppPassword: c.MicrosoftAppPassword,
    MicrosoftAppType: c.MicrosoftAppType,
    MicrosoftAppTenantId: c.MicrosoftAppTenantId,
  };
  const custom = [c.BOTFRAMEWORK_OPENID_METADATA_URL, c.BOTFRAMEWORK_TOKEN_ISSUER, c.BOTFRAMEWORK_LOGIN_URL, c.BOTFRAMEWORK_OAUTH_SCOPE];
  if (custom.every((v) => v === "")) return base as ConfigurationBotFrameworkAuthenticationOptions;
  return {
    ...base,
    ToBotFromChannelOpenIdMetadataUrl: c.BOTFRAMEWORK_OPENID_METADATA_URL || AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: c.BOTFRAMEWORK_TOKEN_ISSUER || AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: c.BOTFRAMEWORK_LOGIN_URL || AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: c.BOTFRAMEWORK_OAUTH_SCOPE || AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    CallerId: "urn:botframework:azure",
    ValidateAuthority: c.BOTFRAMEWORK_VALIDATE_AUTHORITY,
  } as ConfigurationBotFrameworkAuthenticationOptions;
}

/**
 * Where the bot's outgoing tokens come from. Public and US Government clouds: botbuilder's own
 * (undefined). A login URL of another cloud: MSAL with that URL as its authority, trusted as
 * configured (`knownAuthorities`), where botbuilder's default would first ask the public cloud's
 * instance discovery whether the host is an authority, which a sovereign or private cloud's
 * network may not reach.
 */
export function credentialsFactory(c: Config): ServiceClientCredentialsFactory | undefined {
  const login = c.BOTFRAMEWORK_LOGIN_URL;
  if (!c.MicrosoftAppId || !c.MicrosoftAppPassword || !login) return undefined;
  const lower = login.toLowerCase();
  if (lower.startsWith(AuthenticationConstants.ToChannelFromBotLoginUrlPrefix) || lower.startsWith("https://login.microsoftonline.us/"))
    return undefined;
  const clientApplication = new ConfidentialClientApplication({
    auth: { clientId: c.MicrosoftAppId, clientSecret: c.MicrosoftAppPassword, authority: login, knownAuthorities: [new URL(login).host] },
  });
  return new MsalServiceClientCredentialsFactory(c.MicrosoftAppId, clientApplication);
}

/** The bot's authentication: the same for incoming turns and proactive sends. */
export function botAuthentication(c: Config): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(authOptions(c), credentialsFactory(c));
}

/**
 * A Connector client for proactive sends to `serviceUrl`, as the bot (`appId`). No audience is
 * given, so the token is asked for the configured cloud's scope (BOTFRAMEWORK_OAUTH_SCOPE, or the
 * public cloud's), from its login URL.
 */
export function proactiveConnector(
  auth: ConfigurationBotFrameworkAuthentication,
  appId: string,
  serviceUrl: string,
): Promise<ConnectorClient> {
  const identity = new ClaimsIdentity(
    [
      { type: AuthenticationConstants.AudienceClaim, value: appId },
      { type: AuthenticationConstants.AppIdClaim, value: appId },
    ],
    true,
  );
  return auth.createConnectorFactory(identity).create(serviceUrl);
}
