// Formal escalations (Bexley Children's Social Care Quality Assurance Framework, §4.6, §5.3): a CP
// chair, IRO or fostering IRO (or a practitioner whose practice feels compromised) raises a concern
// about a case after trying to resolve it informally. It climbs stages — TM & SM → Head of Service
// → Assistant Director → Director — each with a deadline in working days from the catalogue. Stage
// owners acknowledge, respond, propose a resolution, ask the raiser for more time or escalate at
// once; the raiser may bypass stages, refer to Cafcass (IRO types) and confirms any resolution.
// Every step is an EscalationEvent (in order) and a History row; one shared card per escalation is
// updated in place for every viewer.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { may, requireCapability } from "../permissions";
import { historyInsert, recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { AlreadyDone, NotFound, NotPermitted, ValidationFailed } from "../errors";
import { loadEscalationConfig, type EscalationStage, type EscalationType } from "../catalogue";
import { firstInChainWithRole, staffWithRole } from "../directory/staff";
import { addWorkingDays, workingDaysBetween } from "../workingTime";
import { casUpdate, fmtDate, fmtDateTime, notify, showCardToAll, teamsUserIds } from "../sharedCard";
import { Prisma } from "../../generated/prisma/client";
import { guardedWrite, sqlOf, transaction, valuesOf, type GuardedInsert, type Queryable } from "../sql";
import type { Role } from "../../generated/prisma/enums";

export const LIMITS = { concern: 2000, informal: 2000, response: 2000, reason: 500, maxExtensionDays: 10 } as const;
export const STAGE_JOB = "escalation.stageDeadline";
const EVENTS_ON_CARD = 8;

type EscalationRow = Prisma.EscalationGetPayload<{ include: { case: true } }>;
interface ExtensionRequest {
  byId: string;
  days: number;
  reason: string;
  at: string;
}

export const cardKeyOf = (id: string) => `escalation:${id}`;
const jobKey = (id: string, stage: number) => `escalation:${id}:stage${stage}`;

export function escalationType(id: string): EscalationType {
  const t = loadEscalationConfig().types.find((x) => x.id === id);
  if (!t) throw new ValidationFailed("Choose the kind of escalation.", { type: "Choose one of the listed types." });
  return t;
}

/** The types this person may raise (by their roles). */
export function typesFor(actor: Pick<Actor, "roles">): EscalationType[] {
  return loadEscalationConfig().types.filter((t) => t.raiserRoles.some((r) => actor.roles.includes(r)));
}

const stageOf = (t: EscalationType, n: number): EscalationStage => t.stages.find((s) => s.stage === n) ?? t.stages[t.stages.length - 1]!;

/**
 * The owners of a stage. For a child's case: for each owner role, the first holder in the case
 * worker's manager chain. For a foster carer (fostering IRO): the fostering service's own holder of
 * the role (a team whose service area the type names, from the directory), else the first holder
 * in its staff's manager chain.
 */
export async function stageOwners(tx: Tx, type: EscalationType, workerId: string | null, stage: EscalationStage): Promise<string[]> {
  const service = type.subject ? await fosteringService(tx, type.subject.serviceArea) : [];
  const out: string[] = [];
  for (const role of stage.ownerRoles as Role[]) {
    let owner: { id: string } | null = service.find((s) => s.roles.includes(role)) ?? null;
    for (const s of service) owner ??= await firstInChainWithRole(tx, s.id, [role]);
    if (!type.subject && workerId) owner = await firstInChainWithRole(tx, workerId, [role]);
    owner ??= (await staffWithRole(tx, role))[0] ?? null;
    if (owner && !out.includes(owner.id)) out.push(owner.id);
  }
  return out;
}

/** The active staff of the directory's teams whose service area is `serviceArea` (any case). */
async function fosteringService(tx: Tx, serviceArea: string) {
  const staff = await tx.staff.findMany({
    where: { active: true, team: { serviceArea: { equals: serviceArea, mode: "insensitive" } } },
    select: { id: true, roles: true },
    orderBy: { name: "asc" },
  });
  if (!staff.length)
    throw new ValidationFailed(`The directory has no ${serviceArea.toLowerCase()} service to escalate to.`, {
      type: `Ask the directory administrator to add the team whose service area is "${serviceArea}".`,
    });
  return staff;
}

/** "case LL123456", or "foster carer FC-0042": what an escalation concerns, by reference only. */
const subjectOf = (e: { case: { caseRef: string } | null; fosterCarerRef: string | null }) =>
  e.case ? `case ${e.case.caseRef}` : `foster carer ${e.fosterCarerRef ?? ""}`;

const CASE_COLUMNS = ["id", "caseRef", "teamId", "workerId", "planType", "openedOn", "active", "createdAt", "updatedAt"] as const;

/** The escalation with its case: one statement (services/sql.ts). */
async function load(tx: Queryable, id: string): Promise<EscalationRow> {
  return (await loadRow(tx, id, false)).row;
}

/** The escalation with its case and every event, oldest first: one statement. */
async function loadWithEvents(tx: Queryable, id: string): Promise<{ row: EscalationRow; events: EventRow[] }> {
  return loadRow(tx, id, true);
}

async function loadRow(tx: Queryable, id: string, withEvents: boolean): Promise<{ row: EscalationRow; events: EventRow[] }> {
  const events = withEvents
    ? `, (SELECT coalesce(json_agg(json_build_object('stage', v.stage, 'kind', v.kind, 'actorId', v."actorId", 'text', v.text, 'at', v.at) ORDER BY v.id), '[]')
         FROM "EscalationEvent" v WHERE v."escalationId" = e.id) AS "events.all"`
    : "";
  const [row] = await sqlOf(tx).query<Record<string, unknown>>(
    `SELECT e.*, ${CASE_COLUMNS.map((c) => `c."${c}"${c === "planType" ? "::text" : ""} AS "case.${c}"`).join(", ")}${events}
     FROM "Escalation" e LEFT JOIN "Case" c ON c.id = e."caseId" WHERE e.id = $1`,
    [id],
  );
  if (!row) throw new NotFound("That escalation does not exist.");
  const e: Record<string, unknown> = {};
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith("case.")) c[k.slice(5)] = v;
    else if (k !== "events.all") e[k] = v;
  }
  // JSON carries a timestamp(3) as UTC wall time without a zone (Prisma's convention).
  const all = (row["events.all"] ?? []) as (Omit<EventRow, "at"> & { at: string })[];
  return { row: { ...e, case: c.id ? c : null } as EscalationRow, events: all.map((x) => ({ ...x, at: new Date(`${x.at}Z`) })) };
}

