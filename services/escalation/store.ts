// Where escalations are read and written: the hand-written SQL of the escalation use cases
// (services/sql.ts says why), and the one status write, through the machine (states.ts).
import type { Prisma } from "../../generated/prisma/client";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { NotFound } from "../errors";
import { casUpdate, teamsUserIds, type CardSend } from "../viewerCards";
import { guardedWrite, sqlOf, valuesOf, type GuardedInsert, type GuardedUpdate, type Queryable } from "../sql";
import { statusGuardSql, transition } from "../stateMachine";
import { escalationMachine, type EscalationStatus } from "./states";

export type EscalationRow = Prisma.EscalationGetPayload<{ include: { case: true } }>;

export interface ExtensionRequest {
  byId: string;
  days: number;
  reason: string;
  at: string;
}

/** What the card and the checks read of an event (its order is the table's id, never returned). */
export interface EventRow {
  stage: number;
  kind: string;
  actorId: string | null;
  text: string | null;
  at: Date;
}

/** Someone who follows the card or acted in its last events: name, whether they manage the case worker, Teams reference. */
export interface Person {
  id: string;
  name: string;
  manager: boolean;
  reference: unknown;
}

export interface Loaded {
  row: EscalationRow;
  events: EventRow[];
  /** The people the card names or is shown to (viewersAndNames), read with the row. */
  people?: Person[];
  /** The card's first sends already in the outbox (showCardInWrite), when asked for. */
  sends?: CardSend[];
}

/** Events shown on the card (the latest). */
export const EVENTS_ON_CARD = 8;

const CASE_COLUMNS = ["id", "caseRef", "teamId", "workerId", "planType", "openedOn", "active", "createdAt", "updatedAt"] as const;
const EVENT_COLUMNS = `stage, kind, "actorId", text, at`;

/** What a missing escalation answers, and what anyone who may not read it is answered. */
export const ESCALATION_MISSING = "That escalation does not exist.";

/** The escalation with its case: one statement. */
export async function load(tx: Queryable, id: string): Promise<EscalationRow> {
  return (await loadRow(tx, id, false)).row;
}

/**
 * The escalation with its case, every event (oldest first) and the people of its card
 * (viewersAndNames), and, given the card's key, its sends already made: one statement.
 */
export async function loadWithEvents(tx: Queryable, id: string, cardKey?: string): Promise<Loaded> {
  return loadRow(tx, id, true, cardKey);
}

/**
 * The people viewersAndNames reads, as a column of the escalation's row: the raiser, the stage's
 * owners, the case worker, everyone who was a stage owner and the actors of the events shown,
 * and the case worker's line manager (`manager`), with their Teams references.
 */
const PEOPLE = `(SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name, 'manager', coalesce(s.id = m.id, false), 'reference', r.reference)), '[]')
   FROM "Staff" s LEFT JOIN "ConversationReference" r ON r."staffId" = s.id
   LEFT JOIN LATERAL (SELECT w."lineManagerId" AS id FROM "Staff" w WHERE w.id = c."workerId") m ON true
   WHERE s.id = ANY(ARRAY[e."raiserId", c."workerId"] || e."stageOwnerIds" || ARRAY(
       SELECT x."actorId" FROM (SELECT v."actorId", v.kind, row_number() OVER (ORDER BY v.id DESC) AS k FROM "EscalationEvent" v WHERE v."escalationId" = e.id) x
       WHERE x."actorId" IS NOT NULL AND (x.kind = 'stage_owner' OR x.k <= ${EVENTS_ON_CARD})))
     OR s.id = m.id) AS "people.all"`;

/**
 * The card's first sends ($2: its key) to the people it is shown to (viewersAndNames' viewers:
 * the raiser, the case worker and their manager, the stage's owners and every owner so far).
 */
