// One workflow's life in one place. Each workflow's `states.ts` defines its machine: the statuses
// it may be in, and for each action the statuses it may start from and the one it ends in. Every
// status write goes through `transition` (or, on a hot path that writes in one SQL statement,
// through `step` and `statusGuardSql`), so a status no workflow defines cannot be written, and
// the database refuses one too (a CHECK constraint whose list `checkConstraintSql` gives, kept
// equal to the machine by test/unit/stateMachines.test.ts).
import { AlreadyDone } from "./errors";
import { recordHistory, type HistoryEntry } from "./history";
import type { Queryable } from "./sql";

export interface Step<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

export interface Machine<S extends string, A extends string> {
  /** The history's entity type for this workflow's rows. */
  readonly entity: HistoryEntry["entityType"];
  /** The SQL table (the Prisma model's name) whose `status` column the machine governs. */
  readonly table: string;
  readonly statuses: readonly S[];
  readonly initial: S;
  readonly steps: Readonly<Record<A, Step<S>>>;
}

export function defineMachine<const S extends string, const A extends string>(m: {
  entity: HistoryEntry["entityType"];
  table: string;
  statuses: readonly S[];
  initial: NoInfer<S>;
  steps: Record<A, Step<NoInfer<S>>>;
}): Machine<S, A> {
  for (const [action, s] of Object.entries<Step<S>>(m.steps))
    for (const st of [...s.from, s.to])
      if (!m.statuses.includes(st)) throw new Error(`${m.entity}: ${action} names ${st}, not one of its statuses`);
  return m;
}

/** The statuses an action may start from and the one it ends in. */
export function step<S extends string, A extends string>(m: Machine<S, A>, action: A): Step<S> {
  return m.steps[action];
}

/** Whether `action` may happen to a row that is now `status`. */
export function can<S extends string, A extends string>(m: Machine<S, A>, action: A, status: string): boolean {
  return (m.steps[action].from as readonly string[]).includes(status);
}

/** `status IN ($n, …)` for a hand-written guarded UPDATE, its values pushed onto `params`. */
export function statusGuardSql<S extends string, A extends string>(
  m: Machine<S, A>,
  action: A,
  params: unknown[],
  column = "status",
): string {
  return `${column} IN (${m.steps[action].from.map((s) => `$${params.push(s)}`).join(", ")})`;
}

/** The CHECK constraint a migration adds for this machine (and the test compares with the database). */
export function checkConstraintSql<S extends string, A extends string>(m: Machine<S, A>): string {
  return `ALTER TABLE "${m.table}" ADD CONSTRAINT "${m.table}_status_check" CHECK (status IN (${m.statuses
    .map((s) => `'${s}'`)
    .join(", ")}))`;
}

export interface TransitionOptions<S extends string> {
  id: string;
  actorId?: string | null;
  /**
   * Writes the row: an update limited to `id` and to a status in `from` (plus any guard of the
   * caller's own, such as the version it read), setting status to `to`. Returns how many rows it
   * changed (Prisma's updateMany count).
   */
  write: (from: S[], to: S) => Promise<{ count: number }>;
  /** What the history shows besides the status change (the status is added). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** Shown when the guard did not match; without it transition returns false instead of throwing. */
  alreadyDone?: string;
  /** The history's action name when it differs from the machine's (for example "accepted"). */
  historyAction?: string;
}

/**
 * The guarded status update and its history entry, in the caller's transaction. Returns true when
 * the row moved; false (or AlreadyDone when `alreadyDone` is given) when it was not in a status
 * the action starts from, so a double click records once.
 */
export async function transition<S extends string, A extends string>(
  tx: Queryable,
  m: Machine<S, A>,
  action: A,
  o: TransitionOptions<S>,
): Promise<boolean> {
  const { from, to } = m.steps[action];
  const r = await o.write([...from], to);
  if (r.count === 0) {
    if (o.alreadyDone) throw new AlreadyDone(o.alreadyDone);
    return false;
  }
  await recordHistory(tx, {
    entityType: m.entity,
    entityId: o.id,
    action: o.historyAction ?? action,
    actorId: o.actorId ?? null,
    before: { ...o.before, status: from.length === 1 ? from[0] : (o.before?.status ?? from) },
    after: { ...o.after, status: to },
  });
  return true;
}
