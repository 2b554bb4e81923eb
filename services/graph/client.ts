// Microsoft Graph access for Assure: @microsoft/microsoft-graph-client with its default middleware
// (authentication, RetryHandler honouring Retry-After on 429/503/504, redirects) and our own
// AuthenticationProvider doing the client-credentials grant against a configurable authority
// (GRAPH_AUTHORITY_URL/<tenant>/oauth2/v2.0/token), so a local fake can stand in for Entra and Graph.
import {
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import type { Config } from "../config";

export function graphConfigured(config: Config): boolean {
  return Boolean(config.GRAPH_TENANT_ID && config.GRAPH_CLIENT_ID && config.GRAPH_CLIENT_SECRET);
}

/** Client-credentials tokens, cached until a minute before expiry; concurrent callers share one request. */
export class ClientCredentialsProvider implements AuthenticationProvider {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly opts: { authorityUrl: string; tenantId: string; clientId: string; clientSecret: string; scope: string }) {}

  async getAccessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const url = `${this.opts.authorityUrl.replace(/\/+$/, "")}/${encodeURIComponent(this.opts.tenantId)}/oauth2/v2.0/token`;
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: this.opts.clientId,
        client_secret: this.opts.clientSecret,
        scope: this.opts.scope,
      }),
    });
    if (!res.ok) throw new Error(`Graph token request failed: HTTP ${res.status}`);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new Error("Graph token response has no access_token");
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(60, (body.expires_in ?? 3600) - 60) * 1000 };
    return body.access_token;
  }
}

/**
 * Adds the bearer token to every request. (The library's AuthenticationHandler only does so for
 * https URLs of Graph or of `customHosts`, which rules out a local http fake.)
 */
class BearerMiddleware implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly provider: AuthenticationProvider) {}
  async execute(context: Context): Promise<void> {
    const value = `Bearer ${await this.provider.getAccessToken()}`;
    if (typeof Request !== "undefined" && context.request instanceof Request) context.request.headers.set("Authorization", value);
    else {
      context.options ??= {};
      const h = context.options.headers;
      if (h instanceof Headers) h.set("Authorization", value);
      else context.options.headers = { ...(h as Record<string, string> | undefined), Authorization: value };
    }
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** A Graph client for the configured tenant, or undefined when Graph is not configured. */
export function createGraphClient(config: Config): Client | undefined {
  if (!graphConfigured(config)) return undefined;
  const base = new URL(config.GRAPH_BASE_URL);
  const authProvider = new ClientCredentialsProvider({
    authorityUrl: config.GRAPH_AUTHORITY_URL,
    tenantId: config.GRAPH_TENANT_ID,
    clientId: config.GRAPH_CLIENT_ID,
    clientSecret: config.GRAPH_CLIENT_SECRET,
    scope: "https://graph.microsoft.com/.default",
  });
  return Client.initWithMiddleware({
    baseUrl: base.toString().replace(/\/+$/, ""),
    defaultVersion: "v1.0",
    // Token → RetryHandler (429/503/504, honours Retry-After, 3 retries) → redirects → fetch.
    middleware: [
      new BearerMiddleware(authProvider),
      new RetryHandler(new RetryHandlerOptions()),
      new RedirectHandler(),
      new HTTPMessageHandler(),
    ],
  });
}

/** HTTP status of a Graph client error (GraphError.statusCode), if any. */
export function graphStatus(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown })?.statusCode;
  return typeof s === "number" && s > 0 ? s : undefined;
}

/**
 * The path and query of an `@odata.nextLink`, for `graph.api()`: the client only takes an absolute
 * https URL as it is (a local http fake's link would be read as a path).
 */
export function nextLinkPath(nextLink: string): string {
  const u = new URL(nextLink);
  return `${u.pathname.replace(/^\/(v1\.0|beta)/, "")}${u.search}`;
}
