// Deadlines as jobs. A service schedules a job in the same transaction as the state change that
// creates the deadline (so a crash cannot lose it) and cancels it the same way when the work is
// done (so a reminder never nags about finished work). The scheduler (scheduler/) runs due jobs:
// each job's handler runs in one transaction with marking the job done, so its effects — state,
// history, outbox messages — happen exactly once even with several instances.
import type { AppContext } from "./context";
import type { Tx } from "./db";
import type { Prisma } from "../generated/prisma/client";

export interface JobSpec {
  /** Idempotency key naming the deadline, e.g. "audit:<id>:followup". */
  key: string;
  /** Handler name, e.g. "audit.followUpDue". */
  name: string;
  runAt: Date;
  data?: Record<string, unknown>;
}

/** Schedules (or moves) the job with this key. */
export async function scheduleJob(tx: Tx, job: JobSpec): Promise<void> {
  const data = (job.data ?? {}) as Prisma.InputJsonValue;
  await tx.scheduledJob.upsert({
    where: { key: job.key },
    update: { name: job.name, runAt: job.runAt, data, status: "pending", attempts: 0, lastError: null, lockedUntil: null, doneAt: null },
    create: { key: job.key, name: job.name, runAt: job.runAt, data },
  });
}

/** Schedules many new jobs at once (keys already present are left as they are). Returns how many were added. */
export async function scheduleNewJobs(tx: Tx, jobs: JobSpec[]): Promise<number> {
  if (!jobs.length) return 0;
  const r = await tx.scheduledJob.createMany({
    data: jobs.map((j) => ({ key: j.key, name: j.name, runAt: j.runAt, data: (j.data ?? {}) as Prisma.InputJsonValue })),
    skipDuplicates: true,
  });
  return r.count;
}

/** Cancels pending jobs whose key is `key` or starts with `key` + ":" . Returns how many. */
export async function cancelJobs(tx: Tx, key: string): Promise<number> {
  const r = await tx.scheduledJob.updateMany({
    where: { status: "pending", OR: [{ key }, { key: { startsWith: `${key}:` } }] },
    data: { status: "cancelled", doneAt: new Date() },
  });
  return r.count;
}

export type JobHandler = (tx: Tx, ctx: AppContext, data: Record<string, unknown>, job: { key: string; runAt: Date }) => Promise<void>;
export type JobHandlers = Record<string, JobHandler>;

interface ClaimedJob {
  id: string;
  key: string;
  name: string;
  data: Record<string, unknown>;
  runAt: Date;
  attempts: number;
}

export interface RunResult {
  ran: number;
  failed: number;
  /** Claimed but skipped: cancelled, or reclaimed by another instance after our lease ran out. */
  skipped: number;
}

export interface RunOptions {
  /** How many due jobs one claim takes (default 50). */
  limit?: number;
  maxAttempts?: number;
  /** How long a claim is valid (real time) before another instance may take the job over (default 5 min). */
  leaseMs?: number;
  /** Stop between jobs when this turns true (graceful shutdown). */
  shouldStop?: () => boolean;
}

const LEASE_MS = 5 * 60_000;

/**
 * Claims due jobs (oldest deadline first; SKIP LOCKED so instances never share one) and runs them.
 * The claimed batch runs in one transaction: the jobs are marked done and their handlers' effects
 * (state, history, outbox) commit together; if a handler fails the batch is rerun one job per
 * transaction, so the failing job is undone alone and retried later. A process that dies mid-batch commits nothing; its claim expires after
 * `leaseMs` and another instance runs the jobs then. The claim's `attempts` value is its token:
 * jobs are marked done only if still running under OUR claim (that UPDATE also locks them until
 * commit), so a job reclaimed by another instance after a lease expiry is never run twice.
 */
