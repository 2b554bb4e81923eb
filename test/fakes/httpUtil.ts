/**
 * Small helpers shared by the HTTP fakes (Bot Connector, Graph).
 * Only used by test/fakes/*; no dependency on the bot.
 */
import type { IncomingMessage, ServerResponse, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";

/** A request URL's path and query string (without "?"), both still URL-encoded. */
export function splitUrl(rawUrl: string): { rawPath: string; rawQuery: string } {
  const q = rawUrl.indexOf("?");
  return q >= 0 ? { rawPath: rawUrl.slice(0, q), rawQuery: rawUrl.slice(q + 1) } : { rawPath: rawUrl, rawQuery: "" };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { "Content-Type": "application/json; charset=utf-8" } : {}),
    "Content-Length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Splits a raw path ("/v3/conversations/a%3Aconv-1/activities") into decoded segments. */
export function pathSegments(rawPath: string): string[] {
  return rawPath
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Listens on 127.0.0.1:port (0 = ephemeral); tracks sockets so close() is immediate. */
export async function listen(server: Server, port = 0): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A token endpoint lookalike (`POST /{tenant}/oauth2/v2.0/token`) so clients configured with a local authority work. */
export function isTokenEndpoint(method: string, segs: string[]): boolean {
  return method === "POST" && segs.length === 4 && segs[1] === "oauth2" && segs[2] === "v2.0" && segs[3] === "token";
}

export function fakeTokenResponse(): Record<string, unknown> {
  return {
    token_type: "Bearer",
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: `fake-access-token-${Date.now()}`,
  };
}
