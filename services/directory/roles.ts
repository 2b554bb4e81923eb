import { Role } from "../../generated/prisma/enums";

/** Every staff role: the one list, taken from prisma/schema.prisma `enum Role` (catalogue schemas and permissions read it from here). */
export const ROLES = Object.values(Role) as [Role, ...Role[]];

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
  PRACTICE_REVIEW_LEARNING_MANAGER: "Practice review and learning manager",
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

/** The QA team and its head. */
export const QA_ROLES: Role[] = ["QA_TEAM", "HEAD_OF_QA"];

/** Deputy Team Manager and above, and the QA team. */
export const MANAGERS_AND_QA: Role[] = [...MANAGEMENT_ROLES, ...QA_ROLES];
