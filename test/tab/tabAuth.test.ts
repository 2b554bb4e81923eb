// The Home tab's API accepts only a Teams single sign-on token: signed by a key the OpenID metadata
// publishes, for the app's Application ID URI, from an allowed tenant's issuer, not expired, for a
// person in the directory. Tokens are signed here with a local key served by a local OpenID
// endpoint (as the bot's authentication tests do). Outside Teams, "act as" exists only where the
// local chat page does (development, no app id).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness, StaffRef } from "../support/harness";
import { startHarness, testConfig } from "../support/harness";
import { DEFAULT_TENANT_ID } from "../fakes/activities";
import { startLocalIssuer, startSecureHarness, type LocalIssuer } from "../security/support";
import { createTabAuthenticator } from "../../bot/tabAuth";
import { admittedTenants } from "../../services/config";
import type { AppContext } from "../../services/context";

const APP_ID = "6f1c2d3e-0000-4000-8000-a55e0000b071";
const APP_ID_URI = `api://assure.test/${APP_ID}`;
const OTHER_TENANT = "99999999-9999-4999-8999-999999999999";
const issuerOf = (tid: string) => `https://login.microsoftonline.test/${tid}/v2.0`;

let issuer: LocalIssuer;
let h: Harness;
let worker: StaffRef;

const ssoEnv = (over: Record<string, string> = {}) => ({
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: "test-secret",
  TAB_SSO_APP_ID_URI: APP_ID_URI,
  TAB_SSO_OPENID_METADATA_URL: issuer.metadataUrl,
  TAB_SSO_ISSUERS: "https://login.microsoftonline.test/{tenantid}/v2.0",
  ...over,
});