/** What the card and the checks read of an event (its order is the table's id, never returned). */
interface EventRow {
  stage: number;
  kind: string;
  actorId: string | null;
  text: string | null;
  at: Date;
}
const EVENT_COLUMNS = `stage, kind, "actorId", text, at`;

/** An event to insert with a guarded change (bump's `also`), continuing its params. */
function eventInsert(e: { id: string; stage: number }, x: EventRow, params: unknown[]): GuardedInsert {
  return {
    table: `"EscalationEvent"`,
    columns: `"escalationId", ${EVENT_COLUMNS}`,
    values: valuesOf([[e.id, x.stage, x.kind, x.actorId, x.text, x.at]], ["", "::int", "", "", "", "::timestamp"], params).values,
  };
}

async function addEvent(tx: Queryable, e: { id: string; stage: number }, kind: string, actorId: string | null, text: string, at: Date) {
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
 * ids for the card's refresh: one statement.
 */
async function viewersAndNames(tx: Queryable, e: EscalationRow, all: EventRow[], shown: EventRow[]) {
  const worker = e.case?.workerId ? [e.case.workerId] : [];
  const pastOwners = all.flatMap((p) => (p.kind === "stage_owner" && p.actorId ? [p.actorId] : []));
  const shownActors = shown.flatMap((x) => (x.actorId ? [x.actorId] : []));
  const rows = await sqlOf(tx).query<{ id: string; name: string; manager: boolean; reference: unknown }>(
    `WITH m AS (SELECT "lineManagerId" AS id FROM "Staff" WHERE id = $2)
     SELECT s.id, s.name, s.id IN (SELECT id FROM m) AS manager, r.reference FROM "Staff" s
     LEFT JOIN "ConversationReference" r ON r."staffId" = s.id
     WHERE s.id = ANY($1::text[]) OR s.id IN (SELECT id FROM m)`,
    [[...new Set([e.raiserId, ...e.stageOwnerIds, ...worker, ...pastOwners, ...shownActors])], e.case?.workerId ?? null],
  );
  const manager = rows.filter((r) => r.manager).map((r) => r.id);
  const viewers = [...new Set([e.raiserId, ...e.stageOwnerIds, ...worker, ...manager, ...pastOwners])];
  const refreshIds = teamsUserIds(rows.filter((r) => viewers.includes(r.id)).map((r) => r.reference));
  return { viewers, names: new Map(rows.map((r) => [r.id, r.name])), refreshIds };
}

// ---------------------------------------------------------------- the card, per viewer

/**
 * What every viewer's card shares (viewers, names, recent events): read once, however many
 * viewers. One read besides the escalation and its events (the viewers with their names and
 * Teams ids).
 */
async function cardBasis(tx: Queryable, e: EscalationRow, all: EventRow[]) {
  const events = all.slice(-EVENTS_ON_CARD);
  const { viewers, names, refreshIds } = await viewersAndNames(tx, e, all, events);
  const proposal = e.status === "resolution_proposed" ? (all.findLast((x) => x.kind === "resolution_proposed") ?? null) : null;
  return {
    viewers,
    names,
    events,
    eventCount: all.length,
    proposal,
    refreshUserIds: refreshIds,
  };
}

/** The card as one viewer sees it (only the buttons they may press). */
export function cardData(ctx: AppContext, e: EscalationRow, viewerId: string, basis: Awaited<ReturnType<typeof cardBasis>>) {
  const tz = ctx.config.TIMEZONE;
  const type = escalationType(e.type);
  const stage = stageOf(type, e.stage);
  const { names, events, eventCount, proposal } = basis;
  const isOwner = e.stageOwnerIds.includes(viewerId) && e.status !== "resolved";
  const isRaiser = e.raiserId === viewerId;
  const ext = e.extensionRequest as ExtensionRequest | null;
  const lastStage = type.stages[type.stages.length - 1]!.stage;
  const open = e.status === "open";
  return {
    id: e.id,
    v: e.version,
    subject: subjectOf(e),
    typeLabel: type.label,
    raiser: names.get(e.raiserId) ?? "",
    statusText:
      e.status === "resolved"
        ? `Resolved on ${fmtDate(e.resolvedAt ?? ctx.clock.now(), tz)}`
        : e.status === "resolution_proposed"
          ? "Resolution proposed: waiting for the raiser to confirm"
          : "Open",
    stageText: `Stage ${e.stage} of ${lastStage}: ${stage.title}`,
    owners: e.stageOwnerIds.map((id) => names.get(id) ?? "").join(", "),
    deadline: e.status === "resolved" ? "" : fmtDateTime(e.stageDeadline, tz),
    concern: e.concern,
    informal: e.informalAttempts,
    cafcass: e.cafcassReferredAt ? `Referred to Cafcass on ${fmtDate(e.cafcassReferredAt, tz)}` : "",
    events: events.map((x) => ({
      when: fmtDateTime(x.at, tz),
      text: `Stage ${x.stage} · ${x.actorId ? `${names.get(x.actorId) ?? ""}: ` : ""}${x.text ?? x.kind}`,
    })),
    olderEvents: eventCount > EVENTS_ON_CARD ? `${eventCount - EVENTS_ON_CARD} earlier entries are in the full history.` : "",
    extension: ext ? `${names.get(ext.byId) ?? "A stage owner"} asks for ${ext.days} more working days: ${ext.reason}` : "",
    proposal: proposal?.text ?? "",
    canOwnerAct: isOwner && open,
    canRequestTime: isOwner && open && !ext && type.furtherTime.allowed,
    canEscalateNow: isOwner && open && e.stage < lastStage,
    canAnswerTime: isRaiser && !!ext && e.status !== "resolved",
    canConfirm: isRaiser && e.status === "resolution_proposed",
    canBypass: isRaiser && open && type.bypass.allowed && e.stage < lastStage,
    bypassChoices: type.stages
      .filter((s) => s.stage > e.stage)
      .map((s) => ({ title: `Stage ${s.stage}: ${s.title}`, value: String(s.stage) })),
    canCafcass: isRaiser && e.status !== "resolved" && type.cafcass.available && !e.cafcassReferredAt,
    informPrompt: isRaiser && e.status !== "resolved" && type.keepInformed.prompt ? `Stage ${e.stage}: ${type.keepInformed.prompt}` : "",
    cafcassText: type.cafcass.text ?? "",
    maxExtensionDays: LIMITS.maxExtensionDays,
    refresh: {
      action: { type: "Action.Execute", verb: "escalation.refresh", data: { id: e.id } },
      userIds: basis.refreshUserIds,
    },
  };
}

/**
 * Shows the current card to every viewer (first send for new viewers, in-place update for others);
 * returns the card data for the person who acted (the same reads, done once). `current` is the
 * row and its events as the caller just wrote them, when it knows them (spares reading them again).
 */
async function publish(
  tx: Queryable,
  ctx: AppContext,
  id: string,
  current?: { row: EscalationRow; events: EventRow[] },
): Promise<(viewerId: string) => ReturnType<typeof cardData>> {
  const { row: e, events } = current ?? (await loadWithEvents(tx, id));
  const basis = await cardBasis(tx, e, events);
  // The stage's owners must act by its deadline: their card is urgent; followers' cards are routine.
  const owners = e.status === "resolved" ? [] : e.stageOwnerIds;
  await showCardToAll(
    tx,
    ctx,
    { cardKey: cardKeyOf(e.id), version: e.version, template: "escalation", kind: "escalation.card" },
    basis.viewers.map((v) => ({
      recipientId: v,
      data: cardData(ctx, e, v, basis),
      kind: owners.includes(v) ? "escalation.stageOwner" : undefined,
    })),
  );
  return (viewerId) => cardData(ctx, e, viewerId, basis);
}

async function run<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.$transaction(fn, { timeout: 20_000 });
}

