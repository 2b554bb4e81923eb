// Directory look-ups: who is this person, who manages them, who holds which role.
import type { Db, Tx } from "../db";
import type { Role } from "../../generated/prisma/enums";
import type { Actor } from "../permissions";
import { UnknownUser } from "../errors";
import { sqlOf } from "../sql";

export async function actorByAadId(db: Db | Tx, aadObjectId: string | undefined): Promise<Actor> {
  if (!aadObjectId) throw new UnknownUser("Assure could not tell who you are (no Entra id on the message).");
  // Every action starts here: one indexed read, without the ORM (services/sql.ts).
  const [s] = await sqlOf(db).query<Actor & { active: boolean }>(
    `SELECT id, name, roles::text[] AS roles, "teamId", "partnerAgency", active FROM "Staff" WHERE "aadObjectId" = $1`,
    [aadObjectId],
  );
  if (!s || !s.active) {
    throw new UnknownUser("You are not in Assure's staff directory yet. Ask the QA team to add you.");
  }
  return actorOf(s);
}

/** A member of staff as the actor of a use case. */
export function actorOf(s: Actor): Actor {
  return { id: s.id, name: s.name, roles: s.roles, teamId: s.teamId, ...(s.partnerAgency ? { partnerAgency: s.partnerAgency } : {}) };
}

/** The line-management chain above a person, nearest first (cycle-safe). */
export async function managerChain(db: Db | Tx, staffId: string, levels = 10) {
  const chain: { id: string; name: string; roles: Role[]; teamId: string | null }[] = [];
  const seen = new Set([staffId]);
  let current = await db.staff.findUnique({ where: { id: staffId }, select: { lineManagerId: true } });
  while (current?.lineManagerId && chain.length < levels && !seen.has(current.lineManagerId)) {
    const m = await db.staff.findUnique({
      where: { id: current.lineManagerId },
      select: { id: true, name: true, roles: true, teamId: true, lineManagerId: true },
    });
    if (!m) break;
    seen.add(m.id);
    chain.push({ id: m.id, name: m.name, roles: m.roles, teamId: m.teamId });
    current = m;
  }
  return chain;
}

/** The first person in someone's chain who holds one of the roles. */
export async function firstInChainWithRole(db: Db | Tx, staffId: string, roles: Role[]) {
  return (await managerChain(db, staffId)).find((m) => m.roles.some((r) => roles.includes(r))) ?? null;
}

/**
 * Who staff pickers and role look-ups may return: active council staff. A partner agency's guest
 * appears only in the multi-agency audits they are invited to (Bexley Children's Social Care Quality
 * Assurance Framework, §1.4), whatever roles their record may hold.
 */
export const COUNCIL_STAFF = { active: true, partnerAgency: null } as const;

export async function staffWithRole(db: Db | Tx, role: Role) {
  return db.staff.findMany({ where: { roles: { has: role }, ...COUNCIL_STAFF }, orderBy: { name: "asc" } });
}
