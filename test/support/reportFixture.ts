// Realistic report data written straight through Prisma, for tests, the demo and trying the report
// by hand: two months of audit cycles across the six demo teams (auditors from another team),
// returned, late, declined and unfinished audits, 19 area scores each, moderations that agree or move
// a grade, family feedback (0–10 statements, some cases audited in both months), actions (open,
// overdue, immediate, done), supervision sessions, escalations at several stages and a health-check
// campaign. Deterministic for a given seed. Needs the demo directory (prisma/seed.ts).
//
// Family statements are stored as Feedback.answers.statements = {"fs-listens": 7, …} (ids of
// services/catalogue/auditTool.json); every fifth feedback uses the flat form shape {"fs-listens": "7"}
// so the reports are shown to read both.
import { randomUUID } from "node:crypto";
import type { Db } from "../../services/db";
import type { Prisma } from "../../generated/prisma/client";
import { bandForGrade, getGradeScale, loadAuditTool } from "../../services/catalogue";
import { rng } from "../../services/random";
import { shiftMonth } from "../../services/dates";

export const FIXTURE_TEAMS = ["AI1", "AI2", "CIN", "CP", "CIC", "LC"];

export interface FixtureOptions {
  month: string;
  theme?: string;
  previousTheme?: string;
  perTeam?: number;
  target?: number;
  seed?: string;
  /** "Now" for overdue actions and supervision. Defaults to the first day of the month after `month`. */
  now?: Date;
}

export interface FixtureResult {
  month: string;
  previousMonth: string;
  cycleIds: string[];
  auditIds: string[];
  casesByTeam: Record<string, string[]>;
}

const DECLINE_REASONS = ["Annual leave", "Sickness", "Caseload pressures"];