/** The card for this actor (Teams `refresh`, or opening it from a list). */
export async function escalationCardFor(ctx: AppContext, actor: Actor, id: string) {
  // Reads only: no transaction (each read sees committed data, as it would inside one).
  const { row: e, events } = await loadWithEvents(ctx.db, id);
  const basis = await cardBasis(ctx.db, e, events);
  if (!may(actor, "escalations.overview") && !basis.viewers.includes(actor.id))
    throw new NotPermitted("Only the raiser, the case's worker and managers, and the stage owners can see this escalation.");
  return cardData(ctx, e, actor.id, basis);
}

// ---------------------------------------------------------------- raising

/** A foster carer's reference: letters, digits and hyphens with at least one digit, so never a name. */
const FOSTER_CARER_REF = /^(?=.*\d)[A-Z0-9][A-Z0-9-]{2,19}$/;

export interface RaiseInput {
  caseRef: string;
  type: string;
  concern: string;
  informal: string;
}

export async function raiseEscalation(ctx: AppContext, actor: Actor, input: RaiseInput): Promise<{ id: string }> {
  requireCapability(actor, "escalation.raise");
  const errors: Record<string, string> = {};
  const type = loadEscalationConfig().types.find((t) => t.id === input.type);
  if (!type) errors.type = "Choose the kind of escalation.";
  else if (!type.raiserRoles.some((r) => actor.roles.includes(r))) errors.type = "Your role cannot raise this kind of escalation.";
  const concern = input.concern.trim();
  const informal = input.informal.trim();
  if (!concern) errors.concern = "Say what the concern is.";
  if (!informal && (type?.informalResolution.required ?? true)) errors.informal = "Say what was tried informally first.";
  const ref = input.caseRef.trim().toUpperCase();
  // A fostering IRO's escalation concerns a foster carer, named by their reference (never a name).
  const fosterCarerRef = type?.subject ? (FOSTER_CARER_REF.test(ref) ? ref : null) : null;
  const caseRow = !type?.subject && ref ? await ctx.db.case.findUnique({ where: { caseRef: ref } }) : null;
  if (type?.subject && !fosterCarerRef)
    errors.caseRef = "Enter the foster carer's reference in the case system (letters and digits, with at least one digit; never a name).";
  else if (!type?.subject && !caseRow) errors.caseRef = "No case with that case-management ID.";
  if (Object.keys(errors).length || !type || !(caseRow || fosterCarerRef))
    throw new ValidationFailed("Please check the escalation.", errors);

  return run(ctx, async (tx) => {
    const now = ctx.clock.now();
    const stage = stageOf(type, 1);
    const owners = await stageOwners(tx, type, caseRow?.workerId ?? null, stage);
    const deadline = addWorkingDays(now, stage.deadlineWorkingDays, ctx.config.TIMEZONE);
    const e = await tx.escalation.create({
      data: {
        createdAt: now,
        caseId: caseRow?.id ?? null,
        fosterCarerRef,
        raiserId: actor.id,
        type: type.id,
        concern,
        informalAttempts: informal,
        stage: 1,
        stageOwnerIds: owners,
        stageDeadline: deadline,
      },
    });
    await addEvent(tx, e, "raised", actor.id, `Raised: ${concern}`, now);
    for (const o of owners) await addEvent(tx, e, "stage_owner", o, `Stage ${stage.stage} owner (${stage.title})`, now);
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: "raised",
      actorId: actor.id,
      after: { stage: 1, owners, deadline },
    });
    await scheduleJob(tx, { key: jobKey(e.id, 1), name: STAGE_JOB, runAt: deadline, data: { id: e.id, stage: 1 } });
    await promptToInform(tx, ctx, e, subjectOf({ case: caseRow, fosterCarerRef }), stage);
    await publish(tx, ctx, e.id);
    return { id: e.id };
  });
}

