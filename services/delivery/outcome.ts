// Recording what became of one request: the retry policy's decision (retry.ts) written by the store
// (store.ts), only while the lease is this instance's.
import type { Logger } from "../logger";
import { decide, type Outcome } from "./retry";
import type { OutboxStore, SentRecorder } from "./store";

export interface Recorded {
  /** False when the lease had passed to another instance: nothing was written. */
  stored: boolean;
  /** Which counter the outcome adds to. */
  counted: "sent" | "retried" | "dead" | "blocked" | "skipped";
  /** For a retry: when it is due, in ms from now. */
  retryInMs?: number;
}

/** The counter an outcome adds to, known before it is recorded (a send Teams accepted counts even if recording it fails). */
export function counterOf(outcome: Outcome, attemptsBefore: number, maxAttempts: number): Recorded["counted"] {
  if (outcome.kind === "sent") return "sent";
  if (outcome.kind === "final") return outcome.status;
  return attemptsBefore + 1 >= maxAttempts ? "dead" : "retried";
}

export async function recordOutcome(
  store: OutboxStore,
  recorder: SentRecorder,
  m: { id: string; attempts: number; conversationId: string },
  outcome: Outcome,
  o: { maxAttempts: number; now: Date; requestAt: number | null; log: Logger },
): Promise<Recorded> {
  if (outcome.kind === "sent") {
    const n = await recorder.record({
      id: m.id,
      attempts: m.attempts + 1,
      activityId: outcome.activityId ?? null,
      conversationId: m.conversationId || null,
      requestAt: o.requestAt,
    });
    return { stored: n > 0, counted: "sent" };
  }
  const d = decide(outcome, m.attempts, o.maxAttempts);
  if (d.action === "retry") {
    o.log.info({ outboxId: m.id, attempts: d.attempts, status: outcome.status, retryInMs: d.delayMs }, "delivery will be retried");
    const next = new Date(o.now.getTime() + d.delayMs);
    const n = await store.recordRetry(m.id, { attempts: d.attempts, next, reason: d.reason, requestAt: o.requestAt });
    return { stored: n > 0, counted: "retried", retryInMs: d.delayMs };
  }
  o.log.warn({ outboxId: m.id, attempts: d.attempts, status: d.status, reason: d.reason }, "delivery finished without success");
  const n = await store.recordFinal(m.id, { status: d.status, attempts: d.attempts, reason: d.reason, requestAt: o.requestAt });
  return { stored: n > 0, counted: d.status };
}

/**
 * 429s across conversations: at least 5 in the last second and a tenth of the last second's
 * requests mean the limit hit is the app's, not one conversation's, so everything pauses briefly.
 */
export class ThrottleWatch {
  private recent429: number[] = [];
  private recentRequests: number[] = [];

  request(now: number): void {
    this.recentRequests.push(now);
    if (this.recentRequests.length > 4_096) this.recentRequests = this.recentRequests.slice(-2_048);
  }

  /** A 429 at `now`: true when everything should pause. */
  throttled(now: number): boolean {
    this.recent429 = this.recent429.filter((t) => t > now - 1_000);
    this.recent429.push(now);
    this.recentRequests = this.recentRequests.filter((t) => t > now - 1_000);
    return this.recent429.length >= 5 && this.recent429.length * 10 >= this.recentRequests.length;
  }
}
