// Shared helpers of the security suites: a harness whose configuration can name the fake
// connector's URL (auth tests), a snapshot of every table's row count (to prove "nothing
// touched"), and a local Bot Framework token issuer (OpenID metadata + JWKS, RS256 via jose).
import { noteCard } from "../support/cardGuard";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { ManualClock } from "../../services/clock";
import { createLogger } from "../../services/logger";
import { startService } from "../../bot/service";
import { startFakeConnector, type FakeConnectorOptions } from "../fakes/botConnector";
import { Harness, testConfig } from "../support/harness";
import { createTestDatabase } from "../support/testDb";
import type { Db } from "../../services/db";

export interface SecureHarnessOptions {
  env?: (connectorUrl: string) => Record<string, string>;
  connector?: FakeConnectorOptions;
  logLevel?: string;
  /** Receives every log line (JSON) of the service. */
  logSink?: (line: string) => void;
}

export async function startSecureHarness(opts: SecureHarnessOptions = {}): Promise<Harness> {
  const connector = await startFakeConnector({ ...(opts.connector ?? { rateLimits: false }), onCard: noteCard });
  const database = await createTestDatabase({ seed: true });
  const clock = new ManualClock();
  const config = testConfig(database.url, { ...(opts.logLevel ? { LOG_LEVEL: opts.logLevel } : {}), ...opts.env?.(connector.url) });
  const { pino } = await import("pino");
  const log = opts.logSink ? pino({ level: config.LOG_LEVEL }, { write: (s: string) => opts.logSink!(s) }) : createLogger(config.LOG_LEVEL);
  const service = await startService({ config, clock, log, databaseUrl: database.url, seedDemo: false, startSender: false });
  return new Harness(service, connector, database, clock);
}

/**
 * The service's Bot Framework settings against a token issuer at `keys` (a LocalIssuer): the app's
 * id and secret, where the signing keys come from, and the login URL on the fake connector.
 */
export function botAuthEnv(appId: string, connectorUrl: string, keys: { metadataUrl: string; issuer: string }): Record<string, string> {
  return {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: "test-secret",
    BOTFRAMEWORK_OPENID_METADATA_URL: keys.metadataUrl,
    BOTFRAMEWORK_TOKEN_ISSUER: keys.issuer,
    BOTFRAMEWORK_LOGIN_URL: `${connectorUrl}botframework.com`,
    BOTFRAMEWORK_VALIDATE_AUTHORITY: "false",
  };
}

/** Row counts of every application table plus the full History / outbox / references (to compare before/after). */
export async function snapshot(db: Db): Promise<Record<string, unknown>> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name`;
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const r = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*)::bigint AS n FROM "${t.table_name}"`);
    counts[t.table_name] = Number(r[0]?.n ?? 0);
  }
  const history = await db.history.findMany({ orderBy: { id: "asc" } });
  const outbox = await db.outboxMessage.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, idempotencyKey: true } });
  const refs = await db.conversationReference.findMany({ orderBy: { staffId: "asc" }, select: { staffId: true, conversationId: true } });
  const staff = await db.staff.findMany({ orderBy: { id: "asc" }, select: { id: true, updatedAt: true, roles: true, active: true } });
  return { counts, history: history.map((h) => String(h.id)), outbox, refs, staff };
}

/** A stand-in for the Bot Framework's token service: OpenID metadata, JWKS and a token signer. */
export interface LocalIssuer {
  url: string;
  metadataUrl: string;
  issuer: string;
  sign(
    claims: Record<string, unknown>,
    opts?: { expiresIn?: string | number; kid?: string; otherKey?: boolean; notBefore?: number },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalIssuer(issuer = "https://api.botframework.test"): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "assure-test-key", use: "sig", alg: "RS256" };
  let base = "";
  const server: Server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openidconfiguration") {
      res.end(JSON.stringify({ issuer, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ["RS256"] }));
    } else if (req.url === "/keys") {
      res.end(JSON.stringify({ keys: [{ ...jwk, endorsements: ["msteams"] }] }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    metadataUrl: `${base}/.well-known/openidconfiguration`,
    issuer,
    async sign(claims, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT({ iss: issuer, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: o.kid ?? "assure-test-key", typ: "JWT" })
        .setIssuedAt(now - 60)
        .setNotBefore(o.notBefore ?? now - 60);
      jwt = typeof o.expiresIn === "number" ? jwt.setExpirationTime(o.expiresIn) : jwt.setExpirationTime(o.expiresIn ?? "10m");
      return jwt.sign(o.otherKey ? other.privateKey : privateKey);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