export async function runDueJobs(ctx: AppContext, handlers: JobHandlers, opts: RunOptions = {}): Promise<RunResult> {
  const now = ctx.clock.now();
  const limit = opts.limit ?? 50;
  const maxAttempts = opts.maxAttempts ?? 5;
  const leaseUntil = new Date(Date.now() + (opts.leaseMs ?? LEASE_MS));
  const jobs = await ctx.db.$queryRaw<ClaimedJob[]>`
    UPDATE "ScheduledJob" SET status = 'running', "lockedUntil" = ${leaseUntil}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM "ScheduledJob"
      WHERE "runAt" <= ${now} AND (status = 'pending' OR (status = 'running' AND "lockedUntil" < ${new Date()}))
      ORDER BY "runAt", "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, key, name, data, "runAt", attempts`;
  jobs.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  const result: RunResult = { ran: 0, failed: 0, skipped: 0 };
  if (!jobs.length) return result;
  if (opts.shouldStop?.()) {
    // Hand the claim back at once rather than leaving it to a lease expiry.
    for (const r of jobs) {
      await ctx.db.scheduledJob.updateMany({
        where: { id: r.id, status: "running", attempts: r.attempts },
        data: { status: "pending", lockedUntil: null, attempts: r.attempts - 1 },
      });
    }
    return result;
  }
  // Fast path: the whole claimed batch in ONE transaction (one commit instead of one per job). If
  // any handler fails, that transaction rolls back entirely and the batch is run again one job per
  // transaction, so a failing job is undone alone and the others still commit.
  try {
    await ctx.db.$transaction((tx) => runBatch(tx, ctx, handlers, jobs, result, true), { timeout: 30_000 + 500 * jobs.length });
    return result;
  } catch (err) {
    if (!(err instanceof BatchHandlerFailed)) throw err;
    result.ran = 0;
    result.skipped = 0;
  }
  for (const job of jobs) {
    try {
      await ctx.db.$transaction((tx) => runBatch(tx, ctx, handlers, [job], result, false), { timeout: 30_000 });
    } catch (err) {
      result.failed++;
      ctx.log.error({ err, job: job.key }, "job failed");
      const final = job.attempts >= maxAttempts;
      await ctx.db.scheduledJob.updateMany({
        where: { id: job.id, status: "running", attempts: job.attempts },
        data: {
          status: final ? "failed" : "pending",
          lockedUntil: null,
          lastError: String((err as Error)?.message ?? err).slice(0, 500),
          runAt: final ? undefined : new Date(now.getTime() + 60_000 * job.attempts),
        },
      });
    }
  }
  return result;
}

class BatchHandlerFailed extends Error {}

async function runBatch(tx: Tx, ctx: AppContext, handlers: JobHandlers, jobs: ClaimedJob[], result: RunResult, batch: boolean) {
  const ids = jobs.map((j) => j.id);
  const attempts = jobs.map((j) => j.attempts);
  // Still ours? (not cancelled, not reclaimed by another instance after a lease expiry). The UPDATE
  // locks these rows until commit, so nobody else can take them meanwhile.
  const mine = await tx.$queryRaw<{ id: string }[]>`
    UPDATE "ScheduledJob" SET status = 'done', "doneAt" = ${ctx.clock.now()}, "lockedUntil" = NULL
    WHERE status = 'running' AND (id, attempts) IN (SELECT * FROM unnest(${ids}::text[], ${attempts}::int[]))
    RETURNING id`;
  const owned = new Set(mine.map((r) => r.id));
  let ran = 0;
  let skipped = 0;
  for (const job of jobs) {
    if (!owned.has(job.id)) {
      skipped++;
      continue;
    }
    const handler = handlers[job.name];
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      await handler(tx, ctx, job.data ?? {}, { key: job.key, runAt: job.runAt });
    } catch (err) {
      if (batch) throw new BatchHandlerFailed(String(err));
      throw err;
    }
    ran++;
  }
  // Counted only once the transaction body succeeded (a rolled-back batch is run again).
  result.ran += ran;
  result.skipped += skipped;
}

/** Runs due jobs until none is left (or `shouldStop`). Returns the totals. */
export async function runAllDueJobs(ctx: AppContext, handlers: JobHandlers, opts: RunOptions = {}): Promise<RunResult> {
  const total: RunResult = { ran: 0, failed: 0, skipped: 0 };
  for (;;) {
    const r = await runDueJobs(ctx, handlers, opts);
    total.ran += r.ran;
    total.failed += r.failed;
    total.skipped += r.skipped;
    if (r.ran + r.failed + r.skipped === 0 || opts.shouldStop?.()) return total;
    // A claim that only failed (retry scheduled later) cannot loop forever: failed jobs move their runAt.
  }
}

export interface JobListing {
  key: string;
  name: string;
  status: string;
  runAt: Date;
  attempts: number;
  lastError: string | null;
  lockedUntil: Date | null;
}

/** The queue for operators: pending, running and failed jobs, by due time. */
export async function listJobs(ctx: AppContext, opts: { statuses?: string[]; limit?: number } = {}) {
  const statuses = opts.statuses ?? ["pending", "running", "failed"];
  const [rows, counts] = await Promise.all([
    ctx.db.scheduledJob.findMany({
      where: { status: { in: statuses } },
      orderBy: [{ runAt: "asc" }, { createdAt: "asc" }],
      take: opts.limit ?? 200,
      select: { key: true, name: true, status: true, runAt: true, attempts: true, lastError: true, lockedUntil: true },
    }),
    ctx.db.scheduledJob.groupBy({ by: ["name", "status"], _count: { _all: true }, _min: { runAt: true }, orderBy: { name: "asc" } }),
  ]);
  return {
    summary: counts.map((c) => ({ name: c.name, status: c.status, count: c._count._all, nextRunAt: c._min.runAt })),
    jobs: rows as JobListing[],
  };
}
