// Child process of bench/actions.ts with BENCH_INSTANCES > 1: a small round-robin HTTP proxy in
// front of the service instances (BENCH_UPSTREAMS, comma-separated base URLs), as a load balancer
// would be: each request goes to the next instance in turn, so one person's card actions land on
// every instance. Keeps connections open to each instance.
// IPC: sends {type:"ready", url}; answers {type:"cpu"} with its CPU time so far (µs); exits on {type:"stop"}.
import http from "node:http";
import type { AddressInfo } from "node:net";

const upstreams = (process.env.BENCH_UPSTREAMS ?? "")
  .split(",")
  .filter(Boolean)
  .map((u) => new URL(u));
if (!upstreams.length) throw new Error("BENCH_UPSTREAMS names no instance");
// Idle connections dropped before the services' 5 s keep-alive timeout closes them (no ECONNRESET on reuse).
const agent = new http.Agent({ keepAlive: true, timeout: 4_000, maxSockets: 256 });
let next = 0;

/**
 * Sends one buffered request to an instance. A connection reset before any answer (mostly a
 * kept-alive connection the instance had just closed) is retried once: a card action is safe to
 * repeat (a double click records once).
 */
function forward(to: URL, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, retried = false): void {
  // The retry takes a new connection: the pool may hold more that the instance has closed.
  const out = http.request(
    { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent: retried ? false : agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  out.on("error", (err: NodeJS.ErrnoException) => {
    if ((err.code === "ECONNRESET" || err.code === "EPIPE") && !retried && !res.headersSent) return forward(to, req, body, res, true);
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`proxy: ${err.code ?? ""} ${err.message}`);
  });
  out.end(body);
}

const server = http.createServer((req, res) => {
  const to = upstreams[next++ % upstreams.length]!;
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => forward(to, req, Buffer.concat(chunks), res));
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "ready", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on("message", (m: { type?: string }) => {
  if (m?.type === "cpu") {
    const c = process.cpuUsage();
    process.send?.({ type: "cpu", micros: c.user + c.system });
  }
  if (m?.type === "stop") {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
process.on("disconnect", () => process.exit(0));
