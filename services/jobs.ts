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
}

const LEASE_MS = 5 * 60_000;

/**
 * Claims due jobs (oldest deadline first; SKIP LOCKED so instances never share one) and runs them.
 * A job whose claim expired (its process died) is claimed again; because the handler's effects
 * and "done" commit together, a job that died before committing has had no effect.
 */
export async function runDueJobs(
  ctx: AppContext,
  handlers: JobHandlers,
  opts: { limit?: number; maxAttempts?: number } = {},
): Promise<RunResult> {
  const now = ctx.clock.now();
  const limit = opts.limit ?? 50;
  const maxAttempts = opts.maxAttempts ?? 5;
  const leaseUntil = new Date(Date.now() + LEASE_MS);
  const jobs = await ctx.db.$queryRaw<ClaimedJob[]>`
    UPDATE "ScheduledJob" SET status = 'running', "lockedUntil" = ${leaseUntil}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM "ScheduledJob"
      WHERE "runAt" <= ${now} AND (status = 'pending' OR (status = 'running' AND "lockedUntil" < ${new Date()}))
      ORDER BY "runAt", "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, key, name, data, "runAt", attempts`;
  jobs.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  const result: RunResult = { ran: 0, failed: 0 };
  for (const job of jobs) {
    const handler = handlers[job.name];
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      await ctx.db.$transaction(
        async (tx) => {
          // Re-check inside the transaction: a cancel may have landed since the claim.
          const current = await tx.scheduledJob.findUnique({ where: { id: job.id }, select: { status: true } });
          if (current?.status !== "running") return;
          await handler(tx, ctx, job.data ?? {}, { key: job.key, runAt: job.runAt });
          await tx.scheduledJob.update({ where: { id: job.id }, data: { status: "done", doneAt: ctx.clock.now(), lockedUntil: null } });
        },
        { timeout: 30_000 },
      );
      result.ran++;
    } catch (err) {
      result.failed++;
      ctx.log.error({ err, job: job.key }, "job failed");
      const final = job.attempts >= maxAttempts;
      await ctx.db.scheduledJob.update({
        where: { id: job.id },
        data: {
          status: final ? "failed" : "pending",
          lockedUntil: null,
          lastError: (err as Error).message.slice(0, 500),
          runAt: final ? undefined : new Date(now.getTime() + 60_000 * job.attempts),
        },
      });
    }
  }
  return result;
}
