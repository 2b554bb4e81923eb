// The report aggregation on a small, hand-made month whose every number is known in advance.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/testDb";
import { createPrisma, type Db } from "../services/db";
import { monthlyReport } from "../services/reports/monthly";
import { teamAppendix, teamSummaries } from "../services/reports/appendix";
import { trends, quarterlyReport } from "../services/reports/trends";
import { calibration } from "../services/reports/calibration";
import { DEFAULT_SETTINGS } from "../services/reports/settings";
import { direction, share, quarterMonths } from "../services/reports/format";
import { buildMonthlyView, firstWorkingDayOf, monthlyCardData, teamCardData } from "../services/reports";
import { dashboardFor } from "../services/home/dashboard";
import { loadConfig } from "../services/config";
import { ManualClock } from "../services/clock";
import { createLogger } from "../services/logger";
import { actorOf } from "../services/directory/staff";
import type { AppContext } from "../services/context";

let database: TestDatabase;
let db: Db;
const settings = { ...DEFAULT_SETTINGS, minGroupSize: 3 };
const now = new Date("2026-11-02T10:00:00Z");

/** One audit with its 19 scores (all `score` except the overrides), optional moderation and family feedback. */
async function audit(o: {
  cycleId: string;
  caseRef: string;
  status: string;
  grade?: number;
  band?: string;
  moderatedBand?: string;
  agree?: boolean;
  score?: number;
  overrides?: Record<number, number>;
  family?: Record<string, unknown>;
  submitted?: string;
  declineReason?: string;
  allocatedAt: string;
  benefit?: string;
  unsafe?: boolean;
  /** The moderation's state (default: finalised, i.e. completed). */
  moderationStatus?: string;
}) {
  const c = await db.case.findUniqueOrThrow({ where: { caseRef: o.caseRef } });
  const auditor = await db.staff.findFirstOrThrow({ where: { roles: { has: "TEAM_MANAGER" }, teamId: "CIN" } });
  const a = await db.audit.create({
    data: {
      cycleId: o.cycleId,
      caseId: c.id,
      auditorId: auditor.id,
      practitionerId: c.workerId!,
      teamId: c.teamId,
      status: o.status,
      dueDate: new Date(`${o.allocatedAt.slice(0, 7)}-25`),
      gradeScaleId: "collaborative-0-6",
      grade: o.grade ?? null,
      gradeBand: o.band ?? null,
      moderatedBand: o.moderatedBand ?? null,
      declineReason: o.declineReason ?? null,
      childrenBenefit: o.benefit ?? null,
      childUnsafe: o.unsafe ?? null,
      allocatedAt: new Date(o.allocatedAt),
      submittedAt: o.submitted ? new Date(o.submitted) : null,
    },
  });
  if (o.score !== undefined) {
    await db.auditAnswer.createMany({
      data: Array.from({ length: 19 }, (_, i) => ({ auditId: a.id, area: i + 1, score: o.overrides?.[i + 1] ?? o.score! })),
    });
  }
  if (o.agree !== undefined) {
    await db.moderation.create({
      data: {
        auditId: a.id,
        moderatorId: auditor.id,
        returnDate: new Date("2026-10-30"),
        agree: o.agree,
        status: o.moderationStatus ?? "finalised",
      },
    });
  }
  if (o.family)
    await db.feedback.create({
      data: { auditId: a.id, kind: "family", obtained: true, answers: o.family as object, recordedById: auditor.id },
    });
  return a;
}