export async function seedReportFixture(db: Db, opts: FixtureOptions): Promise<FixtureResult> {
  const random = rng(opts.seed ?? `reports:${opts.month}`);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const scale = getGradeScale("collaborative-0-6");
  const tool = loadAuditTool();
  const statements = tool.feedback.family.statements.map((s) => s.id);
  const perTeam = opts.perTeam ?? 5;
  const prevMonth = shiftMonth(opts.month, -1);
  const now = opts.now ?? new Date(`${shiftMonth(opts.month, 1)}-01T09:00:00Z`);

  const staff = await db.staff.findMany({ where: { active: true }, orderBy: { email: "asc" } });
  const inTeam = (t: string, role: string) => staff.filter((s) => s.teamId === t && s.roles.includes(role as never));
  const cases = await db.case.findMany({ where: { teamId: { in: FIXTURE_TEAMS } }, orderBy: { caseRef: "asc" } });
  const casesByTeam: Record<string, typeof cases> = {};
  for (const t of FIXTURE_TEAMS) casesByTeam[t] = cases.filter((c) => c.teamId === t);

  const result: FixtureResult = { month: opts.month, previousMonth: prevMonth, cycleIds: [], auditIds: [], casesByTeam: {} };
  const actions: Prisma.ActionCreateManyInput[] = [];
  const familyByCase = new Map<string, Record<string, number>>();

  for (const [mi, month] of [prevMonth, opts.month].entries()) {
    const current = mi === 1;
    const theme = current ? (opts.theme ?? "Assessment") : (opts.previousTheme ?? "Children's plans");
    const cycle = await db.auditCycle.create({
      data: { month, theme, target: opts.target ?? 30, seed: opts.seed ?? "fixture", gradeScaleId: scale.id },
    });
    result.cycleIds.push(cycle.id);
    const [y, m] = month.split("-").map(Number);
    const monthStart = new Date(Date.UTC(y!, m! - 1, 1, 9));
    const dueDate = new Date(Date.UTC(y!, m! - 1, 25));

    const audits: Prisma.AuditCreateManyInput[] = [];
    const answers: { auditId: string; area: number; score: number }[] = [];
    const feedback: {
      auditId: string;
      kind: string;
      obtained: boolean;
      answers: object;
      recordedById: string;
      notObtainedReason?: string;
    }[] = [];
    const moderations: {
      auditId: string;
      moderatorId: string;
      returnDate: Date;
      status: string;
      agree: boolean;
      agreedGrade: number | null;
    }[] = [];

    FIXTURE_TEAMS.forEach((team, ti) => {
      const auditorTeam = FIXTURE_TEAMS[(ti + 1) % FIXTURE_TEAMS.length]!;
      const auditors = [...inTeam(auditorTeam, "TEAM_MANAGER"), ...inTeam(auditorTeam, "DEPUTY_TEAM_MANAGER")];
      const manager = inTeam(team, "TEAM_MANAGER")[0];
      const teamCases = casesByTeam[team]!;
      // The first two cases of each team are audited in both months (feedback change over time).
      const chosen = current ? teamCases.slice(0, perTeam) : [...teamCases.slice(0, 2), ...teamCases.slice(perTeam, perTeam + perTeam - 2)];
      chosen.forEach((c, ci) => {
        const id = randomUUID();
        const r = random();
        // Outcomes: 1 in 10 not completed, 1 in 10 not returned, the rest returned (1 in 6 of those late).
        const status =
          ci === 0 && current
            ? "submitted"
            : r < 0.1
              ? "not_completed"
              : r < 0.2
                ? "in_progress"
                : random() < 0.5
                  ? "finalised"
                  : "submitted";
        const returned = status === "submitted" || status === "finalised";
        const late = returned && random() < 0.17;
        const quality = random();
        const grade = returned ? Math.min(6, Math.max(0, Math.round(1.5 + quality * 5 + (random() - 0.5) * 2))) : null;
        const band = grade === null ? null : bandForGrade(scale, grade, grade === 6 && random() < 0.3 ? "outstanding" : undefined)!.id;
        const auditor = pick(auditors);
        const submittedAt = returned
          ? new Date(dueDate.getTime() + (late ? 3 : -5 - Math.floor(random() * 10)) * 86_400_000 + 10 * 3_600_000)
          : null;
        let moderatedBand: string | null = null;
        let moderatedGrade: number | null = null;
        if (returned && random() < 0.6) {
          const agree = random() < 0.65;
          if (!agree) {
            const down = grade! > 0 && random() < 0.75;
            moderatedGrade = Math.max(0, Math.min(6, grade! + (down ? -3 : 3)));
            moderatedBand = bandForGrade(scale, moderatedGrade)!.id;
            if (moderatedBand === band) {
              moderatedBand = null;
              moderatedGrade = null;
            }
          }
          moderations.push({
            auditId: id,
            moderatorId: pick(staff.filter((s) => s.roles.includes("MODERATOR"))).id,
            returnDate: dueDate,
            status: "finalised",
            agree: agree || moderatedBand === null,
            agreedGrade: moderatedGrade,
          });
        }
        audits.push({
          id,
          cycleId: cycle.id,
          caseId: c.id,
          auditorId: auditor.id,
          practitionerId: c.workerId ?? auditor.id,
          managerId: manager?.id ?? null,
          teamId: team,
          status,
          dueDate,
          gradeScaleId: scale.id,
          grade,
          gradeBand: band,
          moderatedGrade,
          moderatedBand,
          childrenBenefit: returned ? pick(["yes", "yes", "no", "unclear", null]) : null,
          declineReason: status === "not_completed" ? (random() < 0.8 ? pick(DECLINE_REASONS) : null) : null,
          allocatedAt: monthStart,
          submittedAt,
          finalisedAt: status === "finalised" ? submittedAt : null,
        });
        result.auditIds.push(id);
        if (returned) {
          for (const area of tool.areas) {
            // Areas 13 (direct work) and 17 (analysis) are weaker; quality lifts every area.
            const bias = area.number === 17 ? -2.5 : area.number === 13 ? -1.5 : current ? 0.5 : 0;
            answers.push({
              auditId: id,
              area: area.number,
              score: Math.min(10, Math.max(0, Math.round(quality * 8 + 1 + bias + (random() - 0.5) * 3))),
            });
          }
          if (random() < 0.75 || ci < 2) {
            const values = Object.fromEntries(
              statements.map((s) => [s, Math.min(10, Math.max(0, Math.round(4 + quality * 5 + (random() - 0.5) * 3 + (current ? 1 : 0))))]),
            );
            const flat = feedback.length % 5 === 4;
            feedback.push({
              auditId: id,
              kind: "family",
              obtained: true,
              answers: flat ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])) : { statements: values },
              recordedById: auditor.id,
            });
            familyByCase.set(c.id, values);
          } else {
            feedback.push({
              auditId: id,
              kind: "family",
              obtained: false,
              notObtainedReason: "No answer after three calls",
              answers: {},
              recordedById: auditor.id,
            });
          }
          for (let k = 0; k < 2; k++) {
            const done = random() < 0.4;
            const immediate = k === 0 && band === "inadequate";
            actions.push({
              auditId: id,
              assigneeId: c.workerId ?? auditor.id,
              createdById: auditor.id,
              description: immediate ? "Update the safety plan with the family" : "Update the chronology and case summary",
              dueAt: new Date(submittedAt!.getTime() + (immediate ? 1 : 20) * 86_400_000),
              immediate,
              status: done ? "done" : "open",
              doneAt: done ? submittedAt : null,
            });
          }
        }
      });
    });
    await db.audit.createMany({ data: audits });
    await db.auditAnswer.createMany({ data: answers });
    await db.feedback.createMany({ data: feedback });
    await db.moderation.createMany({ data: moderations });
  }
  await db.action.createMany({ data: actions });

  // Supervision: one overdue and one future session per practitioner in three teams.
  const sessions = [];
  for (const team of ["CP", "CIN", "LC"]) {
    const tm = inTeam(team, "TEAM_MANAGER")[0]!;
    for (const p of inTeam(team, "PRACTITIONER").slice(0, team === "CP" ? 3 : 1)) {
      sessions.push({
        superviseeId: p.id,
        supervisorId: tm.id,
        teamId: team,
        dueOn: new Date(now.getTime() - 10 * 86_400_000),
        status: "scheduled",
      });
      sessions.push({
        superviseeId: p.id,
        supervisorId: tm.id,
        teamId: team,
        dueOn: new Date(now.getTime() + 10 * 86_400_000),
        status: "scheduled",
      });
    }
  }
  sessions.push({
    superviseeId: null,
    supervisorId: inTeam("AI1", "TEAM_MANAGER")[0]!.id,
    teamId: "AI1",
    kind: "group",
    dueOn: new Date(now.getTime() - 3 * 86_400_000),
    status: "overdue",
  });
  await db.supervisionSession.createMany({ data: sessions });

  // Escalations: open at stages 1, 1, 2, 3 of different ages, one resolved.
  const raiser = staff.find((s) => s.roles.includes("CP_CHAIR"))!;
  const escalations = [
    { stage: 1, ageDays: 3, status: "open" },
    { stage: 1, ageDays: 12, status: "open" },
    { stage: 2, ageDays: 20, status: "open" },
    { stage: 3, ageDays: 40, status: "open" },
    { stage: 2, ageDays: 30, status: "resolved" },
  ];
  await db.escalation.createMany({
    data: escalations.map((e, i) => ({
      caseId: casesByTeam.CP![i]!.id,
      raiserId: raiser.id,
      type: "cp-chair",
      concern: "Plan not progressing",
      informalAttempts: "Discussed with the team manager",
      status: e.status,
      stage: e.stage,
      stageDeadline: new Date(now.getTime() + 5 * 86_400_000),
      createdAt: new Date(now.getTime() - e.ageDays * 86_400_000),
      resolvedAt: e.status === "resolved" ? new Date(now.getTime() - 2 * 86_400_000) : null,
    })),
  });

  // A health-check campaign in the month: invited staff, who answered, anonymous numeric answers.
  const invited = staff.filter((s) => s.roles.includes("PRACTITIONER")).slice(0, 20);
  const campaign = await db.surveyCampaign.create({
    data: {
      templateId: "health-check",
      templateVersion: 1,
      title: `Social Work Health Check ${opts.month.slice(0, 4)}`,
      audience: { roles: ["PRACTITIONER"] },
      opensAt: new Date(`${opts.month}-02T09:00:00Z`),
      closesAt: new Date(`${opts.month}-20T17:00:00Z`),
      status: "closed",
    },
  });
  await db.surveyParticipation.createMany({ data: invited.map((s, i) => ({ campaignId: campaign.id, staffId: s.id, responded: i < 12 })) });
  await db.surveyResponse.createMany({
    data: Array.from({ length: 12 }, (_, i) => ({
      campaignId: campaign.id,
      submittedOn: new Date(`${opts.month}-1${i % 9}T00:00:00Z`),
      roleGroup: "practitioner",
      answers: { "sos-confidence": 3 + (i % 3), "culture-teamwork": 4 - (i % 2), "rare-question": i === 0 ? 2 : "n/a" },
    })),
  });

  for (const t of FIXTURE_TEAMS) result.casesByTeam[t] = casesByTeam[t]!.map((c) => c.caseRef);
  void familyByCase;
  return result;
}