// ---------------------------------------------------------------- moving between stages

/**
 * Prompts the raiser to keep the child (IRO) or the foster carer (fostering IRO) informed at this
 * stage: "The IRO will also consult and keep informed the child and other relevant persons at each
 * stage of the escalation process as appropriate" (§5.3). Once per stage.
 */
async function promptToInform(
  tx: Queryable,
  ctx: AppContext,
  e: { id: string; raiserId: string; type: string },
  subject: string,
  stage: EscalationStage,
) {
  const prompt = escalationType(e.type).keepInformed.prompt;
  if (!prompt) return;
  await notify(tx, ctx, {
    recipientId: e.raiserId,
    idempotencyKey: `escalation:${e.id}:inform:${stage.stage}`,
    kind: "escalation.note",
    title: `Escalation for ${subject}, Stage ${stage.stage} (${stage.title}): keep people informed`,
    text: prompt,
  });
}

/** Moves the escalation and shows everyone the new card; returns the card for a given viewer. */
async function moveToStage(tx: Tx, ctx: AppContext, e: EscalationRow, to: number, why: string, actorId: string | null) {
  const type = escalationType(e.type);
  const now = ctx.clock.now();
  const stage = stageOf(type, to);
  const owners = await stageOwners(tx, type, e.case?.workerId ?? null, stage);
  const deadline = addWorkingDays(now, stage.deadlineWorkingDays, ctx.config.TIMEZONE);
  await casUpdate(
    tx.escalation.updateMany({
      where: { id: e.id, version: e.version },
      data: {
        stage: to,
        stageOwnerIds: owners,
        stageDeadline: deadline,
        extensionRequest: Prisma.DbNull,
        status: "open",
        version: { increment: 1 },
      },
    }),
  );
  const moved = { ...e, stage: to };
  await addEvent(tx, moved, "stage", actorId, `Moved to Stage ${to} (${stage.title}): ${why}`, now);
  for (const o of owners) await addEvent(tx, moved, "stage_owner", o, `Stage ${to} owner (${stage.title})`, now);
  await recordHistory(tx, {
    entityType: "escalation",
    entityId: e.id,
    action: "stage_changed",
    actorId,
    before: { stage: e.stage, owners: e.stageOwnerIds },
    after: { stage: to, owners, deadline, why },
  });
  await cancelJobs(tx, `escalation:${e.id}`);
  await scheduleJob(tx, { key: jobKey(e.id, to), name: STAGE_JOB, runAt: deadline, data: { id: e.id, stage: to } });
  const tell = new Set([e.raiserId, ...e.stageOwnerIds]);
  if (actorId) tell.delete(actorId);
  for (const r of tell) {
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: r,
      idempotencyKey: `escalation:${e.id}:to${to}:${r}`,
      title: `Escalation for ${subjectOf(e)} moved to Stage ${to}`,
      text: `${stage.title} now owns it (${why}). The escalation card shows the history.`,
    });
  }
  await promptToInform(tx, ctx, e, subjectOf(e), stage);
  return publish(tx, ctx, e.id);
}

