// The outbox sender: drains OutboxMessage rows and delivers them through the Bot Connector as fast
// as Teams allows and no faster (docs/delivery.md).
//
// - Claims and outcomes: the store (services/delivery/store.ts) claims rows under a lease, head of
//   line per recipient, and records each outcome only while the lease is ours.
// - Pacing: the tenant's ceiling is shared by every instance through the database
//   (services/delivery/tenantPace.ts); the per-conversation windows are kept by a Pacer
//   (services/delivery/pacer.ts), seeded from the recipient's last requests, whoever made them.
//   One request at a time per conversation.
// - Failures: the retry policy (services/delivery/retry.ts) says what an answer means; 429 pauses
//   that conversation for Retry-After (a burst of 429s across conversations pauses everything).
// - Crash safety: a send taken over from an expired lease, or one that got no answer after its
//   body was written, is in doubt: it is looked for in the recipient's chat first (bot/reach.ts).
import { randomUUID } from "node:crypto";
import type { CloudAdapter, ConversationReference } from "botbuilder";
import type { AppContext } from "../services/context";
import { InFlightWindow, Pacer } from "../services/delivery/pacer";
import { NOT_REACHABLE, OutboxStore, SentRecorder, type ClaimedRow } from "../services/delivery/store";
import { UNANSWERED, classifyFailure, inDoubt, type Outcome } from "../services/delivery/retry";
import { ThrottleWatch, counterOf, recordOutcome } from "../services/delivery/outcome";
import { TenantPace, type SlotSource } from "../services/delivery/tenantPace";
import { sqlOf } from "../services/sql";
import { botAuthentication } from "./credentials";
import { ConnectorRequests, failureOf } from "./connectorRequests";
import { GraphReach } from "./reach";
import { Wakeup, newStats, type Held, type SenderOptions, type SenderStats } from "./senderTypes";

export { NOT_REACHABLE };
export type { SenderOptions, SenderStats };

export class OutboxSender {
  readonly instanceId: string;
  readonly stats: SenderStats = newStats();
  readonly store: OutboxStore;
  private readonly pacer: Pacer;
  private readonly slots: SlotSource;
  private readonly recorder: SentRecorder;
  private readonly connector: ConnectorRequests;
  private readonly reach: GraphReach;
  private queue: Held[] = [];
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly busyConversations = new Set<string>();
  private claiming: Promise<number> | undefined;
  private stopped = true;
  private loopDone: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();
  private nextClaimAt = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private lastEvict = Date.now();
  private lastWaitingSweep = 0;
  private readonly throttles = new ThrottleWatch();
  private readonly maxHeld: number;
  private readonly claimBatch: number;
  /** How many requests may be on the wire: about rate × round trip, at most DELIVERY_MAX_IN_FLIGHT. */
  readonly window: InFlightWindow;
  /** Requests sent and not yet answered (capped by the window; recording the answer is not counted). */
  private onWire = 0;

  constructor(
    private readonly app: AppContext,
    _adapter: CloudAdapter | undefined,
    botAppId: string,
    private readonly opts: SenderOptions = {},
  ) {
    this.instanceId = opts.instanceId ?? `sender-${randomUUID().slice(0, 8)}`;
    const c = app.config;
    this.store = new OutboxStore(sqlOf(app.db), this.instanceId, app.clock, c.DELIVERY_LEASE_MS);
    this.recorder = new SentRecorder(this.store);
    const rps = opts.globalRps ?? c.DELIVERY_GLOBAL_RPS;
    this.slots =
      opts.slots ??
      new TenantPace(sqlOf(app.db), {
        rps,
        onSlots: () => this.wakeup.poke(),
        onError: (err) => app.log.warn({ err }, "taking request slots failed"),
      });
    this.pacer = new Pacer({ globalRps: rps, global: false, ...(opts.perConversation ? { perConversation: opts.perConversation } : {}) });
    this.maxHeld = opts.maxHeld ?? Math.max(50, Math.ceil(rps));
    // Never more than maxHeld: a larger batch would never fit under the cap, and nothing would be claimed.
    this.claimBatch = Math.min(this.maxHeld, Math.max(25, Math.ceil(this.maxHeld / 4)));
    this.window = new InFlightWindow(rps, c.DELIVERY_MAX_IN_FLIGHT);
    this.connector = new ConnectorRequests(botAuthentication(c), botAppId || c.MicrosoftAppId, {
      ...(opts.tokenRefreshMs ? { tokenRefreshMs: opts.tokenRefreshMs } : {}),
      onTokenError: (err) => app.log.warn({ err }, "renewing the bot's token failed; the next request renews it"),
    });
    this.reach = new GraphReach(app, this.store, this.recorder, this.stats, {
      ...opts,
      member: (serviceUrl, chatId, aadObjectId) => this.connector.member(serviceUrl, chatId, aadObjectId),
      queue: (h) => this.queue.push(h),
      enqueue: (h) => this.enqueue(h),
      poke: () => this.wakeup.poke(),
    });
  }