const SENDS = `(SELECT coalesce(json_agg(json_build_object('id', o.id, 'recipientId', o."recipientId", 'status', o.status)), '[]')
   FROM "OutboxMessage" o WHERE o."cardKey" = $2 AND o.kind = 'send' AND o."recipientId" = ANY(
     ARRAY[e."raiserId", c."workerId", (SELECT w."lineManagerId" FROM "Staff" w WHERE w.id = c."workerId")] || e."stageOwnerIds"
     || ARRAY(SELECT v."actorId" FROM "EscalationEvent" v WHERE v."escalationId" = e.id AND v.kind = 'stage_owner'))) AS "sends.all"`;

async function loadRow(tx: Queryable, id: string, withEvents: boolean, cardKey?: string): Promise<Loaded> {
  const events = withEvents
    ? `, (SELECT coalesce(json_agg(json_build_object('stage', v.stage, 'kind', v.kind, 'actorId', v."actorId", 'text', v.text, 'at', v.at) ORDER BY v.id), '[]')
         FROM "EscalationEvent" v WHERE v."escalationId" = e.id) AS "events.all", ${PEOPLE}${cardKey ? `, ${SENDS}` : ""}`
    : "";
  const [row] = await sqlOf(tx).query<Record<string, unknown>>(
    `SELECT e.*, ${CASE_COLUMNS.map((c) => `c."${c}"${c === "planType" ? "::text" : ""} AS "case.${c}"`).join(", ")}${events}
     FROM "Escalation" e LEFT JOIN "Case" c ON c.id = e."caseId" WHERE e.id = $1`,
    cardKey ? [id, cardKey] : [id],
  );
  if (!row) throw new NotFound(ESCALATION_MISSING);
  const e: Record<string, unknown> = {};
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith("case.")) c[k.slice(5)] = v;
    else if (k !== "events.all" && k !== "people.all" && k !== "sends.all") e[k] = v;
  }
  // JSON carries a timestamp(3) as UTC wall time without a zone (Prisma's convention).
  const all = (row["events.all"] ?? []) as (Omit<EventRow, "at"> & { at: string })[];
  const loaded: Loaded = {
    row: { ...e, case: c.id ? c : null } as EscalationRow,
    events: all.map((x) => ({ ...x, at: new Date(`${x.at}Z`) })),
  };
  if (withEvents) loaded.people = row["people.all"] as Person[];
  if (cardKey) loaded.sends = row["sends.all"] as CardSend[];
  return loaded;
}

/** An event to insert with a guarded change (bump's `also`), continuing its params. */
export function eventInsert(e: { id: string; stage: number }, x: EventRow, params: unknown[]): GuardedInsert {
  return {
    table: `"EscalationEvent"`,
    columns: `"escalationId", ${EVENT_COLUMNS}`,
    values: valuesOf([[e.id, x.stage, x.kind, x.actorId, x.text, x.at]], ["", "::int", "", "", "", "::timestamp"], params).values,
  };
}

export async function addEvent(
  tx: Queryable,
  e: { id: string; stage: number },
  kind: string,
  actorId: string | null,
  text: string,
  at: Date,
) {
  const [row] = await sqlOf(tx).query<EventRow>(
    `INSERT INTO "EscalationEvent" ("escalationId", ${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::timestamp)
     RETURNING ${EVENT_COLUMNS}`,
    [e.id, e.stage, kind, actorId, text, at],
  );
  return row!;
}

/**
 * People who follow the card (raiser, current owners, case worker and their manager, and every
 * owner so far) with their names, the names of the last events' actors, and the followers' Teams
 * ids for the card's refresh: one statement, or none when they came with the row (`people` of
 * loadWithEvents, read before an action that adds an event of one of them or changes nothing else).
 */