/** Job: the stage deadline passed without resolution → next stage (or record it at the last). */
export async function stageDeadlinePassed(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const e = await tx.escalation.findUnique({ where: { id: String(data.id) }, include: { case: true } });
  const now = ctx.clock.now();
  // Gone, resolved, moved on, or its deadline was moved later by agreed extra time (that deadline has its own job).
  if (!e || e.status === "resolved" || e.stage !== Number(data.stage) || e.stageDeadline > now) return;
  const type = escalationType(e.type);
  const deciding = e.status === "resolution_proposed" || e.extensionRequest !== null;
  if (deciding) {
    // The raiser is deciding on a proposed resolution or a request for more time: the stage does
    // not move mid-decision ("the CP Chair can consider requests from managers for further time to
    // provide a resolution to the escalation, before further escalation to the next stage", §5.3).
    // Look again a working day later; refusing the request re-runs this at once.
    if (e.extensionRequest !== null)
      await notify(tx, ctx, {
        recipientId: e.raiserId,
        idempotencyKey: `escalation:${e.id}:extwait:${e.stage}`,
        kind: "escalation.note",
        title: `Escalation for ${subjectOf(e)}: the stage deadline has passed`,
        text: `Stage ${e.stage} stays where it is until you accept or refuse the request for more time on the escalation card.`,
      });
    await scheduleJob(tx, {
      key: `${jobKey(e.id, e.stage)}:again${e.version}`,
      name: STAGE_JOB,
      runAt: addWorkingDays(now, 1, ctx.config.TIMEZONE),
      data,
    });
    return;
  }
  const last = type.stages[type.stages.length - 1]!.stage;
  if (e.stage >= last) {
    await casUpdate(tx.escalation.updateMany({ where: { id: e.id, version: e.version }, data: { version: { increment: 1 } } }));
    await addEvent(tx, e, "deadline_final", null, "The final stage's deadline passed without resolution.", now);
    await recordHistory(tx, { entityType: "escalation", entityId: e.id, action: "final_deadline_passed" });
    for (const r of new Set([e.raiserId, ...e.stageOwnerIds]))
      await notify(tx, ctx, {
        kind: "escalation.note",
        recipientId: r,
        idempotencyKey: `escalation:${e.id}:finaldeadline:${r}`,
        title: `Escalation for ${subjectOf(e)}: final deadline passed`,
        text: "The last stage's deadline passed without a resolution.",
      });
    await publish(tx, ctx, e.id);
    return;
  }
  await moveToStage(tx, ctx, e, e.stage + 1, "the deadline passed without resolution", null);
}

