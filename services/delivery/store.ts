// The outbox store: every statement the sender runs on OutboxMessage, each one status step of
// states.ts (claim under a lease, renew, hand back, record the outcome), guarded by the lease
// ("lockedBy" = this instance) so an instance whose lease passed to another one changes nothing.
// docs/delivery.md explains the claims, the leases and the one window a crash can double a message.
import type { Clock } from "../clock";
import type { OutboxPayload } from "../outbox";
import type { Sql } from "../sql";
import { statusGuardSql, step } from "../stateMachine";
import { outboxMachine, type OutboxAction, type OutboxStatus } from "./states";

/** The status an action writes, as a SQL literal (a constant of the machine, never user input). */
const to = (a: OutboxAction): string => `'${step(outboxMachine, a).to}'`;

export const NOT_REACHABLE = "not reachable yet: the person has not opened Assure in Teams";

/** A claimed row with what sending needs, as the claim statement returns it. */
export interface ClaimedRow {
  id: string;
  recipientId: string;
  kind: string;
  cardKey: string | null;
  payload: OutboxPayload;
  attempts: number;
  prevStatus: OutboxStatus;
  prevOwner: string | null;
  /** When the previous claim (the attempt in doubt, for a takeover) started. */
  prevAttemptAt: Date | null;
  /** Why the previous attempt failed (UNANSWERED: it may have been delivered). */
  prevError: string | null;
  refConversationId: string | null;
  serviceUrl: string | null;
  tenantId: string | null;
  reference: unknown;
  cardConversationId: string | null;
  cardActivityId: string | null;
  /** When the last requests to this recipient were written (ms since the epoch, newest first): their conversation's windows. */
  recentRequests: number[] | null;
}

export interface StoredReference {
  conversationId: string;
  serviceUrl: string;
  tenantId: string | null;
  reference: unknown;
}

/** A success to record (see SentRecorder). */
export interface SentRecord {
  id: string;
  attempts: number;
  activityId: string | null;
  conversationId: string | null;
  /** When the request was written (ms since the epoch), for the conversation's windows across instances. */
  requestAt: number | null;
}

/** At most this many successes share one statement (see SentRecorder). */
const SENT_FLUSH_ROWS = 64;