let refs: string[];
beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrisma(database.url, 4);
  refs = (await db.case.findMany({ where: { teamId: "CP" }, orderBy: { caseRef: "asc" }, take: 6 })).map((c) => c.caseRef);
  const sep = await db.auditCycle.create({
    data: { month: "2026-09", theme: "Plans", target: 4, seed: "t", gradeScaleId: "collaborative-0-6" },
  });
  const oct = await db.auditCycle.create({
    data: { month: "2026-10", theme: "Assessment", target: 10, seed: "t", gradeScaleId: "collaborative-0-6" },
  });
  // September: case 0 audited with family feedback 4 on every statement; area 17 at 2 in both audits.
  await audit({
    cycleId: sep.id,
    caseRef: refs[0]!,
    status: "finalised",
    grade: 3,
    band: "requires-improvement",
    score: 5,
    overrides: { 17: 2 },
    family: { statements: { "fs-listens": 4, "fs-cares": 4 } },
    submitted: "2026-09-20T10:00:00Z",
    allocatedAt: "2026-09-01T09:00:00Z",
  });
  await audit({
    cycleId: sep.id,
    caseRef: refs[5]!,
    status: "finalised",
    grade: 6,
    band: "good",
    score: 5,
    overrides: { 17: 2 },
    submitted: "2026-09-20T10:00:00Z",
    allocatedAt: "2026-09-01T09:00:00Z",
  });
  // October: 6 allocated — 4 returned (1 late), 1 not completed with a reason, 1 never returned.
  await audit({
    cycleId: oct.id,
    caseRef: refs[0]!,
    status: "finalised",
    grade: 4,
    band: "requires-improvement",
    moderatedBand: "inadequate",
    agree: false,
    score: 7,
    overrides: { 17: 3 },
    family: { statements: { "fs-listens": 7, "fs-cares": "6" } },
    submitted: "2026-10-20T10:00:00Z",
    allocatedAt: "2026-10-01T09:00:00Z",
    benefit: "yes",
  });
  await audit({
    cycleId: oct.id,
    caseRef: refs[1]!,
    status: "submitted",
    grade: 6,
    band: "good",
    agree: true,
    score: 8,
    overrides: { 17: 5 },
    family: { "fs-listens": "9" },
    submitted: "2026-10-24T23:30:00Z",
    allocatedAt: "2026-10-01T09:00:00Z",
    benefit: "Yes — direct work",
  });
  await audit({
    cycleId: oct.id,
    caseRef: refs[2]!,
    status: "submitted",
    grade: 1,
    band: "inadequate",
    score: 4,
    submitted: "2026-10-27T09:00:00Z",
    allocatedAt: "2026-10-01T09:00:00Z",
    benefit: "no",
  });
  await audit({
    cycleId: oct.id,
    caseRef: refs[3]!,
    status: "finalised",
    grade: 5,
    band: "requires-improvement",
    moderatedBand: "good",
    agree: false,
    score: 6,
    submitted: "2026-10-10T10:00:00Z",
    allocatedAt: "2026-10-01T09:00:00Z",
  });
  await audit({
    cycleId: oct.id,
    caseRef: refs[4]!,
    status: "not_completed",
    declineReason: "Annual leave",
    allocatedAt: "2026-10-01T09:00:00Z",
  });
  await audit({ cycleId: oct.id, caseRef: refs[5]!, status: "in_progress", allocatedAt: "2026-10-01T09:00:00Z" });
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe("small numbers", () => {
  it("always gives a percentage with its count", () => {
    expect(share(3, 10).text).toBe("3 of 10 (30%)");
    expect(share(0, 0).text).toBe("0 of 0");
    expect(direction(5.5, 5, 0.2)).toBe("↑");
    expect(direction(5, 5.1, 0.2)).toBe("→");
    expect(direction(4, 5, 0.2)).toBe("↓");
    expect(direction(null, 5, 0.2)).toBe("");
    expect(quarterMonths("2026-Q4")).toEqual(["2026-10", "2026-11", "2026-12"]);
  });

  it("schedules on the first working day of the month (bank holidays and weekends skipped)", () => {
    expect(firstWorkingDayOf("2027-01", "Europe/London").toISOString()).toBe("2027-01-04T08:00:00.000Z");
    expect(firstWorkingDayOf("2026-06", "Europe/London").toISOString()).toBe("2026-06-01T07:00:00.000Z");
  });
});

