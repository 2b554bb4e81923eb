// The clock of `npm run bench:actions`: every process of the run (this load generator, the service
// instances, their background workers, the fake Bot Connector, the floor server) believes it is
// Tuesday 8 December 2026, 10:00 in London, and time runs on from there at its real pace. So the
// run does the same work at any hour of any day: at night, at a weekend or on a bank holiday the
// service would hold the cards each acknowledge puts in front of its viewers until the next working
// morning, and the sender would deliver none of them.
//
// Imported first by bench/actions.ts, and loaded into its child processes through NODE_OPTIONS
// (`--import`), which a forked background worker inherits. BENCH_CLOCK (an ISO instant) sets
// another start. The offset from the real time is fixed once, in the first process, and handed
// on (BENCH_CLOCK_OFFSET_MS), so all processes share one clock.
// Only Date moves: timers, performance.now() and PostgreSQL's own now() keep the real time (the
// service passes its clock's time to every statement that compares times).

const RealDate = Date;
if (!process.env.BENCH_CLOCK_OFFSET_MS) {
  const start = RealDate.parse(process.env.BENCH_CLOCK || "2026-12-08T10:00:00Z");
  if (Number.isNaN(start)) throw new Error(`BENCH_CLOCK is not an ISO instant: ${process.env.BENCH_CLOCK}`);
  process.env.BENCH_CLOCK_OFFSET_MS = String(start - RealDate.now());
}
const offset = Number(process.env.BENCH_CLOCK_OFFSET_MS);
/** What the clock showed when the first process of the run started. */
export const benchClockStart = new RealDate(RealDate.parse(process.env.BENCH_CLOCK || "2026-12-08T10:00:00Z")).toISOString();

/** Date, with "now" moved by `offset`; every other use (parsing, components) is the real Date's. */
function BenchDate(...args) {
  if (!new.target) return new RealDate(RealDate.now() + offset).toString();
  return args.length ? new RealDate(...args) : new RealDate(RealDate.now() + offset);
}
Object.setPrototypeOf(BenchDate, RealDate);
BenchDate.prototype = RealDate.prototype;
BenchDate.now = () => RealDate.now() + offset;
globalThis.Date = BenchDate;

/** Loads this clock into a child process started with `env` (its NODE_OPTIONS). */
export function withBenchClock(env) {
  const flag = `--import=${new URL(import.meta.url).href}`;
  const options = env.NODE_OPTIONS ?? "";
  return {
    ...env,
    BENCH_CLOCK_OFFSET_MS: process.env.BENCH_CLOCK_OFFSET_MS,
    NODE_OPTIONS: options.includes(flag) ? options : `${options} ${flag}`.trim(),
  };
}
