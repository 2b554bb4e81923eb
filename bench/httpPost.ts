// The virtual users' HTTP client (bench/actions.ts): one POST of a prepared JSON body on kept-alive
// connections, answered with the status and the whole body. node:http writes the body in one go;
// fetch (undici) streamed it through web streams and cost the generator about a millisecond of CPU
// per request, on the same two cores as the services it measures (docs/load.md).
import http from "node:http";

// Idle connections are dropped after 4 s, before Node's server closes them at 5 s (its
// keepAliveTimeout): reusing one the server is closing fails with ECONNRESET. fetch did this itself.
const agent = new http.Agent({ keepAlive: true, timeout: 4_000, maxSockets: Infinity });
const urls = new Map<string, URL>();

export function postJson(url: string, body: Buffer): Promise<{ status: number; text: string }> {
  const u = urls.get(url) ?? urls.set(url, new URL(url)).get(url)!;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
