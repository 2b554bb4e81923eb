// A moderation as the use cases load it, who plays which part in it (and what anyone else is
// answered), and its fixed settings.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Prisma } from "../../generated/prisma/client";
import { NotFound, refuse } from "../errors";
import { may, type Actor } from "../permissions";
import { loadAuditTool } from "../catalogue";
import { staffWithRole } from "../directory/staff";
import { casUpdate } from "../viewerCards";
import { transition } from "../stateMachine";
import { moderationMachine, type ModerationStatus } from "./states";

export const OVERDUE_JOB = "moderation.overdue";
export const TASKS_JOB = "moderation.tasksDue";
export const LIMITS = { feedback: 2000, action: 500, maxActionDays: 60, newActions: 3, chaseEveryWorkingDays: 2 } as const;
export const overdueJobKey = (id: string, n: number) => `moderation:${id}:overdue:${n}`;
export const cardKeyOf = (id: string) => `moderation:${id}`;
/** Areas per page of the moderator's form: 19 areas make 3 pages of at most 7, then the judgement page. */
export const AREAS_PER_PAGE = 7;

/** The form's pages: the areas in groups, then feedback, actions and judgement. */
export function modPageCount(): number {
  return Math.ceil(loadAuditTool().areas.length / AREAS_PER_PAGE) + 1;
}

/** A page number from a card's data or the saved draft, clamped to the form's pages (1 when unknown). */
export function pageOf(v: unknown): number {
  const n = Number(v);
  return Number.isInteger(n) ? Math.min(Math.max(n, 1), modPageCount()) : 1;
}

export type ModerationRow = Prisma.ModerationGetPayload<{ include: { audit: { include: { case: true; actions: true } } } }>;
export interface ActionCheck {
  actionId: string;
  completed: boolean;
}

/** What a missing moderation answers, and what anyone who may not know of it is answered. */
export const MODERATION_MISSING = "That moderation does not exist.";

export async function load(tx: Tx, id: string): Promise<ModerationRow> {
  const m = await tx.moderation.findUnique({
    where: { id },
    include: { audit: { include: { case: true, actions: { orderBy: { createdAt: "asc" } } } } },
  });
  if (!m) throw new NotFound(MODERATION_MISSING);
  return m;
}

export const run = <T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>) => ctx.db.$transaction(fn, { timeout: 20_000 });

/**
 * A moderation's step and its history entry: the update is guarded by the version the actor saw and
 * the statuses the action starts from, sets the status and bumps the version; a moderation someone
 * else changed first is a Conflict.
 */
export async function moderationTransition(
  tx: Tx,
  m: { id: string; version: number },
  action: keyof typeof moderationMachine.steps,
  o: {
    actorId: string;
    historyAction: string;
    data: Omit<Prisma.ModerationUncheckedUpdateManyInput, "status" | "version">;
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
  },
): Promise<void> {
  const { data, ...history } = o;
  const moved = transition(tx, moderationMachine, action, {
    id: m.id,
    ...history,
    write: (from, to) =>
      tx.moderation.updateMany({
        where: { id: m.id, version: m.version, status: { in: from } },
        data: { ...data, status: to, version: { increment: 1 } },
      }),
  });
  await casUpdate(moved.then((ok) => ({ count: ok ? 1 : 0 })));
}

// Who is who.
/** Moderator and auditor agree a grade; the TM stands in when the auditor has left. */
export async function partiesOf(tx: Tx, m: ModerationRow): Promise<string[]> {
  const auditor = await tx.staff.findUnique({ where: { id: m.audit.auditorId }, select: { active: true } });
  const other = auditor?.active ? m.audit.auditorId : (m.audit.managerId ?? m.audit.auditorId);
  return [m.moderatorId, other];
}

/** The moderator's line manager approves the agreed grade; the Head of QA may approve too. */
export async function approversOf(tx: Tx, m: ModerationRow): Promise<string[]> {
  const mod = await tx.staff.findUnique({ where: { id: m.moderatorId }, select: { lineManagerId: true } });
  const ids = new Set<string>();
  if (mod?.lineManagerId) ids.add(mod.lineManagerId);
  for (const s of await staffWithRole(tx, "HEAD_OF_QA")) ids.add(s.id);
  ids.delete(m.moderatorId);
  return [...ids];
}

export async function viewersOf(tx: Tx, m: ModerationRow): Promise<string[]> {
  const ids = new Set<string>([m.moderatorId]);
  const status = m.status as ModerationStatus;
  // The moderator disagreed: the parties agree a grade, then the approvers decide.
  if (status !== "allocated" && m.agree === false) for (const p of await partiesOf(tx, m)) ids.add(p);
  if (status === "awaiting_approval" || (status === "finalised" && m.approvedAt)) for (const a of await approversOf(tx, m)) ids.add(a);
  // Everyone who was ever shown this card keeps seeing its current state (e.g. a replaced moderator).
  const shown = await tx.outboxMessage.findMany({ where: { cardKey: cardKeyOf(m.id), kind: "send" }, select: { recipientId: true } });
  for (const s of shown) ids.add(s.recipientId);
  return [...ids];
}

// Refusals name nothing about the moderation. Someone who plays no part in it and does not sample
// moderations gets the answer of a missing one (NotFound, same words): "Not allowed" would tell
// them that a moderation with that id exists.

/**
 * Who knows of a moderation: the QA team (moderation.sample: they sample and reassign every one),
 * its card's viewers, the moderator and the auditor who agree a grade, and its approvers.
 */
async function mayKnow(tx: Tx, actor: Actor, m: ModerationRow): Promise<boolean> {
  if (may(actor, "moderation.sample")) return true;
  const people = [...(await viewersOf(tx, m)), ...(await partiesOf(tx, m)), ...(await approversOf(tx, m))];
  return people.includes(actor.id);
}

/** `MODERATION_MISSING` when the actor may not know of the moderation, else `message` (they know it exists). */
export async function refusal(tx: Tx, actor: Actor, m: ModerationRow, message: string): Promise<never> {
  return refuse(await mayKnow(tx, actor, m), MODERATION_MISSING, message);
}