// ---------------------------------------------------------------- actions from the card

interface Pressed {
  id: string;
}

/** The escalation and its events, if the actor owns its current stage. */
async function asOwner(tx: Queryable, actor: Actor, id: string): Promise<{ row: EscalationRow; events: EventRow[] }> {
  const loaded = await loadWithEvents(tx, id);
  const e = loaded.row;
  if (e.status === "resolved") throw new AlreadyDone("This escalation is already resolved.");
  if (!e.stageOwnerIds.includes(actor.id)) {
    const wasOwner = loaded.events.some((x) => x.kind === "stage_owner" && x.actorId === actor.id);
    if (e.stageOwnerIds.length && wasOwner)
      throw new AlreadyDone("This escalation has moved on to another stage: it is no longer yours to act on.");
    throw new NotPermitted("Only the current stage owner can do this.");
  }
  return loaded;
}

async function asRaiser(tx: Tx, actor: Actor, id: string): Promise<EscalationRow> {
  const e = await load(tx, id);
  if (e.raiserId !== actor.id) throw new NotPermitted("Only the person who raised the escalation can do this.");
  if (e.status === "resolved") throw new AlreadyDone("This escalation is already resolved.");
  return e;
}

/** What an action may change besides the version (each column written only when given). */
interface EscalationChange {
  status?: string;
  extensionRequest?: ExtensionRequest | null;
  stageDeadline?: Date;
  cafcassReferredAt?: Date;
  resolvedAt?: Date;
}

/**
 * Optimistic concurrency: the change is written only if the row is still at e.version, and with
 * it, in the same statement, the rows `also` returns (an event, history).
 */
async function bump(
  tx: Queryable,
  e: { id: string; version: number },
  data: EscalationChange = {},
  also: (params: unknown[]) => GuardedInsert[] = () => [],
) {
  const params: unknown[] = [e.id, e.version, new Date()];
  const set = ["version = version + 1", '"updatedAt" = $3::timestamp'];
  if (data.status !== undefined) set.push(`status = $${params.push(data.status)}`);
  if (data.extensionRequest !== undefined)
    set.push(`"extensionRequest" = $${params.push(data.extensionRequest && JSON.stringify(data.extensionRequest))}::jsonb`);
  if (data.stageDeadline) set.push(`"stageDeadline" = $${params.push(data.stageDeadline)}::timestamp`);
  if (data.cafcassReferredAt) set.push(`"cafcassReferredAt" = $${params.push(data.cafcassReferredAt)}::timestamp`);
  if (data.resolvedAt) set.push(`"resolvedAt" = $${params.push(data.resolvedAt)}::timestamp`);
  const guard = `UPDATE "Escalation" SET ${set.join(", ")} WHERE id = $1 AND version = $2 RETURNING id`;
  const written = guardedWrite(sqlOf(tx), guard, also(params), params);
  await casUpdate(written.then((ok) => ({ count: ok ? 1 : 0 })));
}

export async function acknowledge(ctx: AppContext, actor: Actor, p: Pressed) {
  // On the pool's own transaction (services/sql.ts): the busiest escalation action.
  return transaction(ctx.db, async (tx) => {
    const { row: e, events } = await asOwner(tx, actor, p.id);
    if (events.some((x) => x.stage === e.stage && x.kind === "acknowledged" && x.actorId === actor.id))
      throw new AlreadyDone("You have already acknowledged this stage.");
    // The version, the event and the history entry: one statement.
    const event: EventRow = { stage: e.stage, kind: "acknowledged", actorId: actor.id, text: "Acknowledged", at: ctx.clock.now() };
    await bump(tx, e, {}, (params) => [
      eventInsert(e, event, params),
      historyInsert(
        [{ entityType: "escalation", entityId: e.id, action: "acknowledged", actorId: actor.id, after: { stage: e.stage } }],
        params,
      ),
    ]);
    events.push(event);
    // The row as just written (the update matched e.version and changed only the version), and
    // its events: the row lock taken by the update keeps every other action out until commit.
    return (await publish(tx, ctx, e.id, { row: { ...e, version: e.version + 1 }, events }))(actor.id);
  });
}