export async function viewersAndNames(tx: Queryable, e: EscalationRow, all: EventRow[], shown: EventRow[], people?: Person[]) {
  const worker = e.case?.workerId ? [e.case.workerId] : [];
  const pastOwners = all.flatMap((p) => (p.kind === "stage_owner" && p.actorId ? [p.actorId] : []));
  const shownActors = shown.flatMap((x) => (x.actorId ? [x.actorId] : []));
  const rows =
    people ??
    (await sqlOf(tx).query<Person>(
      `WITH m AS (SELECT "lineManagerId" AS id FROM "Staff" WHERE id = $2)
       SELECT s.id, s.name, s.id IN (SELECT id FROM m) AS manager, r.reference FROM "Staff" s
       LEFT JOIN "ConversationReference" r ON r."staffId" = s.id
       WHERE s.id = ANY($1::text[]) OR s.id IN (SELECT id FROM m)`,
      [[...new Set([e.raiserId, ...e.stageOwnerIds, ...worker, ...pastOwners, ...shownActors])], e.case?.workerId ?? null],
    ));
  const manager = rows.filter((r) => r.manager).map((r) => r.id);
  const viewers = [...new Set([e.raiserId, ...e.stageOwnerIds, ...worker, ...manager, ...pastOwners])];
  const refreshIds = teamsUserIds(rows.filter((r) => viewers.includes(r.id)).map((r) => r.reference));
  return { viewers, names: new Map(rows.map((r) => [r.id, r.name])), refreshIds };
}

/** What an action may change besides the version (each column written only when given). */
export interface EscalationChange {
  extensionRequest?: ExtensionRequest | null;
  stage?: number;
  stageOwnerIds?: string[];
  stageDeadline?: Date;
  cafcassReferredAt?: Date;
  resolvedAt?: Date;
}

/**
 * Optimistic concurrency: the change is written only if the row is still at e.version (and, for a
 * status change, in one of the statuses `status.from`), and with it, in the same statement, the
 * rows `also` returns (an event, history). Anything else acted first: Conflict.
 */
export async function bump(
  tx: Queryable,
  e: { id: string; version: number },
  data: EscalationChange = {},
  also: (params: unknown[]) => (GuardedInsert | GuardedUpdate)[] = () => [],
  status?: { action: keyof typeof escalationMachine.steps; to: EscalationStatus },
) {
  const params: unknown[] = [e.id, e.version, new Date()];
  const set = ["version = version + 1", '"updatedAt" = $3::timestamp'];
  const where = ["id = $1", "version = $2"];
  if (status) {
    set.push(`status = $${params.push(status.to)}`);
    where.push(statusGuardSql(escalationMachine, status.action, params));
  }
  if (data.extensionRequest !== undefined)
    set.push(`"extensionRequest" = $${params.push(data.extensionRequest && JSON.stringify(data.extensionRequest))}::jsonb`);
  if (data.stage !== undefined) set.push(`stage = $${params.push(data.stage)}::int`);
  if (data.stageOwnerIds) set.push(`"stageOwnerIds" = $${params.push(data.stageOwnerIds)}::text[]`);
  if (data.stageDeadline) set.push(`"stageDeadline" = $${params.push(data.stageDeadline)}::timestamp`);
  if (data.cafcassReferredAt) set.push(`"cafcassReferredAt" = $${params.push(data.cafcassReferredAt)}::timestamp`);
  if (data.resolvedAt) set.push(`"resolvedAt" = $${params.push(data.resolvedAt)}::timestamp`);
  const guard = `UPDATE "Escalation" SET ${set.join(", ")} WHERE ${where.join(" AND ")} RETURNING id`;
  const written = guardedWrite(sqlOf(tx), guard, also(params), params);
  await casUpdate(written.then((ok) => ({ count: ok ? 1 : 0 })));
}

/**
 * A status change through the machine: the row moves only from the step's statuses and at the
 * version read (else Conflict), and the history entry records it.
 */
export async function moveStatus(
  tx: Queryable,
  e: { id: string; version: number; status: string },
  action: keyof typeof escalationMachine.steps,
  o: {
    actorId: string | null;
    data?: EscalationChange;
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
    historyAction: string;
  },
): Promise<void> {
  await transition(tx, escalationMachine, action, {
    id: e.id,
    actorId: o.actorId,
    historyAction: o.historyAction,
    before: { status: e.status, ...o.before },
    after: o.after,
    write: async (_from, to) => {
      await bump(tx, e, o.data, undefined, { action, to });
      return { count: 1 };
    },
  });
}

/** An escalation use case's transaction (the hot path `acknowledge` needs none: one guarded write). */
export async function inTransaction<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.$transaction(fn, { timeout: 20_000 });
}