describe("the monthly aggregation", () => {
  it("counts how much was done, late (by local date) and not completed with reasons", async () => {
    const r = await monthlyReport(db, { month: "2026-10" }, settings, now);
    expect(r.howMuch).toMatchObject({ target: 10, allocated: 6, returned: 4, moderated: 3, notCompleted: 2, inProgress: 0 });
    // 24 Oct 23:30 UTC is 25 Oct 00:30 in London (BST): on the due date, so in time. 27 Oct is late.
    expect(r.howMuch.late).toBe(1);
    expect(r.howMuch.reasons).toEqual([
      { reason: "Annual leave", count: 1 },
      { reason: "No reason given", count: 1 },
    ]);
    expect(r.howMuch.targetVsActual.text).toBe("4 of 10 (40%)");
  });

  it("grades by the final (moderated) band, with moderation movements both ways; the late audit is not included", async () => {
    const r = await monthlyReport(db, { month: "2026-10" }, settings, now);
    const g = Object.fromEntries(r.howWell.grades.map((x) => [x.bandId, x.share.text]));
    expect(r.howMuch.counted).toBe(3);
    expect(g).toEqual({
      inadequate: "1 of 3 (33%)",
      "requires-improvement": "0 of 3 (0%)",
      good: "2 of 3 (67%)",
      outstanding: "0 of 3 (0%)",
    });
    expect(r.howWell.movedUp).toBe(1);
    expect(r.howWell.movedDown).toBe(1);
    expect(r.howWell.movements.map((m) => `${m.from}→${m.to}`).sort()).toEqual([
      "Requires Improvement→Good",
      "Requires Improvement→Inadequate",
    ]);
  });

  it("finds areas below Good, needing attention, improving and good", async () => {
    const r = await monthlyReport(db, { month: "2026-10" }, settings, now);
    const a17 = r.howWell.areas.find((a) => a.area === 17)!;
    expect(a17.below.text).toBe("2 of 3 (67%)"); // 3, 5 and 6 (the late audit's 4 is not included)
    const a1 = r.howWell.areas.find((a) => a.area === 1)!;
    expect(a1.below.text).toBe("0 of 3 (0%)"); // scores 7, 8, 6
    expect(a1.previousBelowPct).toBe(100); // September: 5 and 5
    expect(r.howWell.good.map((a) => a.area)).toContain(1);
    expect(r.howWell.attention.map((a) => a.area)).toEqual([17]);
    // Area 17 fell from 100% to 67% below Good: improving, not yet good. Area 1 improved too but is good.
    expect(r.howWell.improving.map((a) => a.area)).toEqual([17]);
  });

  it("averages family statements from both JSON shapes and compares with the case's previous audit", async () => {
    // The arithmetic, with no minimum group; with the minimum (3) none of it is shown.
    const hidden = await monthlyReport(db, { month: "2026-10" }, settings, now);
    expect(hidden.betterOff.familyFeedback).toBeNull();
    expect(hidden.betterOff.statements.every((s) => s.mean === null && s.n === null && s.change === null)).toBe(true);
    const r = await monthlyReport(db, { month: "2026-10" }, { ...settings, minGroupSize: 1 }, now);
    expect(r.betterOff.familyFeedback).toBe(2);
    const listens = r.betterOff.statements.find((s) => s.id === "fs-listens")!;
    expect(listens).toMatchObject({ n: 2, mean: 8, pairs: 1, change: 3, direction: "↑" });
    const cares = r.betterOff.statements.find((s) => s.id === "fs-cares")!;
    expect(cares).toMatchObject({ n: 1, mean: 6, pairs: 1, change: 2 });
    // Of the 3 counted audits, one did not say: the share is of the 2 that answered.
    expect(r.betterOff.seenToBenefit.text).toBe("2 of 2 (100%)");
    expect(r.betterOff.benefitNotRecorded).toBe(1);
  });

  it("scopes everything to the teams asked for", async () => {
    const other = await monthlyReport(db, { month: "2026-10", teamIds: ["AI1"] }, settings, now);
    expect(other.howMuch.allocated).toBe(0);
    expect(await teamAppendix(db, { month: "2026-10", teamIds: ["AI1"] }, settings)).toEqual([]);
    const cp = await teamAppendix(db, { month: "2026-10", teamIds: ["CP"] }, settings);
    expect(cp.map((a) => a.caseRef)).toEqual([...refs.slice(0, 6)].sort());
    expect(cp.find((a) => a.caseRef === refs[0])).toMatchObject({
      originalGrade: "Requires Improvement",
      moderatedGrade: "Inadequate",
      finalGrade: "Inadequate",
    });
  });

  it("suppresses a team's family feedback when fewer families than the minimum answered", async () => {
    const [cp] = await teamSummaries(db, { month: "2026-10" }, settings);
    expect(cp).toMatchObject({ teamId: "CP", allocated: 6, returned: 4, suppressed: true, familyMean: null, familyFeedback: null });
    const [shown] = await teamSummaries(db, { month: "2026-10" }, { ...settings, minGroupSize: 2 });
    expect(shown).toMatchObject({ suppressed: false, familyFeedback: 2 });
    expect(shown!.familyMean).toBe(7.8); // family means 6.5 and 9
  });
});