export class OutboxStore {
  constructor(
    private readonly sql: Sql,
    /** Identifies this instance in lockedBy. */
    readonly owner: string,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {}

  private leaseEnd(now = this.clock.now()): Date {
    return new Date(now.getTime() + this.leaseMs);
  }

  /** People who never opened the bot (and no Graph): their due messages wait, visibly, until they do. */
  async holdUnreachable(now: Date): Promise<void> {
    const params: unknown[] = [NOT_REACHABLE, now];
    await this.sql.query(
      `UPDATE "OutboxMessage" o SET status = ${to("holdUnreachable")}, "lastError" = $1
       WHERE o.status = 'pending' AND o."notBefore" <= $2::timestamp AND o."nextAttemptAt" <= $2::timestamp
         AND NOT EXISTS (SELECT 1 FROM "ConversationReference" c WHERE c."staffId" = o."recipientId")`,
      params,
    );
  }

  /**
   * One round trip: pick (head of line, due, reachable), lease, and read what sending needs (the
   * conversation reference; for updates, the card's activity; the recipient's last requests).
   * Each status is read in seq order through the (status, seq) index and stops after `limit`
   * rows: the cost follows the batch, not the backlog. Merged, the three arms give the same
   * oldest-first batch. `held`: rows this instance holds in memory (never taken back from itself).
   */
  async claim(limit: number, opts: { graph: boolean; held: string[]; wallNow: number }): Promise<ClaimedRow[]> {
    const now = this.clock.now();
    // $1 now, $2 limit, $3 Graph configured, $4 this instance, $5 lease end, $6 held rows, $7 wall clock (ms).
    const headOfLine = `NOT EXISTS (
            SELECT 1 FROM "OutboxMessage" p
            WHERE p."recipientId" = o."recipientId" AND p.seq < o.seq
              AND p.status IN ('pending', 'waiting', 'sending') AND p."notBefore" <= $1::timestamp)`;
    const due = `o."nextAttemptAt" <= $1::timestamp AND o."notBefore" <= $1::timestamp`;
    const reachable = `($3::boolean OR EXISTS (SELECT 1 FROM "ConversationReference" c WHERE c."staffId" = o."recipientId"))`;
    const cols = `o.id, o.seq, o.status AS "prevStatus", o."lockedBy" AS "prevOwner", o."lastAttemptAt" AS "prevAttemptAt"`;
    return this.sql.query<ClaimedRow>(
      `WITH pending AS (
        SELECT ${cols} FROM "OutboxMessage" o
        WHERE o.status = 'pending' AND ${due} AND ${reachable} AND ${headOfLine}
        ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
      waiting AS (
        SELECT ${cols} FROM "OutboxMessage" o
        WHERE o.status = 'waiting' AND ${due} AND ${reachable} AND ${headOfLine}
        ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
      expired AS (
        SELECT ${cols} FROM "OutboxMessage" o
        WHERE o.status = 'sending' AND o."lockedUntil" < $1::timestamp AND o.id <> ALL($6::text[])
          AND ${due} AND ${headOfLine}
        ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
      picked AS (
        SELECT * FROM pending UNION ALL SELECT * FROM waiting UNION ALL SELECT * FROM expired
        ORDER BY seq LIMIT $2),
      claimed AS (
        UPDATE "OutboxMessage" m
        SET status = ${to("claim")}, "lockedBy" = $4, "lockedUntil" = $5::timestamp, "lastAttemptAt" = $1::timestamp
        FROM picked WHERE m.id = picked.id
        RETURNING m.id, m.seq, m."recipientId", m.kind, m."cardKey", m.payload, m.attempts, m."lastError" AS "prevError",
          picked."prevStatus", picked."prevOwner", picked."prevAttemptAt")
      SELECT cl.id, cl."recipientId", cl.kind, cl."cardKey", cl.payload, cl.attempts, cl."prevStatus", cl."prevOwner", cl."prevAttemptAt",
        cl."prevError",
        r."conversationId" AS "refConversationId", r."serviceUrl", r."tenantId", r.reference,
        ci."conversationId" AS "cardConversationId", ci."activityId" AS "cardActivityId",
        ARRAY(SELECT q."requestAt"::float8 FROM "OutboxMessage" q
          WHERE q."recipientId" = cl."recipientId" AND q."requestAt" > $7::bigint - 31000
          ORDER BY q."requestAt" DESC LIMIT 60) AS "recentRequests"
      FROM claimed cl
      LEFT JOIN "ConversationReference" r ON r."staffId" = cl."recipientId"
      LEFT JOIN "CardInstance" ci ON cl.kind = 'update' AND ci."cardKey" = cl."cardKey" AND ci."recipientId" = cl."recipientId"
      ORDER BY cl.seq`,
      [now, limit, opts.graph, this.owner, this.leaseEnd(now), opts.held, opts.wallNow],
    );
  }

  /**
   * Renews the lease of the rows this instance holds. SKIP LOCKED: a row being finished right now
   * (its outcome statement holds it) needs no renewal, and waiting for it deadlocked with a group
   * of successes locking the same rows in another order (rows recorded nowhere, left 'sending'
   * under a live instance).
   */
  async renew(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.query(
      `WITH r AS (
        SELECT id FROM "OutboxMessage"
        WHERE id = ANY($1::text[]) AND "lockedBy" = $2 AND status = 'sending'
        FOR UPDATE SKIP LOCKED)
      UPDATE "OutboxMessage" o SET "lockedUntil" = $3::timestamp FROM r WHERE o.id = r.id`,
      [ids, this.owner, this.leaseEnd()],
    );
  }

  /** Hands rows claimed but not sent back (a graceful stop): due again at once, for any instance. */
  async handBack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const params: unknown[] = [ids, this.owner];
    await this.sql.query(
      `UPDATE "OutboxMessage" SET status = ${to("release")}, "lockedBy" = NULL, "lockedUntil" = NULL
       WHERE id = ANY($1::text[]) AND "lockedBy" = $2 AND ${statusGuardSql(outboxMachine, "release", params)}`,
      params,
    );
  }

  /** Gives one claimed row back unsent: pending (due at once) or waiting (not reachable yet), with the reason. */
  async release(id: string, status: "pending" | "waiting", reason: string): Promise<void> {
    const action: OutboxAction = status === "waiting" ? "holdUnreachable" : "release";
    const params: unknown[] = [reason, id, this.owner];
    await this.sql.query(
      `UPDATE "OutboxMessage" SET status = ${to(action)}, "lastError" = $1, "lockedBy" = NULL, "lockedUntil" = NULL
       WHERE id = $2 AND "lockedBy" = $3 AND ${statusGuardSql(outboxMachine, action, params)}`,
      params,
    );
  }

  /** Reaching the person through Graph failed: waits, with the reason, until `next`. */
  async waitForGraph(id: string, reason: string, next: Date): Promise<void> {
    const params: unknown[] = [reason, next, id, this.owner];
    await this.sql.query(
      `UPDATE "OutboxMessage" SET status = ${to("holdUnreachable")}, "lastError" = $1, "nextAttemptAt" = $2::timestamp,
         "lockedBy" = NULL, "lockedUntil" = NULL
       WHERE id = $3 AND "lockedBy" = $4 AND ${statusGuardSql(outboxMachine, "holdUnreachable", params)}`,
      params,
    );
  }

  async reference(staffId: string): Promise<StoredReference | undefined> {
    const [ref] = await this.sql.query<StoredReference>(
      `SELECT "conversationId", "serviceUrl", "tenantId", reference FROM "ConversationReference" WHERE "staffId" = $1`,
      [staffId],
    );
    return ref;
  }

