// How an audit's status is written: a guarded update of one row that also bumps its version, so a
// form of the audit opened before the change (its pages carry the version) is refused, not applied.
import type { Tx } from "../db";
import type { Prisma } from "../../generated/prisma/client";

/**
 * The `write` of an audit's `transition`: the row moves only from a status the step starts from
 * (and only where `where` also holds), taking `data` with the new status and the next version.
 */
export function auditWrite(tx: Tx, id: string, data: Prisma.AuditUpdateManyMutationInput, where: Prisma.AuditWhereInput = {}) {
  return (from: string[], to: string) =>
    tx.audit.updateMany({ where: { ...where, id, status: { in: from } }, data: { ...data, status: to, version: { increment: 1 } } });
}