describe("trends, quarterly and calibration", () => {
  it("gives month-to-month series with direction of travel", async () => {
    const t = await trends(db, "2026-10", settings, 3);
    expect(t.months.map((m) => [m.month, m.returned, m.good.count])).toEqual([
      ["2026-08", 0, 0],
      ["2026-09", 2, 1],
      ["2026-10", 4, 2],
    ]);
    expect(t.goodDirection).toBe("→"); // 50% then 50%
    expect(t.areas.find((a) => a.area === 1)).toMatchObject({ first: 5, last: 6.3, direction: "↑" });
  });

  it("brings the quarter together and tolerates no escalations or health check", async () => {
    const q = await quarterlyReport(db, "2026-Q4", settings, now);
    expect(q.audits.allocated).toBe(6);
    expect(q.moderation).toMatchObject({ moderated: 3, movedUp: 1, movedDown: 1 });
    expect(q.moderation.agreed.text).toBe("1 of 3 (33%)");
    expect(q.escalations.open).toBe(0);
    expect(q.healthCheck).toBeNull();
  });

  it("measures auditor agreement and mean grade shift in bands", async () => {
    const rows = await calibration(db, "2026-09", "2026-10");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ theme: "Assessment", moderated: 3, movedUp: 1, movedDown: 1, meanShift: 0 });
    expect(rows[0]!.agreed.text).toBe("1 of 3 (33%)");
  });
});

