// The induction questionnaire goes to each new starter three months after their start date, from a
// daily job, once per person. Bexley Children's Social Care Quality Assurance Framework, §4.1
// Induction: "Professional Standards & Quality Assurance are responsible for sending each new staff
// member a short evaluation questionnaire after 3 months (see below). This can be completed on line."
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness, type StaffRef } from "../support/harness";
import { answerWholeSurvey, invitesTo } from "../support/surveyForm";
import { ManualClock } from "../../services/clock";
import { buildRecurringJobs } from "../../scheduler/recurring";

const clock = new ManualClock("2026-12-01T06:30:00Z"); // a Tuesday, before the working day
let h: Harness;
let due: StaffRef[]; // started 1 September 2026: three months ago today
let late: StaffRef; // started 20 August: due earlier, never invited (the job did not run)
let notYet: StaffRef; // started 15 September
let longAgo: StaffRef; // started in 2025: not a new starter

const runJob = async () => {
  const job = buildRecurringJobs().find((j) => j.name === "survey.induction");
  expect(job, "a daily induction questionnaire job").toBeDefined();
  await job!.run(h.service.ctx, () => false);
};
const inductionInvites = (s: StaffRef) => invitesTo(h, s, "Induction");

beforeAll(async () => {
  h = await startHarness({ clock });
  const staff = await h.db.staff.findMany({ where: { active: true }, orderBy: { email: "asc" } });
  for (const s of staff) await h.install(s);
  await h.drainOutbox();
  await h.db.staff.updateMany({ data: { startDate: new Date("2025-03-01T00:00:00Z") } });
  due = staff.slice(0, 5);
  late = staff[5]!;
  notYet = staff[6]!;
  longAgo = staff[7]!;
  const setStart = (s: StaffRef, d: string) => h.db.staff.update({ where: { id: s.id }, data: { startDate: new Date(`${d}T00:00:00Z`) } });
  for (const s of due) await setStart(s, "2026-09-01");
  await setStart(late, "2026-08-20");
  await setStart(notYet, "2026-09-15");
}, 180_000);
afterAll(async () => {
  await h?.close();
});

describe("induction questionnaire three months after the start date", () => {
  it("invites the starters due, as a routine message held to the working day, and nobody else", async () => {
    await runJob();
    await h.drainOutbox();
    for (const s of [...due, late]) expect(inductionInvites(s), s.email).toHaveLength(0); // 06:30: quiet hours
    clock.set("2026-12-01T09:00:00Z");
    await h.drainOutbox();
    for (const s of [...due, late]) expect(inductionInvites(s), s.email).toHaveLength(1);
    for (const s of [notYet, longAgo]) expect(inductionInvites(s), s.email).toHaveLength(0);
  });

  it("invites each person once however often the job runs, and a later starter on their own day", async () => {
    await runJob();
    await runJob();
    await h.drainOutbox();
    for (const s of [...due, late]) expect(inductionInvites(s), s.email).toHaveLength(1);
    clock.set("2026-12-15T09:00:00Z");
    await runJob();
    await h.drainOutbox();
    expect(inductionInvites(notYet)).toHaveLength(1);
    for (const s of [...due, late]) expect(inductionInvites(s), s.email).toHaveLength(1);
    // One campaign carries them all, so its results are a group, not one person's answers.
    const campaigns = await h.db.surveyCampaign.findMany({ where: { templateId: "induction-3-month" } });
    expect(campaigns).toHaveLength(1);
    expect(await h.db.surveyParticipation.count({ where: { campaignId: campaigns[0]!.id } })).toBe(7);
  });

  it("is answered through Teams, and the answers are held sealed until the close", async () => {
    const campaign = await h.db.surveyCampaign.findFirstOrThrow({ where: { templateId: "induction-3-month" } });
    const text = await answerWholeSurvey(h, due[0]!, campaign.id, { __text: "" });
    expect(text).toMatch(/recorded/);
    expect(await h.db.surveyResponse.count({ where: { campaignId: campaign.id } })).toBe(0);
    expect(await h.db.surveyResponseHolding.count({ where: { campaignId: campaign.id } })).toBe(1);
  });
});
