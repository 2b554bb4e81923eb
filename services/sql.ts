// Hand-written SQL for the paths every user walks many times a day: who is acting, an audit page,
// an escalation card. Prisma's client costs several times the CPU per statement of the pg driver it
// sits on, the largest share of a request's CPU on these paths (docs/load.md).
//
// One Sql runs on either of two connections:
// - the application's pool (the same pg.Pool Prisma's adapter uses: no second set of connections),
//   for reads outside a transaction and for the short transactions of the hot paths (`transaction`);
// - a Prisma transaction (`$queryRawUnsafe`), so a helper written once also serves use cases that
//   still run in Prisma transactions.
// Both give the same JavaScript values: timestamps and dates as Date (UTC, as Prisma reads them),
// json as objects, text[] as arrays. Queries cast enum arrays to text[] and never return int8.
import pg from "pg";
import { poolOf, type Db, type Tx } from "./db";

export interface Sql {
  /** Rows of one statement; parameters are $1, $2, … (Dates are sent as UTC ISO strings). */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

// timestamp(3) columns hold UTC wall time (Prisma's convention); date columns a calendar day.
const TIMESTAMP = 1114;
const DATE = 1082;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === TIMESTAMP) return (s: string) => new Date(`${s.replace(" ", "T")}Z`);
    if (oid === DATE) return (s: string) => new Date(`${s}T00:00:00Z`);
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;

const param = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

function onClient(c: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const r = await c.query({ text, values: params.map(param), types });
      return r.rows as T[];
    },
  };
}

function onPrismaTx(tx: Tx): Sql {
  return {
    query: <T>(text: string, params: readonly unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params.map(param)),
  };
}

/** Where a helper may run: the application's client, a Prisma transaction, or an Sql (`transaction`). */
export type Queryable = Db | Tx | Sql;

const isSql = (q: Queryable): q is Sql => typeof (q as Partial<Sql>).query === "function";
// A transaction client has no $connect: only the application's client does.
const isClient = (q: Db | Tx): q is Db => typeof (q as Partial<Db>).$connect === "function";

/** SQL on the application's pool (db is the client createPrisma made), inside a Prisma transaction, or q itself. */
export function sqlOf(q: Queryable): Sql {
  if (isSql(q)) return q;
  return isClient(q) ? onClient(poolOf(q)) : onPrismaTx(q);
}

/**
 * BEGIN … COMMIT on one pooled connection (ROLLBACK when fn throws, and the error goes on up).
 * For the hot write paths; everything else uses Prisma's $transaction.
 */
export async function transaction<T>(db: Db, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  // While checked out the pool does not listen to this client: a connection dropped between two
  // statements (PostgreSQL restarted: 57P01) would be an unhandled 'error' event and end the
  // process. The error is kept; the statement under way fails on its own and rolls back.
  let broken: unknown;
  const onError = (err: unknown) => (broken ??= err);
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const out = await fn(onClient(client));
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch((e: unknown) => (broken = e));
    throw err;
  } finally {
    client.removeListener("error", onError);
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/**
 * The `(…), (…)` of a multi-row INSERT and its parameters; casts[i] follows column i's placeholder.
 * The placeholders continue `params` when given (one statement made of several parts).
 */
export function valuesOf(
  rows: readonly (readonly unknown[])[],
  casts: readonly string[] = [],
  params: unknown[] = [],
): { values: string; params: unknown[] } {
  const values = rows.map((r) => `(${r.map((v, i) => `$${params.push(v)}${casts[i] ?? ""}`).join(", ")})`).join(", ");
  return { values, params };
}

/** Rows to insert in a guarded write: `values` from valuesOf on the write's own params. */
export interface GuardedInsert {
  table: string;
  /** Quoted column list, e.g. `id, "auditId", area`. */
  columns: string;
  values: string;
  /** e.g. `ON CONFLICT ("auditId", area) DO UPDATE SET …` */
  onConflict?: string;
}

/** A row to change in a guarded write: `UPDATE … WHERE …` (no RETURNING) on the write's own params. */
export interface GuardedUpdate {
  update: string;
}

/**
 * A change and what goes with it (answers, history, outbox rows) as ONE statement: `guard` is an UPDATE …
 * RETURNING that matches only if the row is still as the caller saw it (its version), and the
 * other writes happen only if it matched. A single statement is atomic on its own, so this needs no
 * BEGIN/COMMIT: one round trip instead of one per statement plus two (a page save went
 * from 9 statements to 3). Returns whether the guard matched (false: nothing was written).
 */
export async function guardedWrite(
  sql: Sql,
  guard: string,
  writes: readonly (GuardedInsert | GuardedUpdate)[],
  params: unknown[],
): Promise<boolean> {
  const parts = writes.map((w, i) =>
    "update" in w
      ? `, w${i} AS (${w.update} AND EXISTS (SELECT FROM guard))`
      : `, w${i} AS (INSERT INTO ${w.table} (${w.columns}) SELECT v.* FROM (VALUES ${w.values}) AS v(${w.columns}) WHERE EXISTS (SELECT FROM guard)${w.onConflict ? ` ${w.onConflict}` : ""})`,
  );
  const rows = await sql.query<{ n: number }>(`WITH guard AS (${guard})${parts.join("")} SELECT count(*)::int AS n FROM guard`, params);
  return (rows[0]?.n ?? 0) > 0;
}