describe("a month a tester checked: one inadequate audit returned of 30, the rest still in progress", () => {
  // March 2027: 30 audits for the authority; the Children in Need team has 5 of them. Two are
  // returned early in the month (due on the 25th): one with every area below Good, its
  // "better off / safer" questions left empty and its moderation sent back from approval; one
  // answered. The other 28 are still in progress on 10 March.
  const month = "2027-03";
  const marchNow = new Date("2027-03-10T10:00:00Z");
  let ctx: AppContext;
  beforeAll(async () => {
    ctx = {
      db,
      config: loadConfig({ NODE_ENV: "test", MIN_GROUP_SIZE: "3" }),
      clock: new ManualClock(marchNow),
      log: createLogger("silent"),
    };
    const cycle = await db.auditCycle.create({ data: { month, theme: "", target: 30, seed: "t", gradeScaleId: "collaborative-0-6" } });
    const cin = (await db.case.findMany({ where: { teamId: "CIN" }, orderBy: { caseRef: "asc" }, take: 5 })).map((c) => c.caseRef);
    const others = (await db.case.findMany({ where: { teamId: { not: "CIN" } }, orderBy: { caseRef: "asc" }, take: 25 })).map(
      (c) => c.caseRef,
    );
    expect([cin.length, others.length]).toEqual([5, 25]);
    const at = "2027-03-01T09:00:00Z";
    await audit({
      cycleId: cycle.id,
      caseRef: cin[0]!,
      status: "submitted",
      grade: 1,
      band: "inadequate",
      score: 2,
      submitted: "2027-03-05T10:00:00Z",
      allocatedAt: at,
      agree: false,
      moderationStatus: "agreeing", // the grade's approval was refused: back to agreeing it
    });
    await audit({
      cycleId: cycle.id,
      caseRef: cin[1]!,
      status: "submitted",
      grade: 1,
      band: "inadequate",
      score: 3,
      submitted: "2027-03-06T10:00:00Z",
      allocatedAt: at,
      benefit: "yes",
      unsafe: false,
    });
    for (const ref of [...cin.slice(2), ...others])
      await audit({ cycleId: cycle.id, caseRef: ref, status: "in_progress", allocatedAt: at });
  });

  it("shows 0 not completed on the Home tab, as the monthly report does: still in progress is counted apart once", async () => {
    const qa = actorOf(await db.staff.findFirstOrThrow({ where: { roles: { has: "HEAD_OF_QA" } } }));
    const d = await dashboardFor(ctx, qa, { month });
    const r = await monthlyReport(db, { month }, settings, marchNow);
    expect(r.howMuch).toMatchObject({ allocated: 30, returned: 2, notCompleted: 0, inProgress: 28 });
    expect(d.glance.howMuch).toMatchObject({ allocated: 30, returned: 2, notCompleted: 0, inProgress: 28 });
  });

  it("compares a team's returns with the team's own allocation, not the authority's target", async () => {
    // Monthly "Audit findings at a glance" reports, The reports: "Teams are also provided with an
    // appendix showing the individual case numbers and audit results"; the target ("30 children's
    // cases per month", The future) is the authority's.
    const team = await buildMonthlyView(db, ctx, { month, teamIds: ["CIN"] }, marchNow);
    expect(team.report.howMuch).toMatchObject({ target: 5, authorityTarget: 30, allocated: 5, returned: 2 });
    const facts = teamCardData(team).muchFacts;
    expect(facts.find((f) => f.title === "Returned vs the team's allocation")?.value).toBe(
      "2 of 5 (40%) of the 5 audits allocated to the team (the target of 30 is for all teams)",
    );
    expect(JSON.stringify(facts)).not.toContain("of the target of 30");
    const all = await buildMonthlyView(db, ctx, { month }, marchNow);
    expect(monthlyCardData(all).muchFacts.find((f) => f.title === "Target vs returned")?.value).toBe("2 of 30 (7%) of the target of 30");
  });

  it("counts only completed moderations as moderated; one still being agreed is shown apart", async () => {
    const v = await buildMonthlyView(db, ctx, { month }, marchNow);
    expect(v.report.howMuch).toMatchObject({ moderated: 0, beingModerated: 1 });
    const card = monthlyCardData(v);
    expect(card.muchFacts).toContainEqual({ title: "Moderated", value: "0" });
    expect(card.muchFacts).toContainEqual({ title: "Being moderated", value: "1 (grade not yet agreed or approved)" });
    expect(card.movementText).toBe(
      "No moderation completed yet. 1 moderation still being agreed or approved: its grade is not counted yet.",
    );
  });

  it("lists every area needing immediate attention, as the monthly reports do", async () => {
    // Monthly "Audit findings at a glance" reports: "What areas need immediate, consistent
    // attention?" lists every such area (and all eight improving ones), not the first few.
    const card = monthlyCardData(await buildMonthlyView(db, ctx, { month }, marchNow));
    expect(card.attention).toHaveLength(19);
    expect(card.attention[18]!.text).toMatch(/^Area \d+: .* — 2 of 2 \(100%\) below Good$/);
    // The team appendix names the three weakest and says how many more there are.
    const appendix = teamCardData(await buildMonthlyView(db, ctx, { month, teamIds: ["CIN"] }, marchNow));
    expect(appendix.attention).toHaveLength(4);
    expect(appendix.attention[3]!.text).toBe("and 16 more areas needing attention: all are listed in the month at a glance");
  });

  it("does not count an unanswered 'better off' or 'unsafe' question as a no: figures are of those answered", async () => {
    const v = await buildMonthlyView(db, ctx, { month }, marchNow);
    expect(v.report.betterOff).toMatchObject({ benefitNotRecorded: 1, safetyNotRecorded: 1 });
    expect(v.report.betterOff.seenToBenefit.text).toBe("1 of 1 (100%)");
    expect(v.report.betterOff.foundUnsafe.text).toBe("0 of 1 (0%)");
    const card = monthlyCardData(v);
    expect(card.benefitText).toBe(
      "Children seen to benefit, as recorded by auditors: 1 of 1 (100%) of those answered (1 audit did not say)",
    );
    expect(card.benefitFacts[0]).toEqual({ title: "Found unsafe", value: "0 of 1 (0%) of those answered (1 audit did not say)" });
    expect(card.benefitFacts.map((f) => f.title)).not.toContain("not recorded");
  });
});
