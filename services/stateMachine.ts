// One workflow's life in one place. Each workflow's `states.ts` defines its machine: the statuses
// it may be in, and for each action the statuses it may start from and the one it ends in. Every
// status write goes through `transition` (or, on a hot path that writes in one SQL statement,
// through `step` and `statusGuardSql`), so a status no workflow defines cannot be written, and
// the database refuses one too (a CHECK constraint whose list `checkConstraintSql` gives, kept
// equal to the machine by test/stateMachines.test.ts).
import { AlreadyDone } from "./errors";
import { recordHistory, type HistoryEntry } from "./history";
import type { Queryable } from "./sql";

export interface Step<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

/**
 * A step as its diagram reads: `"accepted | in_progress -> submitted"` (one to three statuses it
 * may start from, then the one it ends in). The compiler checks every name against the statuses.
 */
export type StepSpec<S extends string> = `${S | `${S} | ${S}` | `${S} | ${S} | ${S}`} -> ${S}`;

export interface Machine<S extends string, A extends string> {
  /** The history's entity type for this workflow's rows. */
  readonly entity: HistoryEntry["entityType"];
  /** The SQL table (the Prisma model's name) whose `status` column the machine governs. */
  readonly table: string;
  readonly statuses: readonly S[];
  readonly initial: S;
  readonly steps: Readonly<Record<A, Step<S>>>;
}

/** "practice_day_case" → "PracticeDayCase": the table of an entity, unless its machine names another. */
const tableOf = (entity: string) => entity.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/**
 * A workflow's machine: its history entity, its statuses, and its steps by action. Its table is the
 * entity in PascalCase and it starts in its first status, unless `more` says otherwise.
 */
export function defineMachine<const S extends string, const A extends string>(
  entity: HistoryEntry["entityType"],
  statuses: readonly S[],
  specs: Record<A, StepSpec<NoInfer<S>>>,
  more: { table?: string; initial?: NoInfer<S> } = {},
): Machine<S, A> {
  const steps = {} as Record<A, Step<S>>;
  const isStatus = (x: string | undefined): x is S => (statuses as readonly (string | undefined)[]).includes(x);
  for (const [action, spec] of Object.entries<string>(specs)) {
    const [from = [], to = [], ...extra] = spec.split("->").map((side) => side.split("|").map((x) => x.trim()));
    if (to.length !== 1 || extra.length) throw new Error(`${entity}: ${action} is not "from | from -> to": ${spec}`);
    const unknown = [...from, ...to].find((x) => !isStatus(x));
    if (unknown !== undefined) throw new Error(`${entity}: ${action} names ${unknown}, not one of its statuses`);
    steps[action as A] = { from: from as S[], to: to[0] as S };
  }
  return { entity, table: more.table ?? tableOf(entity), statuses, initial: more.initial ?? statuses[0]!, steps };
}

/** The statuses an action may start from and the one it ends in. */
export function step<S extends string, A extends string>(m: Machine<S, A>, action: A): Step<S> {
  return m.steps[action];
}

/** Whether `action` may happen to a row that is now `status`. */
export function can<S extends string, A extends string>(m: Machine<S, A>, action: A, status: string): boolean {
  return (m.steps[action].from as readonly string[]).includes(status);
}

/** The statuses some action leaves: the row still waits on someone (or on the sender). */
export function openStatuses<S extends string, A extends string>(m: Machine<S, A>): S[] {
  const left = new Set<S>(Object.values<Step<S>>(m.steps).flatMap((s) => s.from));
  return m.statuses.filter((s) => left.has(s));
}

/** The statuses no action leaves: the row's life is over. */
export function finalStatuses<S extends string, A extends string>(m: Machine<S, A>): S[] {
  const open = openStatuses(m);
  return m.statuses.filter((s) => !open.includes(s));
}

/** The statuses by name (`SupervisionStatus.held`), for readers: reports, views, card data. */
export function byName<S extends string, A extends string>(m: Machine<S, A>): { readonly [K in S]: K } {
  return Object.fromEntries(m.statuses.map((s) => [s, s])) as { [K in S]: K };
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