  /** A retry: pending again, due at `next`. Returns 1 if the row was still ours. */
  async recordRetry(id: string, r: { attempts: number; next: Date; reason: string; requestAt: number | null }): Promise<number> {
    const params: unknown[] = [r.attempts, r.next, r.reason, id, this.owner, r.requestAt];
    return (
      await this.sql.query(
        `UPDATE "OutboxMessage" SET status = ${to("retry")}, attempts = $1, "nextAttemptAt" = $2::timestamp, "lastError" = $3,
           "lockedBy" = NULL, "lockedUntil" = NULL, "requestAt" = COALESCE($6::bigint, "requestAt")
         WHERE id = $4 AND "lockedBy" = $5 AND ${statusGuardSql(outboxMachine, "retry", params)} RETURNING id`,
        params,
      )
    ).length;
  }

  /** Finished without success (dead, blocked, skipped). Returns 1 if the row was still ours. */
  async recordFinal(
    id: string,
    r: { status: "dead" | "blocked" | "skipped"; attempts: number; reason: string; requestAt: number | null },
  ): Promise<number> {
    const action: OutboxAction = r.status === "dead" ? "giveUp" : r.status === "blocked" ? "block" : "skip";
    const params: unknown[] = [r.attempts, this.clock.now(), r.reason, id, this.owner, r.requestAt];
    return (
      await this.sql.query(
        `UPDATE "OutboxMessage" SET status = ${to(action)}, attempts = $1, "finishedAt" = $2::timestamp, "lastError" = $3,
           "lockedBy" = NULL, "lockedUntil" = NULL, "requestAt" = COALESCE($6::bigint, "requestAt")
         WHERE id = $4 AND "lockedBy" = $5 AND ${statusGuardSql(outboxMachine, action, params)} RETURNING id`,
        params,
      )
    ).length;
  }

  /**
   * Records successes in one statement, with the CardInstance of each message that has a cardKey
   * (so later updates replace it). Returns the ids that were still ours.
   */
  async recordSent(batch: readonly SentRecord[]): Promise<Set<string>> {
    const params: unknown[] = [
      batch.map((b) => b.id),
      batch.map((b) => b.activityId),
      batch.map((b) => b.conversationId),
      batch.map((b) => b.attempts),
      this.clock.now(),
      this.owner,
      batch.map((b) => b.requestAt),
    ];
    const rows = await this.sql.query<{ id: string }>(
      `WITH v AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $7::bigint[]) AS v(id, "activityId", "conversationId", attempts, "requestAt")),
      u AS (
        UPDATE "OutboxMessage" o SET status = ${to("deliver")}, "sentAt" = $5::timestamp, "finishedAt" = $5::timestamp, "activityId" = v."activityId",
          "conversationId" = v."conversationId", "lockedBy" = NULL, "lockedUntil" = NULL, attempts = v.attempts, "lastError" = NULL,
          "requestAt" = COALESCE(v."requestAt", o."requestAt")
        FROM v WHERE o.id = v.id AND o."lockedBy" = $6 AND ${statusGuardSql(outboxMachine, "deliver", params, "o.status")}
        RETURNING o.id, o.kind, o."cardKey", o."recipientId", v."conversationId", v."activityId"),
      cards AS (
        INSERT INTO "CardInstance" (id, "cardKey", "recipientId", "conversationId", "activityId", "updatedAt", "createdAt")
        SELECT gen_random_uuid()::text, u."cardKey", u."recipientId", u."conversationId", u."activityId", $5::timestamp, $5::timestamp FROM u
        WHERE u.kind = 'send' AND u."cardKey" IS NOT NULL AND u."activityId" IS NOT NULL AND u."conversationId" IS NOT NULL
        ON CONFLICT ("cardKey", "recipientId") DO UPDATE
          SET "conversationId" = EXCLUDED."conversationId", "activityId" = EXCLUDED."activityId", "updatedAt" = EXCLUDED."updatedAt")
      SELECT id FROM u`,
      params,
    );
    return new Set(rows.map((r) => r.id));
  }
}

/**
 * Successes are recorded together, as a database group-commits: a success is written at once
 * unless a write of successes is already on its way, in which case it joins the next one, which
 * leaves as soon as that one is done (at most SENT_FLUSH_ROWS per statement). Under load that is
 * one statement for many answers; the window in which a crash loses a recorded success (and the
 * message is re-sent after its lease) is at most two statements long, and nothing waits on a timer.
 */
export class SentRecorder {
  private batch: Array<SentRecord & { resolve(n: number): void; reject(err: unknown): void }> = [];
  /** Writes of successes on their way to the database. */
  private writing = 0;

  constructor(private readonly store: OutboxStore) {}

  /** Resolves to 1 if the row was still ours, 0 if its lease had passed to another instance. */
  record(r: SentRecord): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.batch.push({ ...r, resolve, reject });
      if (!this.writing || this.batch.length >= SENT_FLUSH_ROWS) this.flush();
    });
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    this.writing++;
    this.store
      .recordSent(batch)
      .then(
        (recorded) => {
          for (const b of batch) b.resolve(recorded.has(b.id) ? 1 : 0);
        },
        (err: unknown) => {
          for (const b of batch) b.reject(err);
        },
      )
      .finally(() => {
        this.writing--;
        if (!this.writing && this.batch.length > 0) this.flush();
      });
  }
}