export async function respond(ctx: AppContext, actor: Actor, p: Pressed & { response: string; resolve: boolean }) {
  const text = p.response.trim();
  if (!text) throw new ValidationFailed("Write your response.", { response: "Write your response." });
  return run(ctx, async (tx) => {
    const { row: e } = await asOwner(tx, actor, p.id);
    if (e.status !== "open") throw new AlreadyDone("A resolution is already waiting for the raiser's confirmation.");
    await bump(tx, e, p.resolve ? { status: "resolution_proposed" } : {});
    await addEvent(
      tx,
      e,
      p.resolve ? "resolution_proposed" : "response",
      actor.id,
      p.resolve ? `Proposes resolution: ${text}` : `Response: ${text}`,
      ctx.clock.now(),
    );
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: p.resolve ? "resolution_proposed" : "responded",
      actorId: actor.id,
      after: { stage: e.stage, text },
    });
    if (p.resolve)
      await notify(tx, ctx, {
        kind: "escalation.note",
        recipientId: e.raiserId,
        idempotencyKey: `escalation:${e.id}:proposal:${e.version}`,
        title: `Escalation for ${subjectOf(e)}: resolution proposed`,
        text: "Please confirm on the escalation card whether this resolves your concern.",
      });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

export async function requestMoreTime(ctx: AppContext, actor: Actor, p: Pressed & { days: number; reason: string }) {
  const reason = p.reason.trim();
  const errors: Record<string, string> = {};
  if (!Number.isInteger(p.days) || p.days < 1 || p.days > LIMITS.maxExtensionDays)
    errors.days = `Between 1 and ${LIMITS.maxExtensionDays} working days.`;
  if (!reason) errors.reason = "Say why more time is needed.";
  if (Object.keys(errors).length) throw new ValidationFailed("Please check the request for more time.", errors);
  return run(ctx, async (tx) => {
    const { row: e } = await asOwner(tx, actor, p.id);
    if (!escalationType(e.type).furtherTime.allowed) throw new NotPermitted("This kind of escalation does not allow extensions.");
    if (e.extensionRequest) throw new AlreadyDone("A request for more time is already waiting for the raiser.");
    if (e.status !== "open") throw new AlreadyDone("A resolution is already waiting for the raiser's confirmation.");
    const req: ExtensionRequest = { byId: actor.id, days: p.days, reason, at: ctx.clock.now().toISOString() };
    await bump(tx, e, { extensionRequest: req });
    await addEvent(tx, e, "extension_requested", actor.id, `Asks for ${p.days} more working days: ${reason}`, ctx.clock.now());
    await recordHistory(tx, { entityType: "escalation", entityId: e.id, action: "extension_requested", actorId: actor.id, after: req });
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: e.raiserId,
      idempotencyKey: `escalation:${e.id}:extreq:${e.version}`,
      title: `Escalation for ${subjectOf(e)}: more time requested`,
      text: "Accept or refuse the request on the escalation card.",
    });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

export async function answerMoreTime(ctx: AppContext, actor: Actor, p: Pressed & { accept: boolean }) {
  return run(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const req = e.extensionRequest as ExtensionRequest | null;
    if (!req) throw new AlreadyDone("There is no request for more time waiting (it was answered, or the stage moved on).");
    const now = ctx.clock.now();
    const deadline = p.accept ? addWorkingDays(e.stageDeadline, req.days, ctx.config.TIMEZONE) : e.stageDeadline;
    await bump(tx, e, { extensionRequest: null, stageDeadline: deadline });
    await addEvent(
      tx,
      e,
      p.accept ? "extension_granted" : "extension_refused",
      actor.id,
      p.accept
        ? `Granted ${req.days} more working days: new deadline ${fmtDateTime(deadline, ctx.config.TIMEZONE)}`
        : "Refused the request for more time",
      now,
    );
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: p.accept ? "extension_granted" : "extension_refused",
      actorId: actor.id,
      before: { deadline: e.stageDeadline },
      after: { deadline },
    });
    if (p.accept)
      await scheduleJob(tx, { key: jobKey(e.id, e.stage), name: STAGE_JOB, runAt: deadline, data: { id: e.id, stage: e.stage } });
    else if (deadline <= now)
      // Refused after the deadline passed while the raiser decided: the stage moves on now.
      await scheduleJob(tx, {
        key: `${jobKey(e.id, e.stage)}:refused${e.version}`,
        name: STAGE_JOB,
        runAt: now,
        data: { id: e.id, stage: e.stage },
      });
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: req.byId,
      idempotencyKey: `escalation:${e.id}:extans:${e.version}`,
      title: `Escalation for ${subjectOf(e)}: request for more time ${p.accept ? "granted" : "refused"}`,
      text: p.accept ? `The new deadline is ${fmtDateTime(deadline, ctx.config.TIMEZONE)}.` : "The deadline stands.",
    });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

export async function escalateNow(ctx: AppContext, actor: Actor, p: Pressed) {
  return run(ctx, async (tx) => {
    const { row: e } = await asOwner(tx, actor, p.id);
    const last = escalationType(e.type).stages.at(-1)!.stage;
    if (e.stage >= last) throw new AlreadyDone("This escalation is already at the last stage.");
    return (await moveToStage(tx, ctx, e, e.stage + 1, "escalated by the stage owner", actor.id))(actor.id);
  });
}

