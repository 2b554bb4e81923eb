// Pacing under Teams' limits: sliding windows per conversation (7/1 s, 8/2 s, 60/30 s, 1,800/h) and a
// global ceiling per app per tenant (DELIVERY_GLOBAL_RPS). Pure and clock-injected, so it is unit
// tested without sleeping. The sender asks `tryAcquire` before each request; a request is only made
// when every window has room, so the connector never has to throttle us at normal load.

export interface RateWindow {
  limit: number;
  windowMs: number;
  /** Safety margin for this window (default: the limiter's margin). */
  marginMs?: number;
}

/** Teams' documented per-bot-per-conversation limits (send, update, delete all count). */
export const TEAMS_CONVERSATION_WINDOWS: readonly RateWindow[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

/**
 * Multi-window sliding log for one key. Stores the timestamps of the last `max(limit)` requests,
 * which is all any window needs to answer "how long until one more is allowed".
 */
export class SlidingWindows {
  private times: number[] = [];
  private readonly keep: number;

  constructor(
    readonly windows: readonly RateWindow[],
    /** Extra ms added to every window: covers the delay between our clock and the server's arrival time. */
    private readonly marginMs = 0,
    /** Margin as a fraction of each window, when larger than marginMs (arrival jitter grows with traffic). */
    private readonly marginFraction = 0,
  ) {
    this.keep = windows.reduce((m, w) => Math.max(m, w.limit), 0);
  }

  /** ms until one more request fits every window (0 = now). */
  waitMs(now: number): number {
    let wait = 0;
    const n = this.times.length;
    for (const w of this.windows) {
      if (n < w.limit) continue;
      // The request `limit` places back must have left the window.
      const t = this.times[n - w.limit]!;
      wait = Math.max(wait, t + w.windowMs + (w.marginMs ?? Math.max(this.marginMs, w.windowMs * this.marginFraction)) - now);
    }
    return wait > 0 ? Math.ceil(wait) : 0;
  }

  /**
   * Assumes `count` requests before `now` (see PacerOptions.startBusy), as densely as a sender with
   * this pacer could have made them: `burst` just now, the rest evenly over the `spreadMs` before.
   */
  prefill(count: number, spreadMs: number, now: number, burst = 0): void {
    const even = Math.max(0, count - burst);
    for (let i = 0; i < even; i++) this.times.push(now - spreadMs + Math.floor((i * spreadMs) / even));
    for (let i = even; i < count; i++) this.times.push(now);
  }

  /**
   * Adds requests recorded elsewhere (another instance's, read from the database) to this log; a
   * time already in it is the same request and is not counted twice.
   */
  merge(times: readonly number[]): void {
    const have = new Set(this.times);
    const add = times.filter((t) => !have.has(t));
    if (add.length === 0) return;
    const all = [...this.times, ...add].sort((a, b) => a - b);
    this.times = all.length > this.keep ? all.slice(all.length - this.keep) : all;
  }

  record(now: number): void {
    this.times.push(now);
    if (this.times.length > this.keep * 2 + 64) this.times = this.times.slice(this.times.length - this.keep);
  }

  /** Moves a recorded request from `from` to the later `to` (the newest entry at `from`), keeping order. */
  restamp(from: number, to: number): void {
    if (to <= from) return;
    const t = this.times;
    let i = t.lastIndexOf(from);
    if (i < 0) return;
    while (i + 1 < t.length && t[i + 1]! < to) {
      t[i] = t[i + 1]!;
      i++;
    }
    t[i] = to;
  }

  /** Newest recorded time (for eviction of idle keys). */
  get last(): number {
    return this.times.length ? this.times[this.times.length - 1]! : -Infinity;
  }

  get longestWindowMs(): number {
    return this.windows.reduce((m, w) => Math.max(m, w.windowMs), 0);
  }
}

export interface PacerOptions {
  /** Global requests per second per app per tenant. */
  globalRps: number;
  perConversation?: readonly RateWindow[];
  /** Safety margin added to each window (default 25 ms). */
  marginMs?: number;
  /**
   * Per-conversation windows: margin as a fraction of each window when larger than marginMs
   * (default 0.05: 50 ms on the 1 s window). A conversation sends a handful of messages, so the
   * fraction costs nothing there and absorbs arrival jitter.
   */
  marginFraction?: number;
  /**
   * Global one-second window: a fixed margin in ms (default 20). Requests reach the connector with
   * a jitter of a few to a few tens of ms; a fixed margin covers that without giving away a
   * fraction of the whole budget (5 % of the window, used before, capped a fan-out at 95 % of the
   * ceiling; 20 ms caps it at 98 %). Arrivals later than the margin draw a 429 and a short pause.
   */
  globalMarginMs?: number;
  /**
   * Start each tenant's global window as if the second before the first request had been spent at
   * the full rate (by an instance that just died, or another one): a replacement then continues
   * at the ceiling, evenly, instead of adding a second's budget to what its predecessor's last
   * second still holds at the server (measured: 9 limiter 429s at every hard-kill takeover). The
   * predecessor is assumed to have used the whole window as late as it could (at the bucket's rate,
   * its last burst at the very end): the first request waits ~70 ms (a 20th of a second plus the
   * margin), then the rate is the ceiling's.
   */
  startBusy?: boolean;
  /**
   * Whether this pacer keeps the tenant's ceiling itself (default true). False when the ceiling is
   * shared by every instance through the database (services/delivery/tenantPace.ts): the pacer
   * then keeps the per-conversation windows only.
   */
  global?: boolean;
}

/** Why a request may not go now, and for how long. */
export interface Verdict {
  ok: boolean;
  waitMs: number;
  /** Which limit is binding: lets the scheduler stop scanning when the global limit is the problem. */
  scope?: "global" | "conversation";
}

export class Pacer {
  private readonly global = new Map<string, SlidingWindows>();
  private readonly conversations = new Map<string, SlidingWindows>();
  private readonly pausedUntil = new Map<string, number>();
  private globalPausedUntil = 0;
  private readonly perConversation: readonly RateWindow[];
  private readonly globalWindows: readonly RateWindow[];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly globalRatePerMs: number;
  private readonly globalBurst: number;
  private readonly marginMs: number;
  private readonly marginFraction: number;
  private readonly startBusy: boolean;
  private readonly keepsGlobal: boolean;

  constructor(opts: PacerOptions) {
    this.startBusy = opts.startBusy ?? false;
    this.keepsGlobal = opts.global ?? true;
    this.marginFraction = opts.marginFraction ?? 0.05;
    this.perConversation = opts.perConversation ?? TEAMS_CONVERSATION_WINDOWS;
    this.marginMs = opts.marginMs ?? 25;
    // A per-second budget expressed as a sliding window of one second (+ margin), smoothed by a
    // token bucket refilled at the same rate holding a 20th of it, so the budget is spread over the
    // second instead of spent in one burst (a burst reaches the server spread out by its processing
    // time, and its tail would still be inside the server's window when the next second's burst
    // arrives). A bucket, not a 50 ms sliding window as before: a timer that fires 2 ms late loses
    // nothing (tokens accrue meanwhile), where each late 50 ms window cost 4 % of the rate.
    // Fractional rates become a longer window with a whole limit (e.g. 0.5 rps = 1 per 2 s).
    const rps = opts.globalRps;
    this.globalRatePerMs = rps / 1_000;
    this.globalBurst = Math.max(1, Math.ceil(rps / 20));
    this.globalWindows =
      rps >= 1
        ? [{ limit: Math.floor(rps), windowMs: 1_000, marginMs: opts.globalMarginMs ?? 20 }]
        : [{ limit: 1, windowMs: Math.ceil(1_000 / rps), marginMs: opts.globalMarginMs ?? 20 }];
  }

  private conv(key: string): SlidingWindows {
    let w = this.conversations.get(key);
    if (!w) {
      w = new SlidingWindows(this.perConversation, this.marginMs, this.marginFraction);
      this.conversations.set(key, w);
    }
    return w;
  }

  private tenant(key: string, now: number): SlidingWindows {
    let w = this.global.get(key);
    if (!w) {
      w = new SlidingWindows(this.globalWindows, this.marginMs, this.marginFraction);
      if (this.startBusy)
        for (const gw of this.globalWindows) {
          const burst = Math.min(gw.limit, this.globalBurst);
          // The densest second a predecessor could have had: its bucket's rate, then a full bucket at the end.
          w.prefill(gw.limit, Math.min(gw.windowMs, (gw.limit - burst) / this.globalRatePerMs), now, burst);
        }
      this.global.set(key, w);
    }
    return w;
  }

  private bucket(key: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.startBusy ? 0 : this.globalBurst, at: now };
      this.buckets.set(key, b);
    }
    if (now > b.at) {
      b.tokens = Math.min(this.globalBurst, b.tokens + (now - b.at) * this.globalRatePerMs);
      b.at = now;
    }
    return b;
  }

  check(tenant: string, conversation: string, now: number): Verdict {
    const b = this.keepsGlobal ? this.bucket(tenant, now) : undefined;
    const smoothing = !b || b.tokens >= 1 ? 0 : (1 - b.tokens) / this.globalRatePerMs;
    const g = Math.max(b ? this.tenant(tenant, now).waitMs(now) : 0, this.globalPausedUntil - now, smoothing);
    if (g > 0) return { ok: false, waitMs: Math.ceil(g), scope: "global" };
    const c = Math.max(this.conv(conversation).waitMs(now), (this.pausedUntil.get(conversation) ?? 0) - now);
    if (c > 0) return { ok: false, waitMs: Math.ceil(c), scope: "conversation" };
    return { ok: true, waitMs: 0 };
  }

  /** Takes one request slot under both limits if available now. */
  tryAcquire(tenant: string, conversation: string, now: number): Verdict {
    const v = this.check(tenant, conversation, now);
    if (!v.ok) return v;
    if (this.keepsGlobal) {
      this.tenant(tenant, now).record(now);
      this.bucket(tenant, now).tokens -= 1;
    }
    this.conv(conversation).record(now);
    return v;
  }

  /**
   * A request acquired at `acquiredAt` actually left at `leftAt`: its windows count it then (they
   * must hold at the server, which counts arrivals).
   */
  restamp(tenant: string, conversation: string, acquiredAt: number, leftAt: number): void {
    this.global.get(tenant)?.restamp(acquiredAt, leftAt);
    this.conversations.get(conversation)?.restamp(acquiredAt, leftAt);
  }

  /** Requests made to a conversation by any instance (ms since the epoch): its windows count them. */
  merge(conversation: string, times: readonly number[]): void {
    this.conv(conversation).merge(times);
  }

  /** A 429 with Retry-After on a conversation: nothing more goes to it until then. */
  pauseConversation(conversation: string, untilMs: number): void {
    this.pausedUntil.set(conversation, Math.max(untilMs, this.pausedUntil.get(conversation) ?? 0));
  }

  /** A 429 that is not about one conversation: everything waits briefly. */
  pauseGlobal(untilMs: number): void {
    this.globalPausedUntil = Math.max(this.globalPausedUntil, untilMs);
  }

  isGloballyPaused(now: number): boolean {
    return this.globalPausedUntil > now;
  }

  /** Forgets conversations idle for longer than their longest window (memory stays bounded). */
  evictIdle(now: number): void {
    for (const [k, w] of this.conversations) if (now - w.last > w.longestWindowMs) this.conversations.delete(k);
    for (const [k, until] of this.pausedUntil) if (until < now) this.pausedUntil.delete(k);
  }

  get trackedConversations(): number {
    return this.conversations.size;
  }
}

