// The life of an outbox message (docs/delivery.md, "Life of a message"). The sender writes every
// status in single SQL statements (services/delivery/store.ts), so each statement takes its target
// and its guard from a step here (`step`, `statusGuardSql`).
import { defineMachine } from "../stateMachine";

export const outboxMachine = defineMachine(
  "outbox",
  ["pending", "waiting", "sending", "sent", "dead", "blocked", "skipped"],
  {
    /** Claimed under a lease: due, head of line, reachable; or an expired lease taken over. */
    claim: "pending | waiting | sending -> sending",
    /** No conversation reference and no Graph: waits, visibly, until the person opens Assure. */
    holdUnreachable: "pending | sending -> waiting",
    /** Handed back unsent (a graceful stop, a Graph error): due again at once. */
    release: "sending -> pending",
    /** A retryable failure: due again after the retry policy's delay. */
    retry: "sending -> pending",
    /** The connector answered 2xx (or an in-doubt send was found in the chat). */
    deliver: "sending -> sent",
    /** Too many retryable failures, or a non-retryable 4xx. */
    giveUp: "sending -> dead",
    /** 403: blocked by the user or the bot disabled by an admin; never retried. */
    block: "sending -> blocked",
    /** An update whose card was never delivered (or 404 on update). */
    skip: "sending -> skipped",
  },
  { table: "OutboxMessage" },
);

export type OutboxStatus = (typeof outboxMachine.statuses)[number];
export type OutboxAction = keyof typeof outboxMachine.steps;
