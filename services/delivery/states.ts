// The life of an outbox message (docs/delivery.md, "Life of a message"). The sender writes every
// status in single SQL statements (services/delivery/store.ts), so each statement takes its target
// and its guard from a step here (`step`, `statusGuardSql`).
import { defineMachine } from "../stateMachine";

export const outboxMachine = defineMachine({
  entity: "outbox",
  table: "OutboxMessage",
  statuses: ["pending", "waiting", "sending", "sent", "dead", "blocked", "skipped"],
  initial: "pending",
  steps: {
    /** Claimed under a lease: due, head of line, reachable; or an expired lease taken over. */
    claim: { from: ["pending", "waiting", "sending"], to: "sending" },
    /** No conversation reference and no Graph: waits, visibly, until the person opens Assure. */
    holdUnreachable: { from: ["pending", "sending"], to: "waiting" },
    /** Handed back unsent (a graceful stop, a Graph error): due again at once. */
    release: { from: ["sending"], to: "pending" },
    /** A retryable failure: due again after the retry policy's delay. */
    retry: { from: ["sending"], to: "pending" },
    /** The connector answered 2xx (or an in-doubt send was found in the chat). */
    deliver: { from: ["sending"], to: "sent" },
    /** Too many retryable failures, or a non-retryable 4xx. */
    giveUp: { from: ["sending"], to: "dead" },
    /** 403: blocked by the user or the bot disabled by an admin; never retried. */
    block: { from: ["sending"], to: "blocked" },
    /** An update whose card was never delivered (or 404 on update). */
    skip: { from: ["sending"], to: "skipped" },
  },
});

export type OutboxStatus = (typeof outboxMachine.statuses)[number];
export type OutboxAction = keyof typeof outboxMachine.steps;

/** Statuses from which a message will not move again. */
export const FINAL_STATUSES: readonly OutboxStatus[] = ["sent", "dead", "blocked", "skipped"];
/** Statuses of a message still to deliver (claimable now or later, or claimed). */
export const OPEN_STATUSES: readonly OutboxStatus[] = ["pending", "waiting", "sending"];