const get = async (h: Harness, path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${h.service.url}${path}`, { headers });
  return { status: res.status, text: await res.text() };
};

beforeAll(async () => {
  issuer = await startLocalIssuer();
  h = await startSecureHarness({
    env: () => ssoEnv({ ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID }),
  });
  worker = await h.one("PRACTITIONER", "CIN");
});
afterAll(async () => {
  await h?.close();
  await issuer?.close();
});

const claims = (over: Record<string, unknown> = {}) => ({
  aud: APP_ID_URI,
  iss: issuerOf(DEFAULT_TENANT_ID),
  tid: DEFAULT_TENANT_ID,
  oid: worker.aadObjectId,
  name: worker.name,
  ...over,
});
const bearer = async (over: Record<string, unknown> = {}, opts: Parameters<LocalIssuer["sign"]>[1] = {}) => ({
  Authorization: `Bearer ${await issuer.sign(claims(over), opts)}`,
});

describe("Teams single sign-on of the Home tab", () => {
  it("answers the signed-in person's own name and work for a valid token", async () => {
    const me = await get(h, "/tab/api/me", await bearer());
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text)).toMatchObject({ name: worker.name, dashboard: false });
    const waiting = await get(h, "/tab/api/waiting", await bearer());
    expect(waiting.status).toBe(200);
    expect(JSON.parse(waiting.text).name).toBe(worker.name);
  });

  it("accepts the app id itself as audience (v2 tokens name the client id)", async () => {
    expect((await get(h, "/tab/api/me", await bearer({ aud: APP_ID }))).status).toBe(200);
  });

  const refusals: [string, () => Promise<Record<string, string>>][] = [
    ["no token", async () => ({})],
    ["a token that is not a JWT", async () => ({ Authorization: "Bearer not-a-jwt" })],
    ["an expired token", () => bearer({}, { expiresIn: Math.floor(Date.now() / 1000) - 600 })],
    ["a token for another app (wrong audience)", () => bearer({ aud: "api://evil.example/other-app" })],
    ["a token of a tenant not on the allow-list", () => bearer({ tid: OTHER_TENANT, iss: issuerOf(OTHER_TENANT) })],
    ["a token whose issuer is another tenant's", () => bearer({ iss: issuerOf(OTHER_TENANT) })],
    ["a token from an issuer not accepted", () => bearer({ iss: "https://evil.example/v2.0" })],
    ["a token signed with another key", () => bearer({}, { otherKey: true })],
    ["a token of someone not in the directory", () => bearer({ oid: "00000000-dead-4000-8000-000000000000" })],
    ["an act-as header (no app id: development only)", async () => ({ "x-assure-act-as": worker.aadObjectId! })],
  ];
  for (const [what, headers] of refusals)
    it(`refuses ${what} with 401 and no data`, async () => {
      for (const path of ["/tab/api/me", "/tab/api/waiting", "/tab/api/dashboard", "/tab/api/drill?figure=allocated"]) {
        const res = await get(h, path, await headers());
        expect(res.status, path).toBe(401);
        expect(res.text).toBe(JSON.stringify({ error: "Unauthorized" }));
      }
    });

  it("refuses a practitioner the dashboards (403), with a reason and no figures", async () => {
    const res = await get(h, "/tab/api/dashboard", await bearer());
    expect(res.status).toBe(403);
    expect(res.text).not.toMatch(/allocated/);
  });

  it("offers no act-as staff list with authentication on", async () => {
    expect(JSON.parse((await get(h, "/tab/api/mode")).text)).toEqual({ devActAs: false });
    expect((await get(h, "/dev/staff")).status).toBe(404);
  });
});

describe("with several tenants and an empty allow-list", () => {
  it("admits only the bot's own tenant: another tenant's valid token gets 401 and no data", async () => {
    const own = await startSecureHarness({ env: () => ssoEnv({ ALLOWED_TENANT_IDS: "", MicrosoftAppTenantId: DEFAULT_TENANT_ID }) });
    try {
      const s = await own.one("PRACTITIONER", "CIN");
      const as = async (tid: string) => ({
        Authorization: `Bearer ${await issuer.sign({ ...claims({ tid, iss: issuerOf(tid) }), oid: s.aadObjectId, name: s.name })}`,
      });
      expect((await get(own, "/tab/api/me", await as(DEFAULT_TENANT_ID))).status).toBe(200);
      for (const path of ["/tab/api/me", "/tab/api/waiting", "/tab/api/dashboard"]) {
        const res = await get(own, path, await as(OTHER_TENANT));
        expect(res.status, path).toBe(401);
        expect(res.text).toBe(JSON.stringify({ error: "Unauthorized" }));
      }
    } finally {
      await own.close();
    }
  });

  it("refuses to start single sign-on when no tenant is configured, rather than admit every tenant", () => {
    const config = testConfig("postgresql://unused", ssoEnv({ ALLOWED_TENANT_IDS: "", MicrosoftAppTenantId: "" }));
    expect(() => admittedTenants(config)).toThrow(/set ALLOWED_TENANT_IDS \(comma-separated tenant ids\) or MicrosoftAppTenantId/);
    expect(() => createTabAuthenticator({ config } as AppContext, { devActAs: false })).toThrow(/ALLOWED_TENANT_IDS/);
    // With single sign-on not configured too: the bot's activities are authenticated all the same.
    expect(() => admittedTenants(testConfig("postgresql://unused", ssoEnv({ TAB_SSO_APP_ID_URI: "" })))).toThrow(/ALLOWED_TENANT_IDS/);
  });
});

describe("outside Teams", () => {
  it("acts as the chosen person only on a development server, as the local chat page", async () => {
    const dev = await startHarness({ env: { NODE_ENV: "development", DEV_CHAT: "true" } });
    const plain = await startHarness();
    try {
      const s = await dev.one("PRACTITIONER", "CIN");
      expect(JSON.parse((await get(dev, "/tab/api/mode")).text)).toEqual({ devActAs: true });
      const me = await get(dev, "/tab/api/me", { "x-assure-act-as": s.aadObjectId! });
      expect(me.status).toBe(200);
      expect(JSON.parse(me.text).name).toBe(s.name);
      expect((await get(dev, "/tab/api/me")).status).toBe(401);
      // A test (not development) server without an app id: no act-as.
      expect((await get(plain, "/tab/api/me", { "x-assure-act-as": s.aadObjectId! })).status).toBe(401);
    } finally {
      await dev.close();
      await plain.close();
    }
  });
});