  // ---------------------------------------------------------------------------------- lifecycle

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Leases are renewed on their own timer while rows are held, so a crashed instance's claims are
    // taken over within one lease.
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(200, Math.floor(this.app.config.DELIVERY_LEASE_MS / 3)));
    this.loopDone = this.loop();
  }

  /** Graceful stop: no new claims, waits for requests in flight, hands back rows not yet sent and the tenant's slots. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup.poke();
    await this.loopDone;
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.claiming?.catch(() => 0);
    await this.reach.settled();
    await Promise.allSettled([...this.inflight.values()]);
    const ids = this.queue.map((h) => h.id);
    this.queue = [];
    await this.store.handBack(ids);
    await this.slots.close().catch(() => undefined);
    this.connector.close();
  }

  /**
   * Crash stand-in for tests and the benchmark: stops at once without handing anything back. Rows
   * claimed but not yet sent keep their lease and are taken over by another instance when it
   * expires; requests already on the wire finish and are recorded.
   */
  async abandon(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.queue = [];
    this.connector.close();
    this.wakeup.poke();
    await this.loopDone;
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** Ask for a drain soon (new outbox rows, or a user became reachable). */
  wake(): void {
    this.nextClaimAt = 0;
    this.wakeup.poke();
  }

  /** Rows held for sending (bounded by maxHeld); in-doubt rows being checked are not counted. */
  private get held(): number {
    return this.queue.length + this.inflight.size;
  }

  private async loop(): Promise<void> {
    const poll = this.app.config.DELIVERY_POLL_MS;
    while (!this.stopped) {
      const now = Date.now();
      if (!this.claiming && this.held <= this.maxHeld - this.claimBatch && now >= this.nextClaimAt) {
        // Claims of a quarter of maxHeld whenever one fits: the first requests go out soon after a
        // campaign is written, the queue stays topped up, and a crash strands at most maxHeld rows.
        this.claiming = this.claim(Math.min(this.claimBatch, this.maxHeld - this.held))
          .then((n) => {
            this.nextClaimAt = n === 0 ? Date.now() + poll : 0;
            return n;
          })
          .catch((err: unknown) => {
            this.app.log.error({ err }, "outbox claim failed");
            this.nextClaimAt = Date.now() + poll;
            return 0;
          })
          .finally(() => {
            this.claiming = undefined;
            this.wakeup.poke();
          });
      }
      const wait = this.dispatch();
      if (now - this.lastEvict > 60_000) {
        this.pacer.evictIdle(now);
        this.lastEvict = now;
      }
      const untilClaim = this.claiming ? Infinity : Math.max(0, this.nextClaimAt - Date.now());
      await this.wakeup.sleep(Math.min(wait, untilClaim, poll));
    }
  }

  /** Claims and sends one batch; returns how many rows were claimed (tests and scripts). */
  async drainOnce(batch = 25): Promise<number> {
    this.lastWaitingSweep = 0; // an explicit drain always shows who is not reachable yet
    const n = await this.claim(batch);
    for (;;) {
      const wait = this.dispatch();
      const busy = this.inflight.size > 0 || this.reach.busy;
      if (this.queue.length === 0 && !busy) break;
      if (busy) await Promise.race([...this.inflight.values(), ...this.reach.pending(), this.wakeup.sleep(Math.min(wait, 50))]);
      else await this.wakeup.sleep(Math.min(wait, 1_000));
    }
    return n;
  }

  // ---------------------------------------------------------------------------------- claiming

  private async claim(limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const started = Date.now();
    try {
      return await this.claimRows(limit);
    } finally {
      this.stats.claims++;
      this.stats.claimMs += Date.now() - started;
    }
  }

  private async claimRows(limit: number): Promise<number> {
    const graph = this.opts.graph !== undefined;
    if (!graph && Date.now() - this.lastWaitingSweep >= this.app.config.DELIVERY_POLL_MS) {
      // At most once per poll interval: during a fan-out this sweep would otherwise run with every claim.
      this.lastWaitingSweep = Date.now();
      await this.store.holdUnreachable(this.app.clock.now());
    }
    const rows = await this.store.claim(limit, { graph, held: this.heldIds(), wallNow: Date.now() });
    for (const row of rows) await this.take(row);
    return rows.length;
  }

  private async take(row: ClaimedRow): Promise<void> {
    if (row.prevStatus === "sending") {
      // Another instance's lease expired: it may have crashed after the connector accepted the
      // message and before it recorded that (the one window where a duplicate is possible).
      this.stats.took_over++;
      this.app.log.warn({ outboxId: row.id, previousOwner: row.prevOwner }, "taking over an expired delivery lease");
    }
    const ref = row.refConversationId
      ? { serviceUrl: row.serviceUrl!, tenant: row.tenantId ?? "default", reference: row.reference as Partial<ConversationReference> }
      : undefined;
    const conversationId = row.kind === "update" ? row.cardConversationId : row.refConversationId;
    // Requests to this conversation by any instance (the recipient's last ones): its windows hold across instances.
    if (conversationId && row.recentRequests?.length) this.pacer.merge(conversationId, row.recentRequests);
    if (row.kind === "update") {
      if (!row.cardConversationId || !row.cardActivityId || !ref) {
        await this.finish(
          { id: row.id, attempts: row.attempts, conversationId: "" },
          { kind: "final", status: "skipped", reason: "no card to update" },
        );
        return;
      }
      this.queue.push({ ...row, ...ref, conversationId: row.cardConversationId, activityId: row.cardActivityId });
    } else if (ref) this.enqueue({ ...row, ...ref, conversationId: row.refConversationId! });
    else if (this.opts.graph) this.reach.reach(row);
    else {
      this.stats.waiting++;
      await this.store.release(row.id, "waiting", NOT_REACHABLE);
    }
  }

  /** Queues a claimed row for sending; a send in doubt is checked in the chat first. */
  private enqueue(h: Held): void {
    if (!inDoubt(h)) this.queue.push(h);
    else this.reach.settle(h);
  }

  /** Every row this instance holds in memory: queued, on the wire or being recorded, checked in the chat, being reached. */
  private heldIds(): string[] {
    return [...this.queue.map((h) => h.id), ...this.inflight.keys(), ...this.reach.heldIds()];
  }

  private async renewLeases(): Promise<void> {
    await this.store.renew(this.heldIds()).catch((err: unknown) => this.app.log.warn({ err }, "lease renewal failed"));
  }

  // ---------------------------------------------------------------------------------- sending

  /** Starts every request the limits allow now; returns ms until the next one could go. */
  private dispatch(): number {
    let wait = Infinity;
    const now = Date.now();
    for (let i = 0; i < this.queue.length; i++) {
      // Requests on the wire are capped at what the rate needs: past that they add no throughput,
      // only latency, and each one is a message a crash could send twice.
      if (this.onWire >= this.window.limit) return Infinity;
      const h = this.queue[i]!;
      if (this.busyConversations.has(h.conversationId)) continue; // one at a time per conversation: order kept
      const v = this.pacer.check(h.tenant, h.conversationId, now);
      if (!v.ok) {
        wait = Math.min(wait, v.waitMs);
        if (v.scope === "global") break;
        continue;
      }
      // The tenant's ceiling, shared with every other instance: a slot of its own, or how long until one.
      const slot = this.slots.take(h.tenant, Date.now(), this.queue.length - i);
      this.slotStats();
      if (!slot.ok) {
        wait = Math.min(wait, slot.waitMs);
        break;
      }
      this.pacer.tryAcquire(h.tenant, h.conversationId, now);
      this.queue.splice(i, 1);
      i--;
      this.busyConversations.add(h.conversationId);
      const p = this.send(h, now, slot.at ?? now).finally(() => {
        this.inflight.delete(h.id);
        this.busyConversations.delete(h.conversationId);
        // The recipient's next message (head of line) may now be claimable: look again soon.
        this.nextClaimAt = Math.min(this.nextClaimAt, Date.now() + 100);
        this.wakeup.poke();
      });
      this.inflight.set(h.id, p);
    }
    if (this.queue.length === 0) return Infinity;
    return Number.isFinite(wait) ? Math.max(1, wait) : 50;
  }

  private slotStats(): void {
    if (this.slots instanceof TenantPace) Object.assign(this.stats, this.slots.counters());
  }

  /** Sends one held row; `acquiredAt` is when the pacer gave it its slot, `slotAt` the tenant slot's time. */
  private async send(h: Held, acquiredAt: number, slotAt: number): Promise<void> {
    let outcome: Outcome;
    // Restamped with the time its body is written (a little after its slot), so the windows count
    // what the server will count. Written also means Teams may have it even if no answer comes back.
    let restamped = false;
    let writtenAt = 0;
    try {
      const activity = this.connector.activityFor(h);
      const client = await this.connector.client(h.serviceUrl);
      if (this.slots.missed?.(slotAt, Date.now())) {
        // Made ready too late for its slot (a first client, a stalled loop): written now it would
        // crowd the tenant's next second, so it waits for another slot instead (a stopping sender
        // hands its queue back once its requests have settled).
        this.queue.unshift(h);
        return;
      }
      const options = {
        timeout: this.app.config.DELIVERY_REQUEST_TIMEOUT_MS,
        onUploadProgress: () => {
          if (restamped) return;
          restamped = true;
          writtenAt = Date.now();
          this.pacer.restamp(h.tenant, h.conversationId, acquiredAt, writtenAt);
          this.slots.written?.(slotAt, writtenAt);
          this.slotStats();
        },
      };
      this.stats.requests++;
      this.throttles.request(Date.now());
      this.onWire++;
      if (!restamped) writtenAt = Date.now();
      try {
        outcome = { kind: "sent", activityId: await this.connector.request(h, activity, client, options) };
        this.window.observe(Date.now() - writtenAt);
      } catch (err) {
        // An HTTP answer (429, 5xx…) is a round trip too; a timeout or reset is not measured.
        if ((err as { statusCode?: number }).statusCode) this.window.observe(Date.now() - writtenAt);
        throw err;
      } finally {
        this.onWire--;
        this.wakeup.poke(); // room on the wire: the next request may go before this answer is recorded
      }
    } catch (err) {
      const failure = classifyFailure(failureOf(err, Date.now()), h.kind, restamped);
      if (failure.status === 429) this.throttled(h, failure.retryAfterMs ?? 1_000);
      if (failure.reason.startsWith(UNANSWERED)) this.stats.unanswered++;
      outcome = failure;
    }
    const requestAt = restamped || writtenAt ? writtenAt : null;
    // The outcome could not be recorded (PostgreSQL restarting, connections dropped): while this
    // sender runs it keeps the row (its lease renewed) and tries again until the database answers,
    // so a card Teams accepted is recorded, not sent again once the lease expires.
    for (let wait = 200, first = true; ; wait = Math.min(wait * 2, 5_000), first = false) {
      try {
        await this.finish(h, outcome, first, requestAt);
        return;
      } catch (err) {
        if (this.stopped) {
          this.app.log.error({ err, outboxId: h.id }, "recording a delivery outcome failed; the lease will expire and it is retried");
          return;
        }
        this.app.log.warn({ err, outboxId: h.id }, "recording a delivery outcome failed; trying again");
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** A 429: that conversation pauses for Retry-After; many at once pause everything briefly. */
  private throttled(h: Held, retryAfterMs: number): void {
    this.stats.throttled++;
    const now = Date.now();
    this.pacer.pauseConversation(h.conversationId, now + retryAfterMs);
    if (this.throttles.throttled(now)) {
      this.stats.globalPauses++;
      this.pacer.pauseGlobal(now + Math.min(retryAfterMs, 2_000));
      this.slots.pause(h.tenant, now + Math.min(retryAfterMs, 2_000));
    }
  }

  /** Records the outcome, only while we still hold the lease. */
  private async finish(
    h: Pick<Held, "id" | "attempts" | "conversationId">,
    outcome: Outcome,
    count = true,
    requestAt: number | null = null,
  ) {
    const c = this.app.config;
    if (count) this.stats[counterOf(outcome, h.attempts, c.DELIVERY_MAX_ATTEMPTS)]++;
    const r = await recordOutcome(this.store, this.recorder, h, outcome, {
      maxAttempts: c.DELIVERY_MAX_ATTEMPTS,
      now: this.app.clock.now(),
      requestAt,
      log: this.app.log,
    });
    // A retry is claimed again when it is due rather than at the next poll.
    if (r.retryInMs !== undefined) setTimeout(() => !this.stopped && this.wake(), r.retryInMs).unref();
    if (!r.stored) {
      this.stats.lostLease++;
      this.app.log.warn(
        { outboxId: h.id, outcome: outcome.kind },
        "delivery outcome not recorded: the lease had passed to another instance",
      );
    }
  }
}
