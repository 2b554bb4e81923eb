// A variant for bench:actions (BENCH_VARIANT): counts the SQL statements each card action sends
// (every pg query, Prisma's included, BEGIN and COMMIT too) and writes the average per verb to
// BENCH_STATEMENTS_FILE (default /tmp/bench-statements.json) every 2 s. No change to the service.
import { AsyncLocalStorage } from "node:async_hooks";
import diagnostics from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import pg from "pg";

interface Turn {
  request: IncomingMessage;
  statements: string[];
}
const current = new AsyncLocalStorage<Turn>();
const byVerb = new Map<string, { requests: number; statements: number; kinds: Map<string, number> }>();

diagnostics.subscribe("http.server.request.start", (m) => {
  const { request } = m as { request: IncomingMessage };
  if (request.url === "/api/messages") current.enterWith({ request, statements: [] });
});
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string } | undefined;
  current.getStore()?.statements.push((typeof first === "string" ? first : (first?.text ?? "?")).replace(/\s+/g, " ").slice(0, 90));
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;
diagnostics.subscribe("http.server.response.finish", () => {
  const turn = current.getStore();
  if (!turn) return;
  const body = (turn.request as IncomingMessage & { body?: { value?: { action?: { verb?: string } } } }).body;
  const verb = body?.value?.action?.verb ?? "?";
  const tally = byVerb.get(verb) ?? { requests: 0, statements: 0, kinds: new Map<string, number>() };
  tally.requests++;
  tally.statements += turn.statements.length;
  for (const s of turn.statements) tally.kinds.set(s, (tally.kinds.get(s) ?? 0) + 1);
  byVerb.set(verb, tally);
});
setInterval(() => {
  const out = Object.fromEntries(
    [...byVerb].map(([verb, t]) => [
      verb,
      {
        requests: t.requests,
        perRequest: t.statements / t.requests,
        statements: Object.fromEntries([...t.kinds].map(([k, n]) => [k, Math.round((n / t.requests) * 100) / 100])),
      },
    ]),
  );
  writeFileSync(process.env.BENCH_STATEMENTS_FILE ?? "/tmp/bench-statements.json", JSON.stringify(out, null, 1));
}, 2000).unref();
