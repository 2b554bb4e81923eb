// Authentication of /api/messages: with an app id configured, only activities carrying a valid
// Bot Framework token (right issuer, audience, signing key, service URL, not expired) reach the bot.
// The tokens are signed here with a local key published by a local OpenID metadata endpoint,
// configured through BOTFRAMEWORK_OPENID_METADATA_URL / BOTFRAMEWORK_TOKEN_ISSUER.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cardText, testConfig, type Harness, type StaffRef } from "../support/harness";
import { startService } from "../../bot/service";
import { createLogger } from "../../services/logger";
import { invokeActionExecute, messageActivity, postToBot, DEFAULT_TENANT_ID } from "../fakes/activities";
import { botAuthEnv, snapshot, startLocalIssuer, startSecureHarness, type LocalIssuer } from "./support";

const APP_ID = "6f1c2d3e-0000-4000-8000-a55e0000b07";

/** Posts an activity and returns the status and the body exactly as sent. */
async function postRaw(url: string, activity: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(activity),
  });
  return { status: res.status, body: await res.text() };
}

const OTHER_TENANT = "99999999-9999-4999-8999-999999999999";
/** What every refused token gets: no reason, no internal detail. */
const UNAUTHORIZED = JSON.stringify({ error: "Unauthorized" });

describe("Bot Framework token validation", () => {
  let issuer: LocalIssuer;
  let h: Harness;
  let worker: StaffRef;
  const logLines: string[] = [];
  // What reaches the console (stderr) while `stderrOpen`: spied before the service starts, as the
  // real console is when the service runs.
  const stderr: string[] = [];
  let stderrOpen = false;
  let startedAt = 0;
  const toStderr = (...a: unknown[]) => void (stderrOpen && stderr.push(a.map(String).join(" ")));

  beforeAll(async () => {
    vi.spyOn(console, "error").mockImplementation(toStderr);
    vi.spyOn(console, "warn").mockImplementation(toStderr);
    issuer = await startLocalIssuer();
    startedAt = Date.now();
    h = await startSecureHarness({
      logLevel: "warn",
      logSink: (l) => logLines.push(l),
      env: (connectorUrl) => ({ ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID, ...botAuthEnv(APP_ID, connectorUrl, issuer) }),
    });
    worker = await h.one("PRACTITIONER", "CIN");
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h?.close();
    await issuer?.close();
  });

  const validClaims = () => ({ aud: APP_ID, serviceurl: h.connector.url });
  const invoke = (s: StaffRef, extra: Record<string, unknown> = {}) => ({
    ...invokeActionExecute({ from: h.from(s), serviceUrl: h.connector.url, verb: "help.show", data: {} }),
    ...extra,
  });

  it("accepts a valid channel token: the action is handled and answered", async () => {
    const token = await issuer.sign(validClaims());
    const res = await postToBot(h.endpoint, invoke(worker), { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const body = res.body as { statusCode: number; value: unknown };
    expect(body.statusCode).toBe(200);
    expect(cardText(body.value)).toContain(worker.name);
    expect(await h.db.conversationReference.count({ where: { staffId: worker.id } })).toBe(1);
  });

  it("accepts a valid token on a typed message: the sender becomes reachable", async () => {
    // The reply itself needs the bot's outgoing token from an Entra ID authority; MSAL accepts only
    // https authorities, so with the local (http) test authority no reply can be sent — and none
    // is sent without a token.
    const other = (await h.staffWithRole("PRACTITIONER", "CIN"))[1]!;
    const token = await issuer.sign(validClaims());
    const res = await postToBot(h.endpoint, messageActivity({ from: h.from(other), serviceUrl: h.connector.url, text: "help" }), {
      Authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(200);
    expect(await h.db.conversationReference.count({ where: { staffId: other.id } })).toBe(1);
    expect(h.connector.activities.filter((a) => !a.authorization).length).toBe(0);
  });

  const refusals: [string, () => Promise<Record<string, string>>][] = [
    ["no Authorization header", async () => ({})],
    ["an empty bearer", async () => ({ Authorization: "Bearer " })],
    ["a token that is not a JWT", async () => ({ Authorization: "Bearer not-a-jwt" })],
    [
      "an expired token",
      async () => ({ Authorization: `Bearer ${await issuer.sign(validClaims(), { expiresIn: Math.floor(Date.now() / 1000) - 600 })}` }),
    ],
    [
      "a token not valid yet",
      async () => ({ Authorization: `Bearer ${await issuer.sign(validClaims(), { notBefore: Math.floor(Date.now() / 1000) + 3600 })}` }),
    ],
    [
      "a token for another bot (wrong audience)",
      async () => ({ Authorization: `Bearer ${await issuer.sign({ ...validClaims(), aud: "some-other-bot" })}` }),
    ],
    ["a token without audience", async () => ({ Authorization: `Bearer ${await issuer.sign({ serviceurl: h.connector.url })}` })],
    [
      "a token from another issuer",
      async () => ({ Authorization: `Bearer ${await issuer.sign({ ...validClaims(), iss: "https://evil.example" })}` }),
    ],
    [
      "a token signed with another key (same key id)",
      async () => ({ Authorization: `Bearer ${await issuer.sign(validClaims(), { otherKey: true })}` }),
    ],
    [
      "a token signed with an unknown key id",
      async () => ({ Authorization: `Bearer ${await issuer.sign(validClaims(), { kid: "unknown", otherKey: true })}` }),
    ],
    [
      "a token for another service URL",
      async () => ({ Authorization: `Bearer ${await issuer.sign({ ...validClaims(), serviceurl: "https://attacker.example/" })}` }),
    ],
    [
      "a token signed by the trusted key with the issuer of an Entra ID tenant",
      async () => ({
        Authorization: `Bearer ${await issuer.sign({ ...validClaims(), iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/` })}`,
      }),
    ],
    [
      "a token signed by the trusted key with the Entra ID v2 issuer",
      async () => ({
        Authorization: `Bearer ${await issuer.sign({ ...validClaims(), iss: `https://login.microsoftonline.com/${DEFAULT_TENANT_ID}/v2.0` })}`,
      }),
    ],
    [
      "an unsigned token (alg none)",
      async () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const now = Math.floor(Date.now() / 1000);
        const payload = { iss: issuer.issuer, aud: APP_ID, serviceurl: h.connector.url, exp: now + 600, nbf: now - 60 };
        return { Authorization: `Bearer ${enc({ alg: "none", typ: "JWT", kid: "assure-test-key" })}.${enc(payload)}.` };
      },
    ],
  ];

  it.each(refusals)("refuses %s with 401 and touches nothing", async (_name, headers) => {
    const other = (await h.staffWithRole("PRACTITIONER", "CP"))[1]!;
    const before = await snapshot(h.db);
    const sentBefore = h.connector.activities.length;
    const hdrs = await headers();
    for (const activity of [invoke(other), messageActivity({ from: h.from(other), serviceUrl: h.connector.url, text: "help" })]) {
      const res = await postRaw(h.endpoint, activity, hdrs);
      expect(res.status).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
    }
    expect(await snapshot(h.db)).toEqual(before);
    expect(h.connector.activities.length).toBe(sentBefore);
    expect(await h.db.conversationReference.count({ where: { staffId: other.id } })).toBe(0);
  });
  it("authenticates before the tenant allow-list: without a token every tenant gets the same 401", async () => {
    const s = (await h.staffWithRole("PRACTITIONER", "CP"))[2]!;
    const answers = [];
    for (const tenantId of [DEFAULT_TENANT_ID, OTHER_TENANT, ""]) {
      const res = await postRaw(h.endpoint, messageActivity({ from: h.from(s), serviceUrl: h.connector.url, text: "help", tenantId }));
      answers.push(`${res.status} ${res.body}`);
    }
    expect(answers).toEqual([`401 ${UNAUTHORIZED}`, `401 ${UNAUTHORIZED}`, `401 ${UNAUTHORIZED}`]);
  });

  it("refuses an authenticated activity from a tenant not on the list with 403, touching nothing", async () => {
    const s = (await h.staffWithRole("PRACTITIONER", "CP"))[3]!;
    const before = await snapshot(h.db);
    const token = await issuer.sign(validClaims());
    const res = await postRaw(
      h.endpoint,
      invoke(s, { conversation: { id: "a:other", conversationType: "personal", tenantId: OTHER_TENANT } }),
      {
        Authorization: `Bearer ${token}`,
      },
    );
    expect(res.status).toBe(403);
    expect(res.body).toBe(JSON.stringify({ error: "Forbidden" }));
    expect(await snapshot(h.db)).toEqual(before);
  });

  it("logs each refusal once through the logger, at a bounded rate, without stack traces, and writes nothing to stderr", async () => {
    const s = (await h.staffWithRole("PRACTITIONER", "CP"))[4]!;
    const expired = await issuer.sign(validClaims(), { expiresIn: Math.floor(Date.now() / 1000) - 600 });
    const statuses = new Set<number>();
    stderrOpen = true;
    try {
      for (let i = 0; i < 500; i++) {
        const garbage =
          i % 3 === 0 ? `Bearer ${randomBytes(64).toString("base64url")}` : i % 3 === 1 ? `Bearer ${expired}` : "Bearer a.b.c";
        const res = await postRaw(h.endpoint, invoke(s), { Authorization: garbage });
        statuses.add(res.status);
      }
    } finally {
      stderrOpen = false;
    }
    expect([...statuses]).toEqual([401]);
    expect(stderr).toEqual([]);
    const refusals = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request refused");
    // Every test of this harness refuses: at most 20 lines in each minute since it started.
    const minutes = Math.ceil((Date.now() - startedAt) / 60_000);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(20 * (minutes + 1));
    expect(JSON.stringify(refusals)).not.toMatch(/\\n\s+at |"stack"/);
    expect(logLines.join("\n")).not.toContain(expired);
  });
});

describe("token validation when the signing keys cannot be fetched", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSecureHarness({
      env: (connectorUrl) => ({
        MicrosoftAppTenantId: DEFAULT_TENANT_ID,
        ...botAuthEnv(APP_ID, connectorUrl, {
          metadataUrl: "http://127.0.0.1:1/.well-known/openidconfiguration",
          issuer: "https://api.botframework.test",
        }),
      }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses with a bare 401, never a 500 carrying the failed fetch", async () => {
    const issuer = await startLocalIssuer();
    try {
      const s = await h.one("PRACTITIONER", "CP");
      for (const iss of [issuer.issuer, `https://sts.windows.net/${DEFAULT_TENANT_ID}/`]) {
        const token = await issuer.sign({ aud: APP_ID, serviceurl: h.connector.url, iss });
        const res = await postRaw(h.endpoint, messageActivity({ from: h.from(s), serviceUrl: h.connector.url, text: "help" }), {
          Authorization: `Bearer ${token}`,
        });
        expect(`${res.status} ${res.body}`).toBe(`401 ${UNAUTHORIZED}`);
      }
    } finally {
      await issuer.close();
    }
  });
});

describe("tenant allow-list", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSecureHarness({ env: () => ({ ALLOWED_TENANT_IDS: `${DEFAULT_TENANT_ID}, 11111111-2222-4333-8444-555555555555` }) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers staff of an allowed tenant", async () => {
    const s = await h.one("TEAM_MANAGER", "CIC");
    const r = await h.execute(s, "help.show");
    expect(r.status).toBe(200);
    expect(r.text).toContain(s.name);
  });

  it.each([
    ["another tenant", "99999999-9999-4999-8999-999999999999"],
    ["an empty tenant", ""],
  ])("refuses %s with 403 and touches nothing", async (_n, tenantId) => {
    const s = await h.one("PRACTITIONER", "LC");
    const before = await snapshot(h.db);
    for (const a of [
      invokeActionExecute({ from: h.from(s), serviceUrl: h.connector.url, verb: "help.show", tenantId }),
      messageActivity({ from: h.from(s), serviceUrl: h.connector.url, text: "help", tenantId }),
    ]) {
      expect((await postToBot(h.endpoint, a)).status).toBe(403);
    }
    // A tenant id only in one of the two places (channelData vs conversation) is not enough either.
    const mixed = messageActivity({ from: h.from(s), serviceUrl: h.connector.url, text: "help" });
    mixed.channelData = { tenant: { id: "99999999-9999-4999-8999-999999999999" } };
    expect((await postToBot(h.endpoint, mixed)).status).toBe(403);
    const mixed2 = messageActivity({ from: h.from(s), serviceUrl: h.connector.url, text: "help" });
    mixed2.conversation.tenantId = "99999999-9999-4999-8999-999999999999";
    expect((await postToBot(h.endpoint, mixed2)).status).toBe(403);
    expect(await snapshot(h.db)).toEqual(before);
    expect(h.connector.activities.length).toBe(0);
  });
});

