// What the Home tab's browser test adds to the report fixture (test/support/reportFixture.ts): some
// of the month's supervision sessions recorded as held, and a closed Social Work Health Check
// answered with the form's own question ids, by teams of different sizes so the group rule
// (services/disclosure.ts) hides the two smallest (LC 3 and CIC 4 people, 7 together).
import type { Db } from "../../services/db";
import { LIKERT5_DEFAULT_OPTIONS, loadFormTemplate } from "../../services/forms/templateSchema";

export const HEALTH_CHECK_TEAMS: Record<string, number> = { CIN: 8, CP: 7, AI1: 6, AI2: 5, CIC: 4, LC: 3 };
/** Answered by 3 people only (managers): never shown. */
export const RARE_QUESTION = "culture-manager-time-oversight";
/**
 * Answered by 6 people in CIN and 1 in CP: shown over every team (7), never in CIN's view, which
 * would give away the CP person's answer by subtraction.
 */
export const SKEWED_QUESTION = "culture-manager-supported-risk";

export async function seedTabExtras(db: Db, month: string): Promise<void> {
  const due = await db.supervisionSession.findMany({
    where: { dueOn: { gte: new Date(`${month}-01`), lt: new Date(`${month}-28`) }, teamId: { in: ["CP", "CIN"] } },
    orderBy: [{ teamId: "asc" }, { id: "asc" }],
  });
  const held = [...due.filter((s) => s.teamId === "CIN"), ...due.filter((s) => s.teamId === "CP").slice(0, 2)];
  for (const s of held) await db.supervisionSession.update({ where: { id: s.id }, data: { status: "held", heldOn: s.dueOn } });

  const campaign = await db.surveyCampaign.create({
    data: {
      templateId: "health-check",
      templateVersion: 1,
      title: `Social Work Health Check, autumn ${month.slice(0, 4)}`,
      audience: { roles: ["PRACTITIONER", "TEAM_MANAGER"] },
      opensAt: new Date(`${month}-05T09:00:00Z`),
      closesAt: new Date(`${month}-25T17:00:00Z`),
      status: "closed",
    },
  });
  const questions = loadFormTemplate("health-check").sections.flatMap((s) => s.questions);
  const teams = Object.entries(HEALTH_CHECK_TEAMS).flatMap(([team, n]) => Array.from({ length: n }, () => team));
  await db.surveyResponse.createMany({
    data: teams.map((teamId, i) => {
      const answers: Record<string, string | number> = { "role-group": i < 3 ? "team-manager" : "practitioner" };
      questions.forEach((q, k) => {
        // Each question its own level, each person a little above or below it.
        const spread = (i % 3) - 1;
        if (q.type === "scale0to10") answers[q.id] = Math.min(10, Math.max(0, 2 + ((k * 5) % 7) + spread));
        const answered = q.id === RARE_QUESTION ? i < 3 : q.id === SKEWED_QUESTION ? i < 6 || i === 8 : true;
        if (q.type === "likert5" && answered)
          answers[q.id] = LIKERT5_DEFAULT_OPTIONS[Math.min(4, Math.max(0, 1 + ((k * 2) % 4) + spread))]!;
      });
      return { campaignId: campaign.id, submittedOn: new Date(`${month}-20T00:00:00Z`), roleGroup: "practitioner", teamId, answers };
    }),
  });
}
