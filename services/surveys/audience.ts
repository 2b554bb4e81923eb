// Who a survey is for: the audience chosen on the "open a survey" form, the staff it matches in
// the directory, and the form audience (practitioner, manager, QA) a person answers as.
import { MANAGEMENT_ROLES } from "../directory/roles";
import type { Prisma } from "../../generated/prisma/client";
import type { Role } from "../../generated/prisma/enums";
import type { Tx } from "../db";
import type { Audience, FormTemplate } from "../forms/templateSchema";

/** Who a campaign is for. Empty lists mean "no filter"; all filters must hold. */
export interface AudienceSpec {
  roles?: Role[];
  teams?: string[];
  /** New starters: staff whose start date falls in [startedFrom, startedTo] (ISO dates). */
  startedFrom?: string;
  startedTo?: string;
}

export const MANAGER_ROLES: Role[] = MANAGEMENT_ROLES;
const QA_ROLES: Role[] = ["QA_TEAM", "HEAD_OF_QA"];

/** The form audience of a member of staff, from the directory (used when a form has no role question). */
export function directoryAudience(roles: Role[]): Audience {
  if (roles.some((r) => MANAGER_ROLES.includes(r))) return "manager";
  if (roles.some((r) => QA_ROLES.includes(r)) && !roles.includes("PRACTITIONER")) return "qa";
  return "practitioner";
}

/** Audience choices on the "open a survey" form → the service's AudienceSpec. */
export function parseAudience(values: string[], today: Date): AudienceSpec {
  const spec: AudienceSpec = {};
  const roles = new Set<string>();
  const teams: string[] = [];
  for (const v of values) {
    if (v === "practitioners") roles.add("PRACTITIONER");
    else if (v === "managers") MANAGER_ROLES.forEach((r) => roles.add(r));
    else if (v === "starters") {
      const from = new Date(today);
      from.setUTCMonth(from.getUTCMonth() - 4);
      const to = new Date(today);
      to.setUTCMonth(to.getUTCMonth() - 3);
      spec.startedFrom = from.toISOString().slice(0, 10);
      spec.startedTo = to.toISOString().slice(0, 10);
    } else if (v.startsWith("team:")) teams.push(v.slice(5));
  }
  if (roles.size) spec.roles = [...roles] as Role[];
  if (teams.length) spec.teams = teams;
  return spec;
}

export async function audienceStaff(tx: Tx, template: FormTemplate, spec: AudienceSpec) {
  // Partner agencies' guests are not council staff: they are never in a survey's audience.
  const where: Prisma.StaffWhereInput = { active: true, partnerAgency: null };
  // A form typed in on someone else's behalf (the parent/carer phone survey) is for the people who
  // make the calls, whatever audience was asked for.
  const roles = template.enteredBy === "qa" ? QA_ROLES : spec.roles;
  if (roles?.length) where.roles = { hasSome: roles };
  if (spec.teams?.length && template.enteredBy !== "qa") where.teamId = { in: spec.teams };
  if (spec.startedFrom || spec.startedTo) {
    where.startDate = {
      ...(spec.startedFrom ? { gte: new Date(`${spec.startedFrom}T00:00:00Z`) } : {}),
      ...(spec.startedTo ? { lte: new Date(`${spec.startedTo}T00:00:00Z`) } : {}),
    };
  }
  return tx.staff.findMany({ where, select: { id: true }, orderBy: { id: "asc" } });
}
