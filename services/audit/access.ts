// Who may do what with one audit (object-level checks). Only the allocated auditor edits and
// submits; the practitioner reads the audits of their own cases and managers with audits.team their
// team's audits, read-only; to everyone else it is as if the audit did not exist.
// The actor is always the authenticated person, never an id from card data.
import type { Db, Tx } from "../db";
import { NotFound, NotPermitted, refuse } from "../errors";
import { hasRole, may, type Actor } from "../permissions";
import { managerChain } from "../directory/staff";
import { sqlOf } from "../sql";
import type { Audit, AuditAnswer } from "../../generated/prisma/client";

/** What a missing audit answers, and what anyone who may not read the audit is answered. */
const AUDIT_MISSING = "That audit does not exist (it may have been withdrawn).";

export type AuditWithCase = Audit & { case: { caseRef: string } };

/** The audit and its case reference: one statement (services/sql.ts). */
export async function findAudit(db: Db | Tx, auditId: string): Promise<AuditWithCase> {
  return (await findAuditWithAnswers(db, auditId)).audit;
}

/**
 * The audit, its case reference and its answers to `areas` (none when not given), in one
 * statement: a page save reads the page it saves and the page it moves to in one round trip.
 */
export async function findAuditWithAnswers(
  db: Db | Tx,
  auditId: string,
  areas?: readonly number[],
): Promise<{ audit: AuditWithCase; answers: AuditAnswer[] }> {
  const answers = areas
    ? `, (SELECT coalesce(json_agg(x ORDER BY x.area), '[]') FROM "AuditAnswer" x WHERE x."auditId" = a.id AND x.area = ANY($2::int[])) AS answers`
    : "";
  const [row] = await sqlOf(db).query<Audit & { caseRef: string; answers?: AuditAnswer[] }>(
    `SELECT a.*, c."caseRef"${answers} FROM "Audit" a JOIN "Case" c ON c.id = a."caseId" WHERE a.id = $1`,
    areas ? [auditId, areas] : [auditId],
  );
  if (!row) throw new NotFound(AUDIT_MISSING);
  const { caseRef, answers: rows, ...audit } = row;
  return { audit: { ...audit, case: { caseRef } }, answers: rows ?? [] };
}

// Refusals name nothing about the audit (not its case, status or people). Someone who may not even
// read the audit gets the answer of a missing one (NotFound, same words): "Not allowed" would tell
// them that an audit with that id exists.

type AuditPeople = { auditorId: string; teamId: string; practitionerId: string; managerId: string | null };

/** `missing` when the actor may not read the audit, else `refusal` (they know it exists). */
export async function refusal(db: Db | Tx, actor: Actor, audit: AuditPeople, missing: string, message: string): Promise<never> {
  return refuse(await mayView(db, actor, audit), missing, message);
}

/** The auditor, and only the auditor, may fill in and submit the audit. */
export async function requireAuditor(db: Db | Tx, actor: Actor, audit: AuditPeople): Promise<void> {
  if (audit.auditorId !== actor.id)
    await refusal(db, actor, audit, AUDIT_MISSING, "Only the allocated auditor can fill in or submit this audit.");
}

/** Only the auditor the audit is allocated to may accept it or ask to swap it (`missing`: the caller's words for a missing audit). */
export async function requireAllocatedAuditor(db: Db | Tx, actor: Actor, audit: AuditPeople, missing: string): Promise<void> {
  if (audit.auditorId !== actor.id) await refusal(db, actor, audit, missing, "Only the auditor this audit is allocated to can do this.");
}

/** Only the practitioner whose case is audited answers the self-assessment; its auditor is told so, anyone else finds nothing. */
export function requireSelfAssessor(
  actor: Pick<Actor, "id">,
  sa: { practitionerId: string; audit: { auditorId: string } },
  missing: string,
): void {
  if (sa.practitionerId === actor.id) return;
  if (sa.audit.auditorId !== actor.id) throw new NotFound(missing);
  throw new NotPermitted("Only the practitioner whose case is being audited can answer this self-assessment.");
}

/** The auditor or the practitioner of an audit (e.g. reading the self-assessment answers); anyone else finds nothing. */
export function requireAuditParticipant(
  actor: Pick<Actor, "id">,
  audit: { auditorId: string; practitionerId: string },
  missing: string,
): void {
  if (audit.auditorId !== actor.id && audit.practitionerId !== actor.id) throw new NotFound(missing);
}

/**
 * Who may read an audit: its auditor; the practitioner whose work on their case it audited (a
 * worker who took the case over later does not read an audit of a colleague's practice); managers
 * with audits.team for their team's audits (same team, or the practitioner's management chain); the
 * QA team.
 */
export async function mayView(
  db: Db | Tx,
  actor: Actor,
  audit: { auditorId: string; teamId: string; practitionerId: string; managerId: string | null },
) {
  if (audit.auditorId === actor.id || audit.practitionerId === actor.id) return true;
  if (!may(actor, "audits.team")) return false;
  if (hasRole(actor, "QA_TEAM", "HEAD_OF_QA")) return true;
  if (audit.managerId === actor.id || (actor.teamId !== null && actor.teamId === audit.teamId)) return true;
  return (await managerChain(db, audit.practitionerId)).some((m) => m.id === actor.id);
}

export async function requireView(db: Db | Tx, actor: Actor, audit: AuditWithCase): Promise<void> {
  if (!(await mayView(db, actor, audit))) throw new NotFound(AUDIT_MISSING);
}
