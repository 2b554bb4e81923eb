// The outbox sender: drains OutboxMessage rows and delivers them through the Bot Connector as fast
// as Teams allows and no faster.
//
// - Claims: rows are claimed with FOR UPDATE SKIP LOCKED under a lease (lockedBy + lockedUntil).
//   Only the oldest unfinished row of each recipient is claimable ("head of line"), so order within
//   a conversation is kept even across instances and retries. An expired lease is taken over by
//   any instance, the one that held it included once it no longer holds the row in memory (its
//   outcome could not be recorded, e.g. PostgreSQL restarted): a lone instance never strands a row.
// - Pacing: a Pacer (services/delivery/pacer.ts) holds the global per-tenant ceiling
//   (DELIVERY_GLOBAL_RPS) and the per-conversation windows (7/1 s, 8/2 s, 60/30 s, 1,800/h).
//   Requests to different conversations go out concurrently up to the global rate; one request at
//   a time per conversation.
// - Failures: 429 pauses that conversation for Retry-After (a burst of 429s across conversations
//   pauses everything briefly); 412/429/5xx/resets/timeouts are retried with exponential backoff
//   and jitter; after DELIVERY_MAX_ATTEMPTS the row is "dead" with the reason; 403 (blocked by the
//   user, bot disabled by admin) is "blocked", final. The ConnectorClient's own retry policy is
//   removed so every retry is ours and counted.
// - Crash safety: the outcome of a request is committed as soon as the response arrives (a failure
//   in its own statement, successes group-committed: at once, or with the next write when one is on
//   its way). A crash between the connector's 2xx and that commit leaves the send in doubt: the
//   instance that takes the row over looks for it in the recipient's chat through Graph (every
//   card carries its outbox id as its root id) and records it instead of sending it again; without
//   Graph, or for plain text, it is sent again and counted (docs/delivery.md, "Crash safety"). A
//   send that got no answer after its body was written (timeout, reset) is in doubt the same way,
//   and its retry is checked in the chat first.
//   Nothing claimed but not yet sent is ever lost: its lease expires and another instance (or this
//   one after restart) sends it.
import { randomUUID } from "node:crypto";
import { ConfigurationBotFrameworkAuthentication, TurnContext, type ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";
import type { CloudAdapter, ConversationReference, Activity } from "botbuilder";
import { AuthenticationConstants, ClaimsIdentity, type ConnectorClient } from "botframework-connector";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { AppContext } from "../services/context";
import type { OutboxPayload } from "../services/outbox";
import { InFlightWindow, Pacer, backoffMs, parseRetryAfter, type RateWindow } from "../services/delivery/pacer";
import { installForUser } from "../services/graph/install";
import { findSentCard } from "../services/graph/chats";
import { cardAttachment, markCard, renderCard, type CardJson } from "../cards/render";
import { sqlOf, type Sql } from "../services/sql";
import { cachedPromise } from "./promiseCache";

export const NOT_REACHABLE = "not reachable yet: the person has not opened Assure in Teams";

export interface SenderOptions {
  /** Identifies this instance in lockedBy (default: random). */
  instanceId?: string;
  /** Graph client: people without a conversation get Assure installed for them. */
  graph?: GraphClient;
  /** Per-conversation windows (default Teams'). */
  perConversation?: readonly RateWindow[];
  /** Global ceiling override (default config.DELIVERY_GLOBAL_RPS). */
  globalRps?: number;
  /** Rows held (claimed, not yet sent) at most; default 1 s of the global rate, at least 50. */
  maxHeld?: number;
  /** Concurrent Graph calls: installs and in-doubt checks (default 4). */
  graphConcurrency?: number;
  /**
   * In-doubt checks look for messages created after the previous attempt started minus this (the
   * clocks of this machine and of Microsoft may differ; default 2 minutes). It only bounds the
   * search: the marker, not the time, identifies the message.
   */
  inDoubtSkewMs?: number;
}

interface ClaimRow {
  id: string;
  recipientId: string;
  kind: string;
  cardKey: string | null;
  payload: OutboxPayload;
  attempts: number;
  prevStatus: string;
  prevOwner: string | null;
  /** When the previous claim (the attempt in doubt, for a takeover) started. */
  prevAttemptAt: Date | null;
  /** Why the previous attempt failed (UNANSWERED: it may have been delivered). */
  prevError: string | null;
}

/** A claimed row with what sending needs, as the claim statement returns it. */
interface ClaimedRow extends ClaimRow {
  refConversationId: string | null;
  serviceUrl: string | null;
  tenantId: string | null;
  reference: unknown;
  cardConversationId: string | null;
  cardActivityId: string | null;
}

interface Held extends ClaimRow {
  conversationId: string;
  serviceUrl: string;
  tenant: string;
  reference: Partial<ConversationReference>;
  /** For updates: the activity to replace. */
  activityId?: string;
}

type Outcome =
  | { kind: "sent"; activityId: string | undefined }
  | { kind: "retry"; status: number | undefined; reason: string; retryAfterMs?: number }
  | { kind: "final"; status: "blocked" | "dead" | "skipped"; reason: string };

const RETRYABLE = new Set([412, 429, 500, 502, 503, 504]);
/**
 * Starts the reason of a send that got no answer after its body was written (timeout, reset): Teams
 * may have delivered it, so the retry is in doubt and checked in the chat first, as a takeover is.
 */
const UNANSWERED = "no answer after the request was sent; ";
/** At most this many successes share one statement (see recordSent). */
const SENT_FLUSH_ROWS = 64;

interface SentRecord {
  id: string;
  attempts: number;
  activityId: string | null;
  conversationId: string | null;
}

export interface SenderStats {
  sent: number;
  retried: number;
  dead: number;
  blocked: number;
  skipped: number;
  waiting: number;
  took_over: number;
  /** Sends taken over from an expired lease (in doubt: the dead owner may have delivered them). */
  inDoubt: number;
  /** In-doubt sends found in the recipient's chat through Graph: recorded as sent, not sent again. */
  reconciled: number;
  /** In-doubt sends sent again without a check (no Graph, no marker, or the lookup failed): at-least-once. */
  resentInDoubt: number;
  /** Sends that got no answer after their body was written (timeout, reset): their retry is in doubt. */
  unanswered: number;
  lostLease: number;
  requests: number;
  throttled: number;
  globalPauses: number;
  /** Claim queries run and the ms they took in all (the sender's main database cost). */
  claims: number;
  claimMs: number;
}

export class OutboxSender {
  readonly instanceId: string;
  readonly stats: SenderStats = {
    sent: 0,
    retried: 0,
    dead: 0,
    blocked: 0,
    skipped: 0,
    waiting: 0,
    took_over: 0,
    inDoubt: 0,
    reconciled: 0,
    resentInDoubt: 0,
    unanswered: 0,
    lostLease: 0,
    requests: 0,
    throttled: 0,
    globalPauses: 0,
    claims: 0,
    claimMs: 0,
  };
  private readonly pacer: Pacer;
  /** The sender's statements (claims, leases, outcomes) on the application's pg pool: Prisma cost ~3 times the CPU per statement. */
  private readonly sql: Sql;
  private readonly auth: ConfigurationBotFrameworkAuthentication;
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private queue: Held[] = [];
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly busyConversations = new Set<string>();
  private claiming: Promise<number> | undefined;
  /** Rows being reached through Graph (installing Assure for the recipient). */
  private readonly reaching = new Set<string>();
  /** Graph calls under way (installs and in-doubt checks share graphConcurrency). */
  private graphBusy = 0;
  /** In-doubt sends being checked in the recipient's chat (held: their leases are renewed). */
  private readonly checking = new Map<string, Promise<void>>();
  private stopped = true;
  private loopDone: Promise<void> | undefined;
  private signal: (() => void) | undefined;
  private nextClaimAt = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private lastEvict = Date.now();
  private lastWaitingSweep = 0;
  private sentBatch: Array<SentRecord & { resolve(n: number): void; reject(err: unknown): void }> = [];
  /** Writes of successes on their way to the database. */
  private recordingSent = 0;
  private readonly rendered = new Map<string, { type: "message"; card?: CardJson; text?: string }>();
  private recent429: number[] = [];
  private recentRequests: number[] = [];
  private readonly maxHeld: number;
  private readonly claimBatch: number;
  /** How many requests may be on the wire: about rate × round trip, at most DELIVERY_MAX_IN_FLIGHT. */
  readonly window: InFlightWindow;
  /** Requests sent and not yet answered (capped by the window; recording the answer is not counted). */
  private onWire = 0;

  constructor(
    private readonly app: AppContext,
    _adapter: CloudAdapter | undefined,
    private readonly botAppId: string,
    private readonly opts: SenderOptions = {},
  ) {
    this.instanceId = opts.instanceId ?? `sender-${randomUUID().slice(0, 8)}`;
    this.sql = sqlOf(app.db);
    const rps = opts.globalRps ?? app.config.DELIVERY_GLOBAL_RPS;
    // startBusy: this instance may be replacing one that died mid-second (see PacerOptions).
    this.pacer = new Pacer({ globalRps: rps, startBusy: true, ...(opts.perConversation ? { perConversation: opts.perConversation } : {}) });
    this.maxHeld = opts.maxHeld ?? Math.max(50, Math.ceil(rps));
    // Never more than maxHeld: a larger batch would never fit under the cap, and nothing would be claimed.
    this.claimBatch = Math.min(this.maxHeld, Math.max(25, Math.ceil(this.maxHeld / 4)));
    this.window = new InFlightWindow(rps, app.config.DELIVERY_MAX_IN_FLIGHT);
    const c = app.config;
    this.auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: c.MicrosoftAppId,
      MicrosoftAppPassword: c.MicrosoftAppPassword,
      MicrosoftAppType: c.MicrosoftAppType,
      MicrosoftAppTenantId: c.MicrosoftAppTenantId,
    } as ConfigurationBotFrameworkAuthenticationOptions);
  }

  // ---------------------------------------------------------------------------------- lifecycle

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Leases are short and renewed on their own timer while rows are held (queued or in flight),
    // so a crashed instance's claims are taken over within one lease.
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(200, Math.floor(this.app.config.DELIVERY_LEASE_MS / 3)));
    this.loopDone = this.loop();
  }

  /** Graceful stop: no new claims, waits for requests in flight, hands back rows not yet sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.loopDone;
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.claiming?.catch(() => 0);
    await Promise.allSettled([...this.checking.values()]);
    await Promise.allSettled([...this.inflight.values()]);
    const ids = this.queue.map((h) => h.id);
    this.queue = [];
    if (ids.length)
      await this.sql.query(
        `UPDATE "OutboxMessage" SET status = 'pending', "lockedBy" = NULL, "lockedUntil" = NULL
         WHERE id = ANY($1::text[]) AND "lockedBy" = $2 AND status = 'sending'`,
        [ids, this.instanceId],
      );
  }

  /**
   * Crash stand-in for tests and the benchmark: stops at once without handing anything back. Rows
   * claimed but not yet sent keep their lease and are taken over by another instance when it
   * expires; requests already on the wire finish and are recorded (a real crash inside that
   * window is the one case that can duplicate a message).
   */
  async abandon(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.queue = [];
    this.poke();
    await this.loopDone;
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** Ask for a drain soon (new outbox rows, or a user became reachable). */
  wake(): void {
    this.nextClaimAt = 0;
    this.poke();
  }

  private poke(): void {
    const s = this.signal;
    this.signal = undefined;
    s?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          this.signal = undefined;
          resolve();
        },
        Math.max(0, ms),
      );
      this.signal = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /**
   * Rows held for sending (bounded by maxHeld). In-doubt rows being checked in the chat are not
   * counted: after a takeover they can number a whole dead instance's claims, and counting them
   * stopped new claims (and starved the queue) until every check was done.
   */
  private get held(): number {
    return this.queue.length + this.inflight.size;
  }

  private async loop(): Promise<void> {
    const poll = this.app.config.DELIVERY_POLL_MS;
    while (!this.stopped) {
      const now = Date.now();
      if (!this.claiming && this.held <= this.maxHeld - this.claimBatch && now >= this.nextClaimAt) {
        // Claims of a quarter of maxHeld whenever one fits: the first requests go out soon after a
        // campaign is written, the queue stays topped up (a claim that takes a few hundred ms on a
        // busy machine used to empty the half-full queue), and a crash strands at most maxHeld rows
        // until their leases expire.
        this.claiming = this.claim(Math.min(this.claimBatch, this.maxHeld - this.held))
          .then((n) => {
            // Nothing due: poll later (wake() brings it forward). Something: claim again soon.
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
            this.poke();
          });
      }
      const wait = this.dispatch();
      if (now - this.lastEvict > 60_000) {
        this.pacer.evictIdle(now);
        this.lastEvict = now;
      }
      const untilClaim = this.claiming ? Infinity : Math.max(0, this.nextClaimAt - Date.now());
      await this.sleep(Math.min(wait, untilClaim, poll));
    }
  }

  /** Claims and sends one batch; returns how many rows were claimed (tests and scripts). */
  async drainOnce(batch = 25): Promise<number> {
    this.lastWaitingSweep = 0; // an explicit drain always shows who is not reachable yet
    const n = await this.claim(batch);
    for (;;) {
      const wait = this.dispatch();
      if (this.queue.length === 0 && this.inflight.size === 0 && this.reaching.size === 0 && this.checking.size === 0) break;
      if (this.inflight.size > 0 || this.reaching.size > 0 || this.checking.size > 0)
        await Promise.race([...this.inflight.values(), ...this.checking.values(), this.sleep(Math.min(wait, 50))]);
      else await this.sleep(Math.min(wait, 1_000));
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
    const now = this.app.clock.now();
    const lease = new Date(now.getTime() + this.app.config.DELIVERY_LEASE_MS);
    const graph = this.opts.graph !== undefined;
    if (!graph && Date.now() - this.lastWaitingSweep >= this.app.config.DELIVERY_POLL_MS) {
      // People who never opened the bot: their messages wait, visibly, until they do. (At most once
      // per poll interval: during a fan-out this sweep would otherwise run with every claim.)
      this.lastWaitingSweep = Date.now();
      await this.sql.query(
        `UPDATE "OutboxMessage" o SET status = 'waiting', "lastError" = $1
         WHERE o.status = 'pending' AND o."notBefore" <= $2::timestamp AND o."nextAttemptAt" <= $2::timestamp
           AND NOT EXISTS (SELECT 1 FROM "ConversationReference" c WHERE c."staffId" = o."recipientId")`,
        [NOT_REACHABLE, now],
      );
    }
    // One round trip: pick (head of line, due, reachable), lease, and read what sending needs (the
    // conversation reference; for updates, the card's activity).
    // Each status is read in seq order through the (status, seq) index and stops after `limit`
    // rows: the cost follows the batch, not the backlog (one scan of all open rows took 10–30 ms
    // at 10,000 pending). Merged, the three arms give the same oldest-first batch.
    // $1 now, $2 limit, $3 Graph configured, $4 this instance, $5 lease end, $6 the rows this instance holds.
    const headOfLine = `NOT EXISTS (
            SELECT 1 FROM "OutboxMessage" p
            WHERE p."recipientId" = o."recipientId" AND p.seq < o.seq
              AND p.status IN ('pending', 'waiting', 'sending') AND p."notBefore" <= $1::timestamp)`;
    const due = `o."nextAttemptAt" <= $1::timestamp AND o."notBefore" <= $1::timestamp`;
    const reachable = `($3::boolean OR EXISTS (SELECT 1 FROM "ConversationReference" c WHERE c."staffId" = o."recipientId"))`;
    const rows = await this.sql.query<ClaimedRow>(
      `WITH pending AS (
        SELECT o.id, o.seq, o.status AS "prevStatus", o."lockedBy" AS "prevOwner", o."lastAttemptAt" AS "prevAttemptAt"
        FROM "OutboxMessage" o
        WHERE o.status = 'pending' AND ${due} AND ${reachable} AND ${headOfLine}
        ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
      waiting AS (
        SELECT o.id, o.seq, o.status AS "prevStatus", o."lockedBy" AS "prevOwner", o."lastAttemptAt" AS "prevAttemptAt"
        FROM "OutboxMessage" o
        WHERE o.status = 'waiting' AND ${due} AND ${reachable} AND ${headOfLine}
        ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
      expired AS (
        SELECT o.id, o.seq, o.status AS "prevStatus", o."lockedBy" AS "prevOwner", o."lastAttemptAt" AS "prevAttemptAt"
        FROM "OutboxMessage" o
        WHERE o.status = 'sending' AND o."lockedUntil" < $1::timestamp AND o.id <> ALL($6::text[])
          AND ${due} AND ${headOfLine}
        ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
      picked AS (
        SELECT * FROM pending UNION ALL SELECT * FROM waiting UNION ALL SELECT * FROM expired
        ORDER BY seq LIMIT $2),
      claimed AS (
        UPDATE "OutboxMessage" m
        SET status = 'sending', "lockedBy" = $4, "lockedUntil" = $5::timestamp, "lastAttemptAt" = $1::timestamp
        FROM picked WHERE m.id = picked.id
        RETURNING m.id, m.seq, m."recipientId", m.kind, m."cardKey", m.payload, m.attempts, m."lastError" AS "prevError",
          picked."prevStatus", picked."prevOwner", picked."prevAttemptAt")
      SELECT cl.id, cl."recipientId", cl.kind, cl."cardKey", cl.payload, cl.attempts, cl."prevStatus", cl."prevOwner", cl."prevAttemptAt",
        cl."prevError",
        r."conversationId" AS "refConversationId", r."serviceUrl", r."tenantId", r.reference,
        ci."conversationId" AS "cardConversationId", ci."activityId" AS "cardActivityId"
      FROM claimed cl
      LEFT JOIN "ConversationReference" r ON r."staffId" = cl."recipientId"
      LEFT JOIN "CardInstance" ci ON cl.kind = 'update' AND ci."cardKey" = cl."cardKey" AND ci."recipientId" = cl."recipientId"
      ORDER BY cl.seq`,
      [now, limit, graph, this.instanceId, lease, this.heldIds()],
    );
    if (rows.length === 0) return 0;
    for (const row of rows) {
      if (row.prevStatus === "sending") {
        // Another instance's lease expired: it may have crashed after the connector accepted the
        // message and before it recorded that (the one window where a duplicate is possible).
        this.stats.took_over++;
        this.app.log.warn({ outboxId: row.id, previousOwner: row.prevOwner }, "taking over an expired delivery lease");
      }
      const claimed: ClaimRow = {
        id: row.id,
        recipientId: row.recipientId,
        kind: row.kind,
        cardKey: row.cardKey,
        payload: row.payload,
        attempts: row.attempts,
        prevStatus: row.prevStatus,
        prevOwner: row.prevOwner,
        prevAttemptAt: row.prevAttemptAt,
        prevError: row.prevError,
      };
      const reference = row.refConversationId
        ? {
            serviceUrl: row.serviceUrl!,
            tenant: row.tenantId ?? "default",
            reference: row.reference as Partial<ConversationReference>,
          }
        : undefined;
      if (row.kind === "update") {
        if (!row.cardConversationId || !row.cardActivityId || !reference) {
          await this.finish(row.id, row.attempts, { kind: "final", status: "skipped", reason: "no card to update" });
          continue;
        }
        this.queue.push({ ...claimed, ...reference, conversationId: row.cardConversationId, activityId: row.cardActivityId });
      } else if (reference) {
        this.enqueue({ ...claimed, ...reference, conversationId: row.refConversationId! });
      } else if (this.opts.graph) {
        void this.reach(claimed);
      } else {
        await this.release(row.id, "waiting", NOT_REACHABLE);
      }
    }
    return rows.length;
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

  /**
   * Queues a claimed row for sending. A send is in doubt, and checked first, when it is taken over
   * from an expired lease (its owner may have died after Teams accepted it) or when its previous
   * attempt got no answer after the request was sent (UNANSWERED).
   */
  private enqueue(h: Held): void {
    const inDoubt = h.prevStatus === "sending" || (h.prevError?.startsWith(UNANSWERED) ?? false);
    if (!inDoubt || h.kind !== "send") {
      this.queue.push(h);
      return;
    }
    this.stats.inDoubt++;
    const p = this.settleInDoubt(h)
      .catch((err: unknown) => {
        // Recording the found message failed: the row stays ours, unsent; its lease expires and it
        // is checked again by whoever takes it.
        this.app.log.error({ err, outboxId: h.id }, "recording an in-doubt send found in the chat failed");
      })
      .finally(() => {
        this.checking.delete(h.id);
        this.poke();
      });
    this.checking.set(h.id, p);
  }

  /**
   * An in-doubt send: with Graph, look in the recipient's chat for a bot message carrying this
   * row's marker, created after the previous attempt started. Found: record it as sent with that
   * message id (and its CardInstance) and send nothing. Absent: send. Cannot tell (no Graph, a
   * plain-text message has no marker, the lookup failed): send again, counted and logged.
   */
  private async settleInDoubt(h: Held): Promise<void> {
    let reason: string;
    if (!this.opts.graph) reason = "Graph is not configured";
    else if (!h.payload.template) reason = "a plain-text message carries no marker";
    else {
      const skew = this.opts.inDoubtSkewMs ?? 120_000;
      const since = h.prevAttemptAt ? new Date(h.prevAttemptAt.getTime() - skew) : undefined;
      const graph = this.opts.graph;
      const found = await this.withGraph(() =>
        findSentCard(this.app, graph, { recipientId: h.recipientId, conversationId: h.conversationId, outboxId: h.id, since }),
      );
      if (found.status === "found") {
        this.stats.reconciled++;
        this.app.log.info({ outboxId: h.id, activityId: found.messageId }, "in-doubt send found in the chat: recorded, not sent again");
        const n = await this.recordSent({
          id: h.id,
          attempts: h.attempts + 1,
          activityId: found.messageId,
          conversationId: h.conversationId,
        });
        if (n === 0) this.stats.lostLease++;
        return;
      }
      if (found.status === "absent") {
        this.queue.push(h);
        return;
      }
      reason = found.reason;
    }
    this.stats.resentInDoubt++;
    this.app.log.warn({ outboxId: h.id, previousOwner: h.prevOwner, reason }, "in-doubt send sent again unchecked (at-least-once)");
    this.queue.push(h);
  }

  /** Installs Assure for someone through Graph, then queues their message. */
  private async reach(row: ClaimRow): Promise<void> {
    this.reaching.add(row.id);
    try {
      const result = await this.withGraph(() => installForUser(this.app, this.opts.graph!, row.recipientId));
      if (!result.ok) {
        this.stats.waiting++;
        // Try Graph again later; the message stays visible as waiting meanwhile.
        const next = new Date(this.app.clock.now().getTime() + 5 * 60_000);
        await this.sql.query(
          `UPDATE "OutboxMessage" SET status = 'waiting', "lastError" = $1, "nextAttemptAt" = $2::timestamp,
             "lockedBy" = NULL, "lockedUntil" = NULL
           WHERE id = $3 AND "lockedBy" = $4`,
          [result.reason, next, row.id, this.instanceId],
        );
        return;
      }
      const [ref] = await this.sql.query<{ conversationId: string; serviceUrl: string; tenantId: string | null; reference: unknown }>(
        `SELECT "conversationId", "serviceUrl", "tenantId", reference FROM "ConversationReference" WHERE "staffId" = $1`,
        [row.recipientId],
      );
      if (!ref) {
        await this.release(row.id, "waiting", NOT_REACHABLE);
        return;
      }
      this.enqueue({
        ...row,
        conversationId: ref.conversationId,
        serviceUrl: ref.serviceUrl,
        tenant: ref.tenantId ?? "default",
        reference: ref.reference as Partial<ConversationReference>,
      });
    } catch (err) {
      this.app.log.error({ err, outboxId: row.id }, "reaching a recipient failed");
      await this.release(row.id, "pending", `graph: ${(err as Error).message}`.slice(0, 500)).catch(() => undefined);
    } finally {
      this.reaching.delete(row.id);
      this.poke();
    }
  }

  private async release(id: string, status: "pending" | "waiting", reason: string): Promise<void> {
    if (status === "waiting") this.stats.waiting++;
    await this.sql.query(
      `UPDATE "OutboxMessage" SET status = $1, "lastError" = $2, "lockedBy" = NULL, "lockedUntil" = NULL
       WHERE id = $3 AND "lockedBy" = $4`,
      [status, reason, id, this.instanceId],
    );
  }

  /** Every row this instance holds in memory: queued, on the wire or being recorded, checked in the chat, being reached. */
  private heldIds(): string[] {
    return [...this.queue.map((h) => h.id), ...this.inflight.keys(), ...this.checking.keys(), ...this.reaching];
  }

  private async renewLeases(): Promise<void> {
    const ids = this.heldIds();
    if (ids.length === 0) return;
    const lease = new Date(this.app.clock.now().getTime() + this.app.config.DELIVERY_LEASE_MS);
    // SKIP LOCKED: a row being finished right now (its outcome statement holds it) needs no
    // renewal, and waiting for it deadlocked with a group of successes locking the same rows in
    // another order (measured: 135 rows recorded nowhere, left 'sending' under a live instance).
    await this.sql
      .query(
        `WITH r AS (
          SELECT id FROM "OutboxMessage"
          WHERE id = ANY($1::text[]) AND "lockedBy" = $2 AND status = 'sending'
          FOR UPDATE SKIP LOCKED)
        UPDATE "OutboxMessage" o SET "lockedUntil" = $3::timestamp FROM r WHERE o.id = r.id`,
        [ids, this.instanceId, lease],
      )
      .catch((err: unknown) => this.app.log.warn({ err }, "lease renewal failed"));
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
      const v = this.pacer.tryAcquire(h.tenant, h.conversationId, now);
      if (!v.ok) {
        wait = Math.min(wait, v.waitMs);
        if (v.scope === "global") break;
        continue;
      }
      this.queue.splice(i, 1);
      i--;
      this.busyConversations.add(h.conversationId);
      const p = this.send(h, now).finally(() => {
        this.inflight.delete(h.id);
        this.busyConversations.delete(h.conversationId);
        // The recipient's next message (head of line) may now be claimable: look again soon.
        this.nextClaimAt = Math.min(this.nextClaimAt, Date.now() + 100);
        this.poke();
      });
      this.inflight.set(h.id, p);
    }
    if (this.queue.length === 0) return Infinity;
    return Number.isFinite(wait) ? Math.max(1, wait) : 50;
  }

  private connector(serviceUrl: string): Promise<ConnectorClient> {
    return cachedPromise(this.clients, serviceUrl, () => {
      const identity = new ClaimsIdentity(
        [
          { type: AuthenticationConstants.AudienceClaim, value: this.botAppId },
          { type: AuthenticationConstants.AppIdClaim, value: this.botAppId },
        ],
        true,
      );
      return this.auth
        .createConnectorFactory(identity)
        .create(serviceUrl, AuthenticationConstants.ToChannelFromBotOAuthScope)
        .then((client) => {
          // The pipeline would retry 429/5xx up to 3 times by itself, invisibly and uncounted.
          (client as unknown as { client: { pipeline: { removePolicy(p: { name: string }): unknown } } }).client.pipeline.removePolicy({
            name: "defaultRetryPolicy",
          });
          return client;
        });
    });
  }

  private activityFor(h: Held): Partial<Activity> {
    // A fan-out sends the same card to many people: render each distinct payload once, then mark
    // each copy with its outbox id (the card's root id), which Graph shows in the chat.
    const key = JSON.stringify(h.payload);
    let base = this.rendered.get(key);
    if (!base) {
      const p = h.payload;
      base = p.template ? { type: "message", card: renderCard(p.template, p.data ?? {}) } : { type: "message", text: p.text ?? "" };
      if (this.rendered.size > 200) this.rendered.clear();
      this.rendered.set(key, base);
    }
    const activity: Partial<Activity> = base.card
      ? { type: "message", attachments: [cardAttachment(markCard(base.card, h.id))] }
      : { type: "message", text: base.text };
    return TurnContext.applyConversationReference(activity, h.reference, false);
  }

  /** Sends one held row; `acquiredAt` is when the pacer gave it its slot. */
  private async send(h: Held, acquiredAt: number): Promise<void> {
    let outcome: Outcome;
    // The pacer stamped the request when it gave the slot; it reaches the socket a little later
    // (the client's serialisation and pipeline, longer when the process is busy). Restamped with
    // the time its body is written, so the windows count what the server will count. Written also
    // means Teams may have the message even if no answer comes back.
    let restamped = false;
    let writtenAt = 0;
    try {
      const activity = this.activityFor(h);
      const client = await this.connector(h.serviceUrl);
      const options = {
        timeout: this.app.config.DELIVERY_REQUEST_TIMEOUT_MS,
        onUploadProgress: () => {
          if (restamped) return;
          restamped = true;
          writtenAt = Date.now();
          this.pacer.restamp(h.tenant, h.conversationId, acquiredAt, writtenAt);
        },
      };
      this.stats.requests++;
      this.recentRequests.push(Date.now());
      if (this.recentRequests.length > 4_096) this.recentRequests = this.recentRequests.slice(-2_048);
      this.onWire++;
      if (!restamped) writtenAt = Date.now();
      try {
        if (h.kind === "update") {
          await client.conversations.updateActivity(
            h.conversationId,
            h.activityId!,
            { ...activity, id: h.activityId } as Activity,
            options,
          );
          outcome = { kind: "sent", activityId: h.activityId };
        } else {
          const res = await client.conversations.sendToConversation(h.conversationId, activity as Activity, options);
          outcome = { kind: "sent", activityId: res.id };
        }
        this.window.observe(Date.now() - writtenAt);
      } catch (err) {
        // An HTTP answer (429, 5xx…) is a round trip too; a timeout or reset is not measured.
        if ((err as { statusCode?: number }).statusCode) this.window.observe(Date.now() - writtenAt);
        throw err;
      } finally {
        this.onWire--;
        this.poke(); // room on the wire: the next request may go before this answer is recorded
      }
    } catch (err) {
      outcome = this.classify(err, h, restamped);
    }
    // The outcome could not be recorded (PostgreSQL restarting, connections dropped): while this
    // sender runs it keeps the row (its lease renewed) and tries again until the database answers,
    // so a card Teams accepted is recorded, not sent again once the lease expires. A stopped (or
    // crashed) sender leaves it to the lease: then a success is in doubt (see the header).
    for (let wait = 200, first = true; ; wait = Math.min(wait * 2, 5_000), first = false) {
      try {
        await this.finish(h.id, h.attempts, outcome, h, first);
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

  private classify(err: unknown, h: Held, written: boolean): Outcome {
    const e = err as {
      statusCode?: number;
      code?: string;
      message?: string;
      response?: { headers?: { get(n: string): string | undefined }; bodyAsText?: string | null };
    };
    const status = typeof e.statusCode === "number" && e.statusCode > 0 ? e.statusCode : undefined;
    let code = "";
    try {
      code = (JSON.parse(e.response?.bodyAsText ?? "{}") as { error?: { code?: string } }).error?.code ?? "";
    } catch {
      /* not JSON */
    }
    const reason = `${status ?? e.code ?? "network"}${code ? ` ${code}` : ""}: ${e.message ?? String(err)}`.slice(0, 500);
    if (status === 403) return { kind: "final", status: "blocked", reason };
    if (status === 404 && h.kind === "update") return { kind: "final", status: "skipped", reason };
    if (status === 429) {
      this.stats.throttled++;
      const now = Date.now();
      const ra = parseRetryAfter(e.response?.headers?.get("retry-after"), now) ?? 1_000;
      this.pacer.pauseConversation(h.conversationId, now + ra);
      // Many conversations throttled at once (at least 5 and a tenth of the last second's requests):
      // the limit hit is not one conversation's but the app's, so everything pauses briefly.
      this.recent429 = this.recent429.filter((t) => t > now - 1_000);
      this.recent429.push(now);
      this.recentRequests = this.recentRequests.filter((t) => t > now - 1_000);
      if (this.recent429.length >= 5 && this.recent429.length * 10 >= this.recentRequests.length) {
        this.stats.globalPauses++;
        this.pacer.pauseGlobal(now + Math.min(ra, 2_000));
      }
      return { kind: "retry", status, reason, retryAfterMs: ra };
    }
    if (status === undefined && written && h.kind === "send") {
      this.stats.unanswered++;
      return { kind: "retry", status, reason: `${UNANSWERED}${reason}`.slice(0, 500) };
    }
    if (status === undefined || RETRYABLE.has(status)) return { kind: "retry", status, reason };
    return { kind: "final", status: "dead", reason };
  }

  /**
   * Successes are recorded together, as a database group-commits: a success is written at once
   * unless a write of successes is already on its way, in which case it joins the next one, which
   * leaves as soon as that one is done (at most SENT_FLUSH_ROWS per statement). Under load that is
   * one statement for many answers (~100 statements/s instead of 500 at 500 sends/s); the window in
   * which a crash loses a recorded success (and the message is re-sent after its lease) is at most
   * two statements long, and nothing waits on a timer.
   * Resolves to 1 if the row was still ours, 0 if its lease had passed to another instance.
   */
  private recordSent(r: SentRecord): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.sentBatch.push({ ...r, resolve, reject });
      if (!this.recordingSent || this.sentBatch.length >= SENT_FLUSH_ROWS) this.flushSent();
    });
  }

  private flushSent(): void {
    const batch = this.sentBatch;
    this.sentBatch = [];
    if (batch.length === 0) return;
    const now = this.app.clock.now();
    this.recordingSent++;
    this.sql
      .query<{ id: string }>(
        `WITH v AS (
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS v(id, "activityId", "conversationId", attempts)),
        u AS (
          UPDATE "OutboxMessage" o SET status = 'sent', "sentAt" = $5::timestamp, "finishedAt" = $5::timestamp, "activityId" = v."activityId",
            "conversationId" = v."conversationId", "lockedBy" = NULL, "lockedUntil" = NULL, attempts = v.attempts, "lastError" = NULL
          FROM v WHERE o.id = v.id AND o."lockedBy" = $6
          RETURNING o.id, o.kind, o."cardKey", o."recipientId", v."conversationId", v."activityId"),
        cards AS (
          INSERT INTO "CardInstance" (id, "cardKey", "recipientId", "conversationId", "activityId", "updatedAt", "createdAt")
          SELECT gen_random_uuid()::text, u."cardKey", u."recipientId", u."conversationId", u."activityId", $5::timestamp, $5::timestamp FROM u
          WHERE u.kind = 'send' AND u."cardKey" IS NOT NULL AND u."activityId" IS NOT NULL AND u."conversationId" IS NOT NULL
          ON CONFLICT ("cardKey", "recipientId") DO UPDATE
            SET "conversationId" = EXCLUDED."conversationId", "activityId" = EXCLUDED."activityId", "updatedAt" = EXCLUDED."updatedAt")
        SELECT id FROM u`,
        [
          batch.map((b) => b.id),
          batch.map((b) => b.activityId),
          batch.map((b) => b.conversationId),
          batch.map((b) => b.attempts),
          now,
          this.instanceId,
        ],
      )
      .then(
        (rows) => {
          const recorded = new Set(rows.map((r) => r.id));
          for (const b of batch) b.resolve(recorded.has(b.id) ? 1 : 0);
        },
        (err: unknown) => {
          for (const b of batch) b.reject(err);
        },
      )
      .finally(() => {
        this.recordingSent--;
        if (!this.recordingSent && this.sentBatch.length > 0) this.flushSent();
      });
  }

  /** Records the outcome, only while we still hold the lease. */
  private async finish(id: string, attemptsBefore: number, outcome: Outcome, h?: Held, count = true): Promise<void> {
    const now = this.app.clock.now();
    const attempts = attemptsBefore + 1;
    let n: number;
    if (outcome.kind === "sent") {
      if (count) this.stats.sent++;
      n = await this.recordSent({ id, attempts, activityId: outcome.activityId ?? null, conversationId: h?.conversationId ?? null });
    } else if (outcome.kind === "retry" && attempts < this.app.config.DELIVERY_MAX_ATTEMPTS) {
      if (count) this.stats.retried++;
      const delay = Math.max(outcome.retryAfterMs ?? 0, outcome.retryAfterMs !== undefined ? 0 : backoffMs(attempts));
      const jitter = outcome.retryAfterMs !== undefined ? Math.round(Math.random() * 100) : 0;
      const next = new Date(now.getTime() + delay + jitter);
      this.app.log.info({ outboxId: id, attempts, status: outcome.status, retryInMs: delay + jitter }, "delivery will be retried");
      n = (
        await this.sql.query(
          `UPDATE "OutboxMessage" SET status = 'pending', attempts = $1, "nextAttemptAt" = $2::timestamp, "lastError" = $3,
             "lockedBy" = NULL, "lockedUntil" = NULL
           WHERE id = $4 AND "lockedBy" = $5 RETURNING id`,
          [attempts, next, outcome.reason, id, this.instanceId],
        )
      ).length;
      // Claim it again when it is due rather than at the next poll.
      setTimeout(() => {
        if (!this.stopped) this.wake();
      }, delay + jitter).unref();
    } else {
      const status = outcome.kind === "final" ? outcome.status : "dead";
      const reason =
        outcome.kind === "final" ? outcome.reason : `gave up after ${attempts} attempts; last: ${outcome.reason}`.slice(0, 500);
      if (count) this.stats[status]++;
      this.app.log.warn({ outboxId: id, attempts, status, reason }, "delivery finished without success");
      n = (
        await this.sql.query(
          `UPDATE "OutboxMessage" SET status = $1, attempts = $2, "finishedAt" = $3::timestamp, "lastError" = $4,
             "lockedBy" = NULL, "lockedUntil" = NULL
           WHERE id = $5 AND "lockedBy" = $6 RETURNING id`,
          [status, attempts, now, reason, id, this.instanceId],
        )
      ).length;
    }
    if (n === 0) {
      this.stats.lostLease++;
      this.app.log.warn({ outboxId: id, outcome: outcome.kind }, "delivery outcome not recorded: the lease had passed to another instance");
    }
  }
}
