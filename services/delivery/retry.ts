// The retry policy of proactive delivery, pure: what a request's answer means for its message
// (sent, retried later, or finished without success) and when a retry is due. The sender
// (bot/delivery.ts) applies it; the store (store.ts) records it.

/** What became of one request. */
export type Outcome =
  | { kind: "sent"; activityId: string | undefined }
  | { kind: "retry"; status: number | undefined; reason: string; retryAfterMs?: number }
  | { kind: "final"; status: "blocked" | "dead" | "skipped"; reason: string };

/** HTTP answers worth another attempt (Teams' transient failures and throttling). */
export const RETRYABLE = new Set([412, 429, 500, 502, 503, 504]);

/**
 * Starts the reason of a send that got no answer after its body was written (timeout, reset): Teams
 * may have delivered it, so the retry is in doubt and checked in the chat first, as a takeover is.
 */
export const UNANSWERED = "no answer after the request was sent; ";

/** A failed request as the connector client reported it. */
export interface RequestFailure {
  /** HTTP status, when an answer came. */
  status?: number;
  /** Error code of the answer's body (`{"error":{"code":…}}`), e.g. ConversationBlockedByUser. */
  errorCode?: string;
  /** Network error code (ECONNRESET, ETIMEDOUT…) when no answer came. */
  networkCode?: string;
  message: string;
  /** Retry-After in ms, when the answer gave one. */
  retryAfterMs?: number;
}

/**
 * The outcome of a failed request. `kind` is the message's ("send" or "update"); `written` says
 * whether the request's body reached the socket (then a missing answer leaves the send in doubt).
 */
export function classifyFailure(f: RequestFailure, kind: string, written: boolean): Exclude<Outcome, { kind: "sent" }> {
  const status = f.status;
  const reason = `${status ?? f.networkCode ?? "network"}${f.errorCode ? ` ${f.errorCode}` : ""}: ${f.message}`.slice(0, 500);
  if (status === 403) return { kind: "final", status: "blocked", reason };
  if (status === 404 && kind === "update") return { kind: "final", status: "skipped", reason };
  if (status === 429) return { kind: "retry", status, reason, retryAfterMs: f.retryAfterMs ?? 1_000 };
  if (status === undefined && written && kind === "send") return { kind: "retry", status, reason: `${UNANSWERED}${reason}`.slice(0, 500) };
  if (status === undefined || RETRYABLE.has(status)) return { kind: "retry", status, reason };
  return { kind: "final", status: "dead", reason };
}

/** What to record for a message whose request did not succeed. */
export type Decision =
  | { action: "retry"; attempts: number; delayMs: number; reason: string }
  | { action: "final"; attempts: number; status: "blocked" | "dead" | "skipped"; reason: string };

/**
 * After `attemptsBefore` earlier attempts and this one: retry after a delay (Retry-After plus
 * 0–100 ms of jitter when the answer gave one, else exponential backoff with jitter), or give up
 * once `maxAttempts` are spent.
 */
export function decide(
  outcome: Exclude<Outcome, { kind: "sent" }>,
  attemptsBefore: number,
  maxAttempts: number,
  random: () => number = Math.random,
): Decision {
  const attempts = attemptsBefore + 1;
  if (outcome.kind === "final") return { action: "final", attempts, status: outcome.status, reason: outcome.reason };
  if (attempts >= maxAttempts)
    return {
      action: "final",
      attempts,
      status: "dead",
      reason: `gave up after ${attempts} attempts; last: ${outcome.reason}`.slice(0, 500),
    };
  const delayMs = outcome.retryAfterMs !== undefined ? outcome.retryAfterMs + Math.round(random() * 100) : backoffMs(attempts, { random });
  return { action: "retry", attempts, delayMs, reason: outcome.reason };
}

/**
 * A send is in doubt (it may already be in the chat) when it is taken over from an expired lease
 * (its owner may have died after Teams accepted it) or when its previous attempt got no answer
 * after the request was written. An update is never in doubt: redoing it is harmless.
 */
export function inDoubt(m: { kind: string; prevStatus: string; prevError: string | null }): boolean {
  return m.kind === "send" && (m.prevStatus === "sending" || (m.prevError?.startsWith(UNANSWERED) ?? false));
}

/** Exponential backoff with jitter: base·2^(attempt-1), capped, times a random factor in [0.5, 1.5). */
export function backoffMs(attempt: number, opts: { baseMs?: number; capMs?: number; random?: () => number } = {}): number {
  const base = opts.baseMs ?? 500;
  const cap = opts.capMs ?? 60_000;
  const r = (opts.random ?? Math.random)();
  return Math.round(Math.min(cap, base * 2 ** Math.max(0, attempt - 1)) * (0.5 + r));
}

/** Parses Retry-After (seconds or an HTTP date) into ms; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1_000);
  const d = Date.parse(value);
  return Number.isNaN(d) ? undefined : Math.max(0, d - now);
}