describe("an empty allow-list: the bot's own tenant (MicrosoftAppTenantId)", () => {
  let issuer: LocalIssuer;
  let h: Harness;
  const logLines: string[] = [];
  beforeAll(async () => {
    issuer = await startLocalIssuer();
    h = await startSecureHarness({
      logLevel: "warn",
      logSink: (l) => logLines.push(l),
      env: (connectorUrl) => ({
        ALLOWED_TENANT_IDS: "",
        MicrosoftAppTenantId: DEFAULT_TENANT_ID,
        ...botAuthEnv(APP_ID, connectorUrl, issuer),
      }),
    });
  });
  afterAll(async () => {
    await h?.close();
    await issuer?.close();
  });

  const signedInvoke = async (s: StaffRef, tenantId: string) => ({
    activity: invokeActionExecute({ from: h.from(s), serviceUrl: h.connector.url, verb: "help.show", data: {}, tenantId }),
    headers: { Authorization: `Bearer ${await issuer.sign({ aud: APP_ID, serviceurl: h.connector.url })}` },
  });

  it("answers a person of the bot's own tenant", async () => {
    const s = await h.one("TEAM_MANAGER", "CIC");
    const { activity, headers } = await signedInvoke(s, DEFAULT_TENANT_ID);
    const res = await postToBot(h.endpoint, activity, headers);
    expect(res.status).toBe(200);
    expect(cardText((res.body as { value: unknown }).value)).toContain(s.name);
  });

  it("refuses a validly signed activity from another tenant as any tenant not allowed (403), touches nothing, logs no one", async () => {
    const s = await h.one("PRACTITIONER", "LC");
    const before = await snapshot(h.db);
    const { activity, headers } = await signedInvoke(s, OTHER_TENANT);
    expect(await postRaw(h.endpoint, activity, headers)).toEqual({ status: 403, body: JSON.stringify({ error: "Forbidden" }) });
    expect(await snapshot(h.db)).toEqual(before);
    expect(h.connector.activities.length).toBe(0);
    const refusal = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.kind === "tenant not allowed");
    expect(refusal?.tenant).toBe(OTHER_TENANT);
    // The organisation's id only: nothing that names or identifies the person who sent it.
    const line = JSON.stringify(refusal);
    for (const personal of [s.name, s.aadObjectId, activity.from.id]) expect(line).not.toContain(personal);
  });
});

