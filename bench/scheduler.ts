// npm run bench:scheduler — 10,000 reminders due in the same minute, run by 2 scheduler processes
// (the real Agenda dispatcher over runDueJobs, see test/support/schedulerWorker.ts) against a
// fresh PostgreSQL database (on the server bench/benchDatabase.ts names), created and dropped
// here. Each reminder's effect is an outbox message and a history row; the run checks each
// happened exactly once. The workers run on a fixed clock (a Monday morning, the reminders a minute
// before it), so the run does the same work at any hour of any day. Prints one JSON line last,
// with what the run did: effects run, outbox messages written, jobs failed.
import { migrate } from "../prisma/migrate";
import { createPrisma } from "../services/db";
import { scheduleNewJobs } from "../services/jobs";
import { benchServerUrl, createBenchDatabase } from "./benchDatabase";
import { spawnWorker } from "../test/support/spawnWorker";

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const MODE = process.env.BENCH_MODE ?? "agenda";
const server = benchServerUrl();

const database = await createBenchDatabase(server);
const url = database.url;
const log = (msg: string) => console.error(`[bench] ${msg}`);
try {
  await migrate(url);
  const db = createPrisma(url, 4);
  const clock = "2026-12-07T08:30:00Z";
  const minute = new Date("2026-12-07T08:29:00Z").getTime();
  for (let i = 0; i < JOBS; i += 1000) {
    await scheduleNewJobs(
      db,
      Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({
        key: `bench:${i + k}`,
        name: "test.effect",
        runAt: new Date(minute + ((i + k) % 60_000)),
        data: { recipientId: `staff-${(i + k) % 60}` },
      })),
    );
  }
  log(`${JOBS} reminders scheduled in one minute; starting ${WORKERS} ${MODE} workers`);
  const env = { DATABASE_URL: url, CLOCK: clock, MODE, POLL_MS: "250", BATCH: process.env.BENCH_BATCH ?? "100", LEASE_MS: "60000" };
  const workers = await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker(env, 180_000)));
  // Time from the moment every worker is up to the last job done.
  const t0 = Date.now();
  for (;;) {
    const open = await db.scheduledJob.count({ where: { status: { in: ["pending", "running"] } } });
    if (open === 0) break;
    if (Date.now() - t0 > 30 * 60_000) throw new Error(`timed out with ${open} jobs open`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (Date.now() - t0) / 1000;
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  const perWorker = workers.map((w) => w.output().trim().split("\n").at(-1));
  log(`per worker: ${perWorker.join(" ")}`);
  const [counts] = await db.$queryRaw<{ keys: bigint; dup: bigint; effects: bigint }[]>`
    SELECT COUNT(DISTINCT "entityId") AS keys,
           COUNT(*) - COUNT(DISTINCT "entityId") AS dup,
           COUNT(*) AS effects
    FROM "History" WHERE action = 'effect' AND "entityId" LIKE 'bench:%'`;
  const messages = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: "effect:bench:" } } });
  const failed = await db.scheduledJob.count({ where: { status: "failed" } });
  await db.$disconnect();
  const duplicates = Number(counts!.dup);
  const missed = JOBS - Number(counts!.keys);
  log(`effects ${counts!.effects}, outbox messages ${messages}, failed jobs ${failed}`);
  console.log(
    JSON.stringify({
      clock,
      jobs: JOBS,
      effects: Number(counts!.effects),
      outboxMessages: messages,
      failed,
      seconds: Math.round(seconds * 100) / 100,
      duplicates,
      missed,
      workers: WORKERS,
      mode: MODE,
      jobsPerSecond: Math.round(JOBS / seconds),
    }),
  );
} finally {
  await database.drop();
}
