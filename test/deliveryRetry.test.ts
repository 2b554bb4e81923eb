// The retry policy of proactive delivery, pure: what an answer of the Bot Connector means for the
// message, and when its retry is due.
import { describe, expect, it } from "vitest";
import { UNANSWERED, classifyFailure, decide, inDoubt } from "../services/delivery/retry";

describe("what a failed request means", () => {
  it("403 is final (blocked), 404 on an update skips it, another 4xx gives up", () => {
    expect(classifyFailure({ status: 403, errorCode: "ConversationBlockedByUser", message: "blocked" }, "send", true)).toEqual({
      kind: "final",
      status: "blocked",
      reason: "403 ConversationBlockedByUser: blocked",
    });
    expect(classifyFailure({ status: 404, message: "gone" }, "update", true)).toMatchObject({ kind: "final", status: "skipped" });
    expect(classifyFailure({ status: 404, message: "gone" }, "send", true)).toMatchObject({ kind: "final", status: "dead" });
    expect(classifyFailure({ status: 400, message: "bad" }, "send", true)).toMatchObject({ kind: "final", status: "dead" });
  });

  it("429 waits for Retry-After (1 s when absent); 412 and 5xx are retried", () => {
    expect(classifyFailure({ status: 429, message: "slow down", retryAfterMs: 2_000 }, "send", true)).toMatchObject({
      kind: "retry",
      retryAfterMs: 2_000,
    });
    expect(classifyFailure({ status: 429, message: "slow down" }, "send", true)).toMatchObject({ retryAfterMs: 1_000 });
    for (const status of [412, 500, 502, 503, 504]) expect(classifyFailure({ status, message: "x" }, "send", true).kind).toBe("retry");
  });

  it("no answer after the body was written leaves a send in doubt; before it was written, a plain retry", () => {
    const written = classifyFailure({ networkCode: "ECONNRESET", message: "socket hang up" }, "send", true);
    expect(written.reason.startsWith(UNANSWERED)).toBe(true);
    expect(inDoubt({ kind: "send", prevStatus: "pending", prevError: written.reason })).toBe(true);
    const notWritten = classifyFailure({ networkCode: "ECONNREFUSED", message: "refused" }, "send", false);
    expect(notWritten).toEqual({ kind: "retry", status: undefined, reason: "ECONNREFUSED: refused" });
    expect(inDoubt({ kind: "send", prevStatus: "pending", prevError: notWritten.reason })).toBe(false);
    // An update redone is harmless: never in doubt. A takeover of a send always is.
    expect(inDoubt({ kind: "update", prevStatus: "sending", prevError: written.reason })).toBe(false);
    expect(inDoubt({ kind: "send", prevStatus: "sending", prevError: null })).toBe(true);
  });
});

describe("when a retry is due", () => {
  const retry = { kind: "retry" as const, status: 503, reason: "503: down" };
  it("backs off exponentially with jitter, and gives up after the last attempt with the reason", () => {
    expect(decide(retry, 0, 8, () => 0.5)).toEqual({ action: "retry", attempts: 1, delayMs: 500, reason: "503: down" });
    expect(decide(retry, 3, 8, () => 0.5)).toMatchObject({ delayMs: 4_000 });
    expect(decide(retry, 3, 8, () => 0)).toMatchObject({ delayMs: 2_000 });
    expect(decide(retry, 7, 8, () => 0.5)).toEqual({
      action: "final",
      attempts: 8,
      status: "dead",
      reason: "gave up after 8 attempts; last: 503: down",
    });
  });

  it("a Retry-After is honoured, plus at most 100 ms so throttled requests do not return together", () => {
    const throttled = { kind: "retry" as const, status: 429, reason: "429", retryAfterMs: 2_000 };
    expect(decide(throttled, 0, 8, () => 0)).toMatchObject({ delayMs: 2_000 });
    expect(decide(throttled, 0, 8, () => 0.999)).toMatchObject({ delayMs: 2_100 });
  });

  it("a final outcome is recorded at once, counting this attempt", () => {
    expect(decide({ kind: "final", status: "blocked", reason: "403" }, 2, 8)).toEqual({
      action: "final",
      attempts: 3,
      status: "blocked",
      reason: "403",
    });
  });
});
