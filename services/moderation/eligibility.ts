// Who may moderate an audit. A moderator never moderates an audit they did, nor a case they
// manage (the worker's line-management chain up to the SM).
import type { Db, Tx } from "../db";
import { permissionMatrix } from "../permissions";
import { managerChain } from "../directory/staff";
import type { Role } from "../../generated/prisma/enums";
import { COUNCIL_STAFF } from "../directory/staff";

export const DEFAULT_RETURN_WORKING_DAYS = 10;
export const MODERATOR_ROLES = permissionMatrix["moderation.moderate"] as readonly Role[];

/** Who may not moderate this audit: its auditor, the worker, and the worker's chain up to the SM. */
export async function excludedModerators(db: Db | Tx, audit: { auditorId: string; practitionerId: string; managerId: string | null }) {
  const out = new Set([audit.auditorId, audit.practitionerId]);
  if (audit.managerId) out.add(audit.managerId);
  for (const m of await managerChain(db, audit.practitionerId)) {
    out.add(m.id);
    if (m.roles.includes("SERVICE_MANAGER")) break;
  }
  return out;
}

export async function moderatorCandidates(db: Db | Tx) {
  return db.staff.findMany({
    where: { ...COUNCIL_STAFF, roles: { hasSome: [...MODERATOR_ROLES] } },
    select: { id: true, name: true, roles: true },
    orderBy: { name: "asc" },
  });
}
