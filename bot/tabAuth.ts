// Who is calling the Home tab's API. In Teams: the tab's single sign-on token (teams-js
// authentication.getAuthToken), validated here — RS256 signature against the keys the tenant's
// OpenID metadata publishes, audience = the app's Application ID URI (or its app id), issuer of the
// token's own tenant, not expired, tenant admitted (admittedTenants, as /api/messages) — then mapped by its oid to the
// person in the directory. Outside Teams, only where the local chat page is on (development, no app id),
// the page names the person to act as, as the local chat page does.
import type { Request } from "express";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import type { AppContext } from "../services/context";
import type { Actor } from "../services/permissions";
import { actorByAadId } from "../services/directory/staff";
import { admittedTenants, authEnabled, tenantAdmitted } from "../services/config";

/** The header the development page sends with the person it acts as (Entra object id). */
export const DEV_ACT_AS_HEADER = "x-assure-act-as";

export class TabUnauthorized extends Error {}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export interface TabAuthenticator {
  /** The authenticated person, or TabUnauthorized (the caller answers 401 and nothing else). */
  actorOf(req: Request): Promise<Actor>;
}

export function createTabAuthenticator(ctx: AppContext, opts: { devActAs: boolean }): TabAuthenticator {
  const c = ctx.config;
  let keys: Promise<KeySet> | undefined;
  // The metadata names where the keys are; fetched once (again after a failure).
  const keySet = (): Promise<KeySet> => {
    keys ??= (async () => {
      const res = await fetch(c.TAB_SSO_OPENID_METADATA_URL, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`OpenID metadata: HTTP ${res.status}`);
      const meta = (await res.json()) as { jwks_uri?: unknown };
      if (typeof meta.jwks_uri !== "string") throw new Error("OpenID metadata without jwks_uri");
      return createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: 10_000, cooldownDuration: 30_000 });
    })().catch((err: unknown) => {
      keys = undefined;
      throw err;
    });
    return keys;
  };
  const audiences = [c.TAB_SSO_APP_ID_URI, c.MicrosoftAppId].filter(Boolean);
  const tenants = admittedTenants(c);

  async function verify(token: string): Promise<JWTPayload> {
    if (!c.TAB_SSO_APP_ID_URI) throw new TabUnauthorized("TAB_SSO_APP_ID_URI is not configured");
    const { payload } = await jwtVerify(token, await keySet(), { audience: audiences, algorithms: ["RS256"], clockTolerance: 60 });
    if (typeof payload.exp !== "number") throw new TabUnauthorized("token without expiry");
    const tid = typeof payload.tid === "string" ? payload.tid : "";
    if (!tid) throw new TabUnauthorized("token without tenant");
    if (!c.TAB_SSO_ISSUERS.some((t) => t.replace("{tenantid}", tid) === payload.iss)) throw new TabUnauthorized("issuer not accepted");
    if (!tenantAdmitted(tenants, tid)) throw new TabUnauthorized("tenant not allowed");
    return payload;
  }

  return {
    async actorOf(req) {
      const header = req.get("authorization") ?? "";
      if (header) {
        if (!authEnabled(c)) throw new TabUnauthorized("single sign-on needs an app id");
        const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header);
        if (!m) throw new TabUnauthorized("not a bearer token");
        let payload: JWTPayload;
        try {
          payload = await verify(m[1]!);
        } catch (err) {
          throw err instanceof TabUnauthorized ? err : new TabUnauthorized(String((err as Error).message ?? err).slice(0, 200));
        }
        const oid = typeof payload.oid === "string" ? payload.oid : undefined;
        try {
          return await actorByAadId(ctx.db, oid);
        } catch {
          throw new TabUnauthorized("not in the staff directory");
        }
      }
      const actAs = req.get(DEV_ACT_AS_HEADER);
      if (opts.devActAs && actAs) {
        try {
          return await actorByAadId(ctx.db, actAs);
        } catch {
          throw new TabUnauthorized("unknown person");
        }
      }
      throw new TabUnauthorized("no token");
    },
  };
}
