// Who may audit, in which month's group, and how many audits each already holds.
import type { AppContext } from "../../context";
import type { Tx } from "../../db";
import type { Role } from "../../../generated/prisma/enums";
import { rolesWith } from "../../permissions";
import { COUNCIL_STAFF } from "../../directory/staff";

/** Auditors are drawn from Deputy Team Manager and above (Bexley framework, §1.3): the matrix's audits.conduct. */
export const AUDITOR_ROLES: Role[] = rolesWith("audits.conduct");

export async function loadAuditors(db: AppContext["db"] | Tx) {
  return db.staff.findMany({
    where: { ...COUNCIL_STAFF, roles: { hasSome: AUDITOR_ROLES } },
    select: { id: true, email: true, name: true, teamId: true, roles: true, auditGroup: true },
    orderBy: { email: "asc" },
  });
}

/**
 * The audit group whose turn a month is, when the directory puts auditors in groups 1…n (null
 * otherwise). The groups work in rotation, one a month ("three Audit Groups that work in rotation");
 * which group starts is Assure's choice: month index (year × 12 + month − 1) mod n, plus 1.
 */
export function auditGroupOf(month: string, groups: number): number | null {
  if (groups < 1) return null;
  const [y, m] = month.split("-").map(Number);
  return ((y! * 12 + m! - 1) % groups) + 1;
}

/** Month loads: audits each auditor holds in cycles of this month. */
export async function monthLoads(db: AppContext["db"] | Tx, month: string): Promise<Map<string, number>> {
  const rows = await db.audit.groupBy({ by: ["auditorId"], where: { cycle: { month } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.auditorId, r._count._all]));
}
