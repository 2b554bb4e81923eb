// The pacer alone, on a simulated clock: a greedy sender asking every millisecond never exceeds
// any of Teams' windows, gets the full budget, and honours pauses.
import { describe, expect, it } from "vitest";
import { InFlightWindow, Pacer, SlidingWindows, TEAMS_CONVERSATION_WINDOWS, backoffMs, parseRetryAfter } from "../services/delivery/pacer";

function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe("pacer", () => {
  it("keeps one conversation under 7/1 s, 8/2 s, 60/30 s and 1,800/h", () => {
    const p = new Pacer({ globalRps: 1000, marginMs: 0 });
    const sent: number[] = [];
    for (let t = 0; t < 2 * 3_600_000; t += 5) if (p.tryAcquire("t", "c", t).ok) sent.push(t);
    for (const w of TEAMS_CONVERSATION_WINDOWS) expect(maxInWindow(sent, w.windowMs)).toBeLessThanOrEqual(w.limit);
    // ...and uses the hourly budget fully.
    expect(sent.filter((t) => t < 3_600_000).length).toBe(1_800);
  });

  it("spreads the global budget over the second and never exceeds it, across many conversations", () => {
    const p = new Pacer({ globalRps: 500, marginMs: 10 });
    const sent: number[] = [];
    let c = 0;
    for (let t = 0; t < 10_000; t++) {
      for (;;) {
        const v = p.tryAcquire("tenant", `conv-${c % 5000}`, t);
        if (!v.ok) {
          expect(v.scope).toBe("global");
          break;
        }
        sent.push(t);
        c++;
      }
    }
    expect(maxInWindow(sent, 1_000)).toBeLessThanOrEqual(500);
    // Spread: in any 50 ms at most the 50 ms share (25) plus the bucket's burst (25).
    expect(maxInWindow(sent, 50)).toBeLessThanOrEqual(50);
    expect(maxInWindow(sent, 200)).toBeLessThanOrEqual(125);
    // Close to the ceiling: the 20 ms global margin leaves at least 97 % of 500/s over 10 s.
    expect(sent.length / 10).toBeGreaterThanOrEqual(485);
  });

  it("a replacement that starts busy continues its dead predecessor's second without exceeding the ceiling", () => {
    const greedy = (p: Pacer, from: number, to: number, sent: number[]): void => {
      let c = 0;
      for (let t = from; t < to; t++)
        while (p.tryAcquire("tenant", `conv-${from}-${c}`, t).ok) {
          sent.push(t);
          c++;
        }
    };
    for (const startBusy of [false, true]) {
      const sent: number[] = [];
      greedy(new Pacer({ globalRps: 200 }), 0, 5_000, sent); // dies at 5 s, mid-second
      greedy(new Pacer({ globalRps: 200, startBusy }), 5_001, 8_000, sent); // takes over at once
      if (startBusy) {
        expect(maxInWindow(sent, 1_000)).toBeLessThanOrEqual(200);
        // ...and loses less than a tenth of a second: 196/s (200 per 1,020 ms) over 2.9 of the 3 s.
        expect(sent.filter((t) => t > 5_000).length).toBeGreaterThanOrEqual(Math.floor(196 * 2.9));
      } else expect(maxInWindow(sent, 1_000)).toBeGreaterThan(200); // a fresh pacer spends a whole second again
    }
  });

  it("keeps tenants apart and reports how long to wait", () => {
    const p = new Pacer({ globalRps: 2, marginMs: 0, marginFraction: 0, globalMarginMs: 0 });
    expect(p.tryAcquire("a", "x", 0).ok).toBe(true);
    expect(p.tryAcquire("a", "y", 0)).toEqual({ ok: false, waitMs: 500, scope: "global" }); // smoothing
    expect(p.tryAcquire("a", "y", 500).ok).toBe(true);
    expect(p.tryAcquire("a", "z", 600)).toEqual({ ok: false, waitMs: 400, scope: "global" });
    expect(p.tryAcquire("b", "z", 600).ok).toBe(true);
  });

  it("pauses one conversation for Retry-After, and everything on a global pause", () => {
    const p = new Pacer({ globalRps: 50 });
    p.pauseConversation("c1", 2_000);
    expect(p.tryAcquire("t", "c1", 100)).toMatchObject({ ok: false, waitMs: 1_900, scope: "conversation" });
    expect(p.tryAcquire("t", "c2", 100).ok).toBe(true);
    expect(p.tryAcquire("t", "c1", 2_000).ok).toBe(true);
    p.pauseGlobal(3_000);
    expect(p.tryAcquire("t", "c3", 2_500)).toMatchObject({ ok: false, waitMs: 500, scope: "global" });
    expect(p.tryAcquire("t", "c3", 3_000).ok).toBe(true);
  });

  it("forgets idle conversations", () => {
    const p = new Pacer({ globalRps: 50 });
    p.tryAcquire("t", "c1", 0);
    p.evictIdle(3_600_001 + 25);
    expect(p.trackedConversations).toBe(0);
  });

  it("a request restamped with the time it left is counted from then", () => {
    const p = new Pacer({ globalRps: 1, marginMs: 0, marginFraction: 0, globalMarginMs: 0 });
    expect(p.tryAcquire("t", "c1", 0).ok).toBe(true);
    p.restamp("t", "c1", 0, 40); // the client took 40 ms to put it on the wire
    expect(p.tryAcquire("t", "c2", 1_000)).toMatchObject({ ok: false, waitMs: 40, scope: "global" });
    expect(p.tryAcquire("t", "c2", 1_040).ok).toBe(true);
    const w = new SlidingWindows([{ limit: 3, windowMs: 1_000 }]);
    for (const t of [0, 10, 20]) w.record(t);
    w.restamp(0, 15); // kept in order: 10, 15, 20
    expect(w.waitMs(1_005)).toBe(5);
  });

  it("a sliding window adds its margin", () => {
    const w = new SlidingWindows([{ limit: 1, windowMs: 1_000 }], 25);
    w.record(0);
    expect(w.waitMs(0)).toBe(1_025);
    const proportional = new SlidingWindows([{ limit: 1, windowMs: 1_000 }], 25, 0.05);
    proportional.record(0);
    expect(proportional.waitMs(0)).toBe(1_050);
  });

  it("backs off exponentially with jitter, capped, and reads Retry-After", () => {
    expect(backoffMs(1, { random: () => 0.5 })).toBe(500);
    expect(backoffMs(4, { random: () => 0.5 })).toBe(4_000);
    expect(backoffMs(20, { random: () => 0.5 })).toBe(60_000);
    expect(backoffMs(3, { random: () => 0 })).toBe(1_000);
    expect(backoffMs(3, { random: () => 0.999 })).toBeLessThan(3_000);
    expect(parseRetryAfter("2", 0)).toBe(2_000);
    expect(parseRetryAfter(new Date(5_000).toUTCString(), 0)).toBe(5_000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });

  it("allows on the wire what the rate needs for the round trips seen (rate × RTT), not a fixed 32", () => {
    const w = new InFlightWindow(50, 32);
    expect(w.limit).toBe(8); // 50/s × 100 ms (the starting guess) × 1.25, + 1
    for (let i = 0; i < 40; i++) w.observe(150);
    expect(w.rttMs).toBeCloseTo(150, 0);
    expect(w.limit).toBe(11); // 50/s × 150 ms × 1.25, + 1
    for (let i = 0; i < 40; i++) w.observe(20);
    expect(w.limit).toBe(3);
    for (let i = 0; i < 60; i++) w.observe(2_000);
    expect(w.limit).toBe(32); // never more than DELIVERY_MAX_IN_FLIGHT
    expect(new InFlightWindow(0.1, 32, 50).limit).toBe(2);
  });
});