describe("the tenants served, at start", () => {
  it("refuses to start with authentication on and neither ALLOWED_TENANT_IDS nor MicrosoftAppTenantId set, naming both", async () => {
    // An unreachable database: the configuration is refused before anything is opened.
    const config = testConfig("postgresql://postgres@127.0.0.1:1/none", { MicrosoftAppId: APP_ID, MicrosoftAppPassword: "x" });
    const start = startService({ config, log: createLogger("silent"), seedDemo: false, startSender: false });
    await expect(start).rejects.toThrow(/ALLOWED_TENANT_IDS.*MicrosoftAppTenantId/);
    await expect(start).rejects.toThrow(/empty list does not admit every tenant/);
  });

  it("starts without authentication and neither set, answering whatever tenant the sender names (local use, Agents Playground)", async () => {
    const h = await startSecureHarness();
    try {
      const s = await h.one("PRACTITIONER", "CIN");
      const res = await postToBot(
        h.endpoint,
        invokeActionExecute({ from: h.from(s), serviceUrl: h.connector.url, verb: "help.show", data: {}, tenantId: OTHER_TENANT }),
      );
      expect(res.status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe("authentication off", () => {
  it("says so loudly at start when no app id is configured", async () => {
    const lines: string[] = [];
    const h = await startSecureHarness({ logLevel: "warn", logSink: (l) => lines.push(l) });
    try {
      const warn = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /AUTHENTICATION IS OFF/.test(l.msg));
      expect(warn?.level).toBe(40);
    } finally {
      await h.close();
    }
  });

  it("listens on 127.0.0.1 unless HOST is set, and logs the address it really bound", async () => {
    const lines: string[] = [];
    const h = await startSecureHarness({ logLevel: "info", logSink: (l) => lines.push(l), env: () => ({ HOST: "" }) });
    try {
      const listening = lines.map((l) => JSON.parse(l) as { msg: string; address?: string }).find((l) => /listening/.test(l.msg));
      expect(listening?.address).toBe("127.0.0.1");
      expect(listening?.msg).toContain(`127.0.0.1:${h.service.port}`);
    } finally {
      await h.close();
    }
  });

  it("is silent about it when an app id is configured", async () => {
    const lines: string[] = [];
    const h = await startSecureHarness({
      logLevel: "warn",
      logSink: (l) => lines.push(l),
      env: () => ({ MicrosoftAppId: APP_ID, MicrosoftAppTenantId: DEFAULT_TENANT_ID }),
    });
    try {
      expect(lines.join("\n")).not.toContain("AUTHENTICATION IS OFF");
    } finally {
      await h.close();
    }
  });
});
