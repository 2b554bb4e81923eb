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
