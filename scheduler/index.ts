// The scheduler: Agenda 6 on the same PostgreSQL, its tables kept in schema "agenda". Deadlines
// themselves are rows in ScheduledJob (services/jobs.ts), written in the same transaction as the
// state change; Agenda runs a recurring dispatcher ("jobs.dispatch") that claims and runs the due
// ones, plus recurring jobs (scheduler/recurring.ts). Jobs call services, never the database.
//
// Several instances may run against one database: each due ScheduledJob is claimed with
// FOR UPDATE SKIP LOCKED and its effects commit together with "done", so it runs exactly once.
// The dispatcher has `lanes` rows (default 2), each run by at most one process at a time
// (concurrency 1 and lock limit 1 per process), so two instances dispatch in parallel.
import pg from "pg";
import { Agenda, type Job } from "agenda";
import { PostgresBackend } from "@agendajs/postgres-backend";
import type { AppContext } from "../services/context";
import { runDueJobs, type JobHandlers, type RunResult } from "../services/jobs";
import { buildRecurringJobs, type RecurringJob } from "./recurring";

export const AGENDA_SCHEMA = "agenda";
export const DISPATCH_JOB = "jobs.dispatch";
/** pg_advisory_lock key serialising Agenda set-up between instances starting together. */
const SETUP_LOCK = 724_311_905;

export interface SchedulerOptions {
  databaseUrl: string;
  handlers: JobHandlers;
  /** How often Agenda polls and the dispatcher runs (ms). */
  pollMs: number;
  /** Dispatcher rows: how many processes may dispatch at the same time (default 2). */
  lanes?: number;
  /** ScheduledJob claim size and lease (see runDueJobs). */
  batchSize?: number;
  leaseMs?: number;
  recurring?: RecurringJob[];
  /** Agenda instance name (shown in its lastModifiedBy column). */
  name?: string;
}

export interface Scheduler {
  agenda: Agenda;
  /** Totals of ScheduledJobs this process ran. */
  stats: RunResult;
  /** Stops taking work, lets the running dispatch finish its current job, then disconnects. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Creates schema "agenda" once; Agenda's own tables are created inside it by the first instance. */
async function withSetupLock<T>(databaseUrl: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", () => {}); // a dropped connection fails the statement under way instead
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SETUP_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${AGENDA_SCHEMA}"`);
    return await fn();
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [SETUP_LOCK]).catch(() => {});
    await client.end();
  }
}

export async function startScheduler(ctx: AppContext, opts: SchedulerOptions): Promise<Scheduler> {
  const lanes = opts.lanes ?? 2;
  const recurring = opts.recurring ?? buildRecurringJobs();
  const stats: RunResult = { ran: 0, failed: 0, skipped: 0 };
  let stopping = false;
  const lockLifetime = Math.max(60_000, opts.pollMs * 4);

  // Agenda's pool is ours, so its connections' errors are handled: the backend adds no 'error'
  // listener, and a connection dropped while idle (PostgreSQL restarted) ended the process. Agenda
  // itself logs a failed poll and polls again.
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2, options: `-c search_path=${AGENDA_SCHEMA}` });
  pool.on("error", (err) => ctx.log.warn({ err }, "scheduler: a database connection was dropped"));
  const agenda = await withSetupLock(opts.databaseUrl, async () => {
    const backend = new PostgresBackend({
      // Notifications are off (so there is no LISTEN client): the dispatcher is recurring, so
      // polling finds it; on embedded PGlite LISTEN/NOTIFY does not work anyway, and a pool of 2
      // never deadlocks.
      pool,
      disableNotifications: true,
      ensureSchema: true,
    });
    // Agenda releases a lock without waiting for it (no catch): with the database away that was an
    // unhandled rejection, which ends the process. A lock not released expires (lockLifetime).
    const repository = backend.repository;
    const unlockJob = repository.unlockJob.bind(repository);
    repository.unlockJob = (job) =>
      unlockJob(job).catch((err: unknown) => ctx.log.warn({ err }, "scheduler: releasing a job lock failed; it expires"));
    const a = new Agenda({
      name: opts.name ?? `assure-${process.pid}`,
      backend,
      processEvery: opts.pollMs,
      maxConcurrency: 1 + recurring.length,
      defaultLockLifetime: lockLifetime,
    });
    await a.ready;
    return a;
  });

  agenda.define(
    DISPATCH_JOB,
    async (job: Job) => {
      for (;;) {
        if (stopping) return;
        const r = await runDueJobs(ctx, opts.handlers, { limit: opts.batchSize, leaseMs: opts.leaseMs, shouldStop: () => stopping });
        stats.ran += r.ran;
        stats.failed += r.failed;
        stats.skipped += r.skipped;
        if (r.ran + r.failed + r.skipped === 0) return;
        await job.touch(); // keep Agenda's lock on this lane while catching up
      }
    },
    { concurrency: 1, lockLimit: 1, lockLifetime },
  );
  for (const rj of recurring) {
    agenda.define(
      rj.name,
      async () => {
        if (!stopping) await rj.run(ctx, () => stopping);
      },
      { concurrency: 1, lockLifetime: rj.lockLifetimeMs ?? 10 * 60_000 },
    );
  }

  await withSetupLock(opts.databaseUrl, async () => {
    for (let lane = 0; lane < lanes; lane++) {
      await agenda.create(DISPATCH_JOB, { lane }).repeatEvery(opts.pollMs, { skipImmediate: false }).unique({ "data.lane": lane }).save();
    }
    for (const rj of recurring) {
      await agenda.every(rj.interval, rj.name, undefined, { timezone: ctx.config.TIMEZONE });
    }
  });
  await agenda.start();
  ctx.log.info({ pollMs: opts.pollMs, lanes, recurring: recurring.map((r) => r.name) }, "scheduler started");

  return {
    agenda,
    stats,
    async stop(timeoutMs = 8_000) {
      stopping = true;
      // drain(): stop fetching, wait for the running dispatch (it returns after its current job),
      // then unlock and disconnect. A job interrupted by a kill is simply claimed again later.
      const r = await agenda.drain(timeoutMs);
      if (r.timedOut) await agenda.stop().catch(() => {});
      await pool.end().catch(() => {});
      ctx.log.info({ ...stats }, "scheduler stopped");
    },
  };
}
