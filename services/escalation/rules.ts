// What the catalogue says about escalations (services/catalogue/escalation.json): the types, their
// stages and who owns each stage; and the limits and keys every escalation use case shares.
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { ValidationFailed } from "../errors";
import { loadEscalationConfig, type EscalationStage, type EscalationType } from "../catalogue";
import { firstInChainWithRole, staffWithRole } from "../directory/staff";
import type { Role } from "../../generated/prisma/enums";
import { COUNCIL_STAFF } from "../directory/staff";

export const LIMITS = { concern: 2000, informal: 2000, response: 2000, reason: 500, maxExtensionDays: 10 } as const;
export const STAGE_JOB = "escalation.stageDeadline";

export const cardKeyOf = (id: string) => `escalation:${id}`;
export const jobKey = (id: string, stage: number) => `escalation:${id}:stage${stage}`;

export function escalationType(id: string): EscalationType {
  const t = loadEscalationConfig().types.find((x) => x.id === id);
  if (!t) throw new ValidationFailed("Choose the kind of escalation.", { type: "Choose one of the listed types." });
  return t;
}

/** The types this person may raise (by their roles). */
export function typesFor(actor: Pick<Actor, "roles">): EscalationType[] {
  return loadEscalationConfig().types.filter((t) => t.raiserRoles.some((r) => actor.roles.includes(r)));
}

export const stageOf = (t: EscalationType, n: number): EscalationStage =>
  t.stages.find((s) => s.stage === n) ?? t.stages[t.stages.length - 1]!;

export const lastStageOf = (t: EscalationType): number => t.stages[t.stages.length - 1]!.stage;

/** "case LL123456", or "foster carer FC-0042": what an escalation concerns, by reference only. */
export const subjectOf = (e: { case: { caseRef: string } | null; fosterCarerRef: string | null }) =>
  e.case ? `case ${e.case.caseRef}` : `foster carer ${e.fosterCarerRef ?? ""}`;

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
    where: { ...COUNCIL_STAFF, team: { serviceArea: { equals: serviceArea, mode: "insensitive" } } },
    select: { id: true, roles: true },
    orderBy: { name: "asc" },
  });
  if (!staff.length)
    throw new ValidationFailed(`The directory has no ${serviceArea.toLowerCase()} service to escalate to.`, {
      type: `Ask the directory administrator to add the team whose service area is "${serviceArea}".`,
    });
  return staff;
}
