// The outbox sender's Graph work: reaching someone who never opened Assure (install it for them,
// find the chat, store the reference) and settling a send in doubt (look for it in the chat before
// sending it again). Both hold their row (its lease renewed) while they run, at most
// graphConcurrency Graph calls at once.
import type { ConversationReference } from "botbuilder";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { AppContext } from "../services/context";
import { NOT_REACHABLE, type ClaimedRow, type OutboxStore, type SentRecorder } from "../services/delivery/store";
import { installForUser, type MemberLookup } from "../services/graph/install";
import { findSentCard } from "../services/graph/chats";
import type { Held, SenderStats } from "./senderTypes";

export interface ReachOptions {
  graph?: GraphClient;
  graphConcurrency?: number;
  inDoubtSkewMs?: number;
  /** The Teams user id of a chat's member, from the Bot Connector (see installForUser). */
  member: MemberLookup;
  /** Puts a row in the send queue as it is. */
  queue(h: Held): void;
  /** Queues a row, checking it first if it is in doubt. */
  enqueue(h: Held): void;
  /** Wakes the sender's loop. */
  poke(): void;
}

export class GraphReach {
  /** Rows being reached through Graph (installing Assure for the recipient). */
  private readonly reaching = new Map<string, Promise<void>>();
  /** In-doubt sends being checked in the recipient's chat. */
  private readonly checking = new Map<string, Promise<void>>();
  private graphBusy = 0;

  constructor(
    private readonly app: AppContext,
    private readonly store: OutboxStore,
    private readonly recorder: SentRecorder,
    private readonly stats: SenderStats,
    private readonly opts: ReachOptions,
  ) {}

  get busy(): boolean {
    return this.reaching.size > 0 || this.checking.size > 0;
  }

  pending(): Promise<void>[] {
    return [...this.checking.values(), ...this.reaching.values()];
  }

  heldIds(): string[] {
    return [...this.checking.keys(), ...this.reaching.keys()];
  }

  async settled(): Promise<void> {
    await Promise.allSettled(this.pending());
  }

  /** Runs a Graph call when fewer than graphConcurrency are under way. */
  private async withGraph<T>(fn: () => Promise<T>): Promise<T> {
    while (this.graphBusy >= (this.opts.graphConcurrency ?? 4)) await new Promise((r) => setTimeout(r, 20));
    this.graphBusy++;
    try {
      return await fn();
    } finally {
      this.graphBusy--;
    }
  }

  /** Checks an in-doubt send in the chat, then records it as sent or queues it. */
  settle(h: Held): void {
    this.stats.inDoubt++;
    const p = this.settleInDoubt(h)
      .catch((err: unknown) => {
        // Recording the found message failed: the row stays ours, unsent; its lease expires and it
        // is checked again by whoever takes it.
        this.app.log.error({ err, outboxId: h.id }, "recording an in-doubt send found in the chat failed");
      })
      .finally(() => {
        this.checking.delete(h.id);
        this.opts.poke();
      });
    this.checking.set(h.id, p);
  }

  /**
   * With Graph, looks in the recipient's chat for a bot message carrying this row's marker, created
   * after the previous attempt started. Found: recorded as sent with that message id, nothing sent.
   * Absent: sent. Cannot tell (no Graph, plain text has no marker, the lookup failed): sent again,
   * counted and logged.
   */
  private async settleInDoubt(h: Held): Promise<void> {
    let reason: string;
    const graph = this.opts.graph;
    if (!graph) reason = "Graph is not configured";
    else if (!h.payload.template) reason = "a plain-text message carries no marker";
    else {
      const skew = this.opts.inDoubtSkewMs ?? 120_000;
      const since = h.prevAttemptAt ? new Date(h.prevAttemptAt.getTime() - skew) : undefined;
      const found = await this.withGraph(() =>
        findSentCard(this.app, graph, { recipientId: h.recipientId, conversationId: h.conversationId, outboxId: h.id, since }),
      );
      if (found.status === "found") {
        this.stats.reconciled++;
        this.app.log.info({ outboxId: h.id, activityId: found.messageId }, "in-doubt send found in the chat: recorded, not sent again");
        const n = await this.recorder.record({
          id: h.id,
          attempts: h.attempts + 1,
          activityId: found.messageId,
          conversationId: h.conversationId,
          requestAt: null,
        });
        if (n === 0) this.stats.lostLease++;
        return;
      }
      if (found.status === "absent") {
        this.opts.queue(h);
        return;
      }
      reason = found.reason;
    }
    this.stats.resentInDoubt++;
    this.app.log.warn({ outboxId: h.id, previousOwner: h.prevOwner, reason }, "in-doubt send sent again unchecked (at-least-once)");
    this.opts.queue(h);
  }

  /** Installs Assure for someone through Graph, then queues their message. */
  reach(row: ClaimedRow): void {
    const p = this.install(row).finally(() => {
      this.reaching.delete(row.id);
      this.opts.poke();
    });
    this.reaching.set(row.id, p);
  }

  private async install(row: ClaimedRow): Promise<void> {
    try {
      const result = await this.withGraph(() => installForUser(this.app, this.opts.graph!, row.recipientId, this.opts.member));
      if (!result.ok) {
        this.stats.waiting++;
        // Try Graph again later; the message stays visible as waiting meanwhile.
        await this.store.waitForGraph(row.id, result.reason, new Date(this.app.clock.now().getTime() + 5 * 60_000));
        return;
      }
      const ref = await this.store.reference(row.recipientId);
      if (!ref) {
        this.stats.waiting++;
        await this.store.release(row.id, "waiting", NOT_REACHABLE);
        return;
      }
      this.opts.enqueue({
        ...row,
        conversationId: ref.conversationId,
        serviceUrl: ref.serviceUrl,
        tenant: ref.tenantId ?? "default",
        reference: ref.reference as Partial<ConversationReference>,
      });
    } catch (err) {
      this.app.log.error({ err, outboxId: row.id }, "reaching a recipient failed");
      await this.store.release(row.id, "pending", `graph: ${(err as Error).message}`.slice(0, 500)).catch(() => undefined);
    }
  }
}
