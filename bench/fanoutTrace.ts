// What bench/fanout.ts prints about the connector's own 429s (its limiter's, not injected ones):
// which limit refused each one, the requests that filled that window (when, on which connection,
// to which conversation), and how close every run of `ceiling + 1` requests came to one second.
import { PerformanceObserver } from "node:perf_hooks";
import type { RequestLogEntry } from "../test/fakes/botConnector";

interface Counted {
  at: number;
  port: number | undefined;
  conversation: string | undefined;
}

/** Spans of `ceiling + 1` consecutive counted requests: the fewest ms, and how many were under 1 s + x. */
function spans(counted: Counted[], ceiling: number): Record<string, number> {
  const out: Record<string, number> = { minMs: Infinity, under1000: 0, under1005: 0, under1010: 0, under1015: 0 };
  for (let i = 0; i + ceiling < counted.length; i++) {
    const span = counted[i + ceiling]!.at - counted[i]!.at;
    out.minMs = Math.min(out.minMs!, span);
    for (const x of [0, 5, 10, 15]) if (span < 1_000 + x) out[`under${1_000 + x}`]!++;
  }
  return out;
}

/**
 * Stalls of this process's event loop (where the fake connector counts arrivals) longer than 5 ms:
 * requests that arrive during one are counted at its end, closer to the next second's.
 */
export function watchStalls(): { stalls: Stall[]; gcPauses: Stall[]; stop(): void } {
  const stalls: Stall[] = [];
  const gcPauses: Stall[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 2 > 5) stalls.push({ at: performance.timeOrigin + last, ms: now - last - 2 });
    last = now;
  }, 2);
  // Garbage collections over 5 ms: a stall that holds one is this process's own, not the machine's.
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > 5) gcPauses.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
  });
  gc.observe({ entryTypes: ["gc"] });
  return {
    stalls,
    gcPauses,
    stop: () => {
      clearInterval(timer);
      gc.disconnect();
    },
  };
}

interface Stall {
  at: number;
  ms: number;
}

export function traceThrottles(
  requests: readonly RequestLogEntry[],
  ceiling: number,
  t0: number,
  stalls: readonly Stall[] = [],
  gcPauses: readonly Stall[] = [],
): unknown {
  const counted: Counted[] = requests
    .filter((r) => r.limitedAt !== undefined && r.outcome !== "throttled")
    .map((r) => ({ at: r.limitedAt!, port: r.remotePort, conversation: r.conversationId }))
    .sort((a, b) => a.at - b.at);
  const rel = (t: number) => +((t - t0) / 1000).toFixed(3);
  const throttles = requests
    .filter((r) => r.outcome === "throttled")
    .map((r) => {
      const at = r.limitedAt!;
      const inWindow = counted.filter((c) => c.at > at - 1_000 && c.at <= at);
      const sameConversation = counted.filter((c) => c.conversation === r.conversationId && c.at > at - 30_000 && c.at <= at);
      const byPort: Record<string, number> = {};
      for (const c of inWindow) byPort[String(c.port)] = (byPort[String(c.port)] ?? 0) + 1;
      return {
        atSeconds: rel(at),
        conversation: r.conversationId,
        port: r.remotePort,
        limit: inWindow.length >= ceiling ? "tenant" : "conversation",
        countedInLastSecond: inWindow.length,
        windowByPort: byPort,
        // The oldest requests of the window (the ones that had to leave it) and the newest.
        oldest: inWindow.slice(0, 3).map((c) => ({ msBefore: at - c.at, port: c.port })),
        newest: inWindow.slice(-3).map((c) => ({ msBefore: at - c.at, port: c.port })),
        sameConversationMsBefore: sameConversation.map((c) => at - c.at),
        // Stalls of the connector's loop while the oldest of the window arrived (ms before the 429).
        stallsNearOldest: stalls
          .filter((x) => x.at + x.ms > at - 1_000 - 50 && x.at < at - 1_000 + 100)
          .map((x) => ({ msBefore: Math.round(at - x.at), ms: Math.round(x.ms) })),
      };
    });
  const stallSummary = {
    over5: stalls.length,
    over10: stalls.filter((x) => x.ms > 10).length,
    maxMs: Math.round(Math.max(0, ...stalls.map((x) => x.ms))),
    withGc: stalls.filter((x) => gcPauses.some((g) => g.at < x.at + x.ms && g.at + g.ms > x.at)).length,
    gcOver5: gcPauses.length,
    gcMaxMs: Math.round(Math.max(0, ...gcPauses.map((g) => g.ms))),
  };
  return { spansOfCeilingPlusOne: spans(counted, ceiling), connectorLoopStalls: stallSummary, throttles };
}
