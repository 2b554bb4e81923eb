import type { Role } from "../../generated/prisma/enums";

const labels: Record<Role, string> = {
  PRACTITIONER: "Practitioner",
  DEPUTY_TEAM_MANAGER: "Deputy Team Manager",
  TEAM_MANAGER: "Team Manager",
  SERVICE_MANAGER: "Service Manager",
  HEAD_OF_SERVICE: "Head of Service",
  ASSISTANT_DIRECTOR: "Assistant Director",
  DIRECTOR: "Director of Children's Services",
  QA_TEAM: "QA team",
  HEAD_OF_QA: "Head of Quality Assurance",
  MODERATOR: "Moderator",
  CP_CHAIR: "Child Protection Conference Chair",
  IRO: "Independent Reviewing Officer",
  FOSTERING_IRO: "Fostering IRO",
  ADMIN: "Administrator",
};

export const roleLabel = (r: Role): string => labels[r];

/** Deputy Team Manager and above: the management line (auditors are drawn from it, Bexley Children's Social Care Quality Assurance Framework, §1.3). */
export const MANAGEMENT_ROLES: Role[] = [
  "DEPUTY_TEAM_MANAGER",
  "TEAM_MANAGER",
  "SERVICE_MANAGER",
  "HEAD_OF_SERVICE",
  "ASSISTANT_DIRECTOR",
  "DIRECTOR",
];