// The retry policy's helpers, also exported here for the pacer's callers.
export { backoffMs, parseRetryAfter } from "./retry";

/**
 * How many requests may be on the wire at once: what the rate needs and no more. By Little's law a
 * sender at `rps` with round trips of R seconds has rps × R requests out on average; the window is
 * that, a quarter more and one spare (round trips vary), between 1 and `max`. R is a smoothed mean of
 * the round trips answered so far (as TCP's SRTT: each new one weighs 1/8), starting at `initialRttMs`.
 * Every request on the wire is one a crash could leave in doubt (and, without Graph, send twice):
 * a fixed cap of 32 let a burst put 32 out where the rate needed 5.
 */
export class InFlightWindow {
  private srttMs: number;

  constructor(
    private readonly rps: number,
    private readonly max: number,
    initialRttMs = 100,
  ) {
    this.srttMs = initialRttMs;
  }

  /** A request's answer arrived `rttMs` after its body was written. */
  observe(rttMs: number): void {
    this.srttMs += (Math.max(0, rttMs) - this.srttMs) / 8;
  }

  get rttMs(): number {
    return this.srttMs;
  }

  get limit(): number {
    return Math.max(1, Math.min(this.max, Math.ceil((this.rps * this.srttMs * 1.25) / 1_000) + 1));
  }
}