export async function bypass(ctx: AppContext, actor: Actor, p: Pressed & { toStage: number }) {
  return run(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const type = escalationType(e.type);
    if (!type.bypass.allowed) throw new NotPermitted("This kind of escalation cannot bypass stages.");
    if (!type.stages.some((s) => s.stage === p.toStage) || p.toStage <= e.stage)
      throw new ValidationFailed("Choose a later stage.", { toStage: `Choose a stage after Stage ${e.stage}.` });
    return (await moveToStage(tx, ctx, e, p.toStage, "the raiser bypassed the earlier stage(s)", actor.id))(actor.id);
  });
}

export async function referToCafcass(ctx: AppContext, actor: Actor, p: Pressed) {
  return run(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const type = escalationType(e.type);
    if (!type.cafcass.available) throw new NotPermitted("Only IRO escalations can be referred to Cafcass.");
    if (e.cafcassReferredAt) throw new AlreadyDone("This escalation was already referred to Cafcass.");
    const now = ctx.clock.now();
    await bump(tx, e, { cafcassReferredAt: now });
    await addEvent(tx, e, "cafcass", actor.id, "Referred to Cafcass", now);
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: "cafcass_referral",
      actorId: actor.id,
      after: { at: now },
    });
    for (const o of e.stageOwnerIds)
      await notify(tx, ctx, {
        recipientId: o,
        idempotencyKey: `escalation:${e.id}:cafcass:${o}`,
        kind: "escalation.cafcass",
        title: `Escalation for ${subjectOf(e)}: referred to Cafcass`,
        text: type.cafcass.text ?? "The IRO has referred the matter to Cafcass.",
      });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

export async function confirmResolution(ctx: AppContext, actor: Actor, p: Pressed & { accept: boolean }) {
  return run(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    if (e.status !== "resolution_proposed") throw new AlreadyDone("No resolution is waiting for your confirmation.");
    const now = ctx.clock.now();
    await bump(tx, e, p.accept ? { status: "resolved", resolvedAt: now } : { status: "open" });
    await addEvent(
      tx,
      e,
      p.accept ? "resolved" : "resolution_rejected",
      actor.id,
      p.accept ? "Confirmed the resolution" : "Does not accept the resolution",
      now,
    );
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: p.accept ? "resolved" : "resolution_rejected",
      actorId: actor.id,
    });
    if (p.accept) await cancelJobs(tx, `escalation:${e.id}`);
    else if (e.stageDeadline <= now)
      await scheduleJob(tx, {
        key: `${jobKey(e.id, e.stage)}:reopened${e.version}`,
        name: STAGE_JOB,
        runAt: now,
        data: { id: e.id, stage: e.stage },
      });
    for (const o of e.stageOwnerIds)
      await notify(tx, ctx, {
        kind: "escalation.note",
        recipientId: o,
        idempotencyKey: `escalation:${e.id}:confirm:${e.version}:${o}`,
        title: `Escalation for ${subjectOf(e)}: ${p.accept ? "resolved" : "resolution not accepted"}`,
        text: p.accept
          ? "The raiser confirmed the resolution."
          : "The raiser does not accept the proposed resolution; the escalation stays open.",
      });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

// ---------------------------------------------------------------- overview

/** Open escalations, oldest first, with age in working days and stage (heads of service view). */
export async function openEscalations(ctx: AppContext, actor: Actor) {
  requireCapability(actor, "escalations.overview");
  const now = ctx.clock.now();
  const rows = await ctx.db.escalation.findMany({
    where: { status: { not: "resolved" } },
    include: { case: true },
    orderBy: { createdAt: "asc" },
    take: 40,
  });
  const total = await ctx.db.escalation.count({ where: { status: { not: "resolved" } } });
  const byStage = new Map<number, number>();
  for (const r of rows) byStage.set(r.stage, (byStage.get(r.stage) ?? 0) + 1);
  return {
    total,
    shown: rows.length,
    byStage: [...byStage.entries()].sort((a, b) => a[0] - b[0]).map(([stage, n]) => ({ title: `Stage ${stage}`, value: String(n) })),
    items: rows.map((r) => ({
      id: r.id,
      title: `${r.case?.caseRef ?? `Foster carer ${r.fosterCarerRef ?? ""}`} · Stage ${r.stage} · ${workingDaysBetween(r.createdAt, now, ctx.config.TIMEZONE)} working days old`,
      subtitle: `${escalationType(r.type).label}${r.status === "resolution_proposed" ? " · resolution proposed" : ""}${r.stageDeadline < now ? " · deadline passed" : ""}`,
    })),
  };
}
