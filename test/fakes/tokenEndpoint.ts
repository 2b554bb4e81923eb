/**
 * A local fake of an Entra ID (Azure AD) authority, as a sovereign or private cloud's login URL
 * serves it to the bot: OpenID configuration and the client-credentials token endpoint, over HTTPS
 * (MSAL refuses http authorities) with a self-signed certificate made at start (openssl).
 * `trust()` makes this process's HTTPS agent accept it. Records every token request's form fields.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { listen, pathSegments, readBody, sendJson } from "./httpUtil";

export interface TokenRequest {
  path: string;
  /** The form fields (grant_type, client_id, scope…); client_secret is kept so a test can check it. */
  form: Record<string, string>;
}

export interface FakeTokenEndpoint {
  /** https://127.0.0.1:<port>/ */
  readonly url: string;
  readonly tokenRequests: TokenRequest[];
  /** The access tokens handed out, in order. */
  readonly issued: string[];
  /** Answers token requests this many ms late (a distant authority). */
  delayMs: number;
  /** The lifetime of the tokens it issues (default 3599 s, as Entra ID's). */
  expiresInSeconds: number;
  /** This process's HTTPS agent trusts the endpoint's certificate (until close). */
  trust(): void;
  close(): Promise<void>;
}

export async function startFakeTokenEndpoint(): Promise<FakeTokenEndpoint> {
  const dir = mkdtempSync(path.join(tmpdir(), "fake-authority-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const pem = { key: readFileSync(key), cert: readFileSync(cert) };
  rmSync(dir, { recursive: true, force: true });
  const tokenRequests: TokenRequest[] = [];
  const issued: string[] = [];
  let base = "";
  const server = https.createServer(pem, (req, res) => {
    void (async () => {
      const segs = pathSegments((req.url ?? "/").split("?")[0]!);
      const tenant = segs[0] ?? "common";
      if (req.method === "GET" && segs.slice(1).join("/") === "v2.0/.well-known/openid-configuration") {
        sendJson(res, 200, {
          issuer: `${base}${tenant}/v2.0`,
          authorization_endpoint: `${base}${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}${tenant}/oauth2/v2.0/token`,
          jwks_uri: `${base}${tenant}/discovery/v2.0/keys`,
          end_session_endpoint: `${base}${tenant}/oauth2/v2.0/logout`,
        });
        return;
      }
      if (req.method === "POST" && segs.slice(1).join("/") === "oauth2/v2.0/token") {
        const form = Object.fromEntries(new URLSearchParams((await readBody(req)).toString("utf8")));
        tokenRequests.push({ path: `/${segs.join("/")}`, form });
        if (endpoint.delayMs > 0) await new Promise((r) => setTimeout(r, endpoint.delayMs));
        const token = `sovereign-token-${issued.length + 1}`;
        issued.push(token);
        sendJson(res, 200, {
          token_type: "Bearer",
          expires_in: endpoint.expiresInSeconds,
          ext_expires_in: endpoint.expiresInSeconds,
          access_token: token,
        });
        return;
      }
      sendJson(res, 404, { error: "not_found" });
    })();
  });
  const { port, close } = await listen(server);
  base = `https://127.0.0.1:${port}/`;
  const agent = https.globalAgent as https.Agent & { options: https.AgentOptions };
  const before = agent.options.ca;
  const endpoint: FakeTokenEndpoint = {
    url: base,
    tokenRequests,
    issued,
    delayMs: 0,
    expiresInSeconds: 3599,
    trust() {
      agent.options.ca = [...(Array.isArray(before) ? before : before ? [before] : []), pem.cert];
    },
    async close() {
      agent.options.ca = before;
      await close();
    },
  };
  return endpoint;
}
