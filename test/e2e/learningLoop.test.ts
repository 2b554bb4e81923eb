// The learning loop end to end: an audit's outcome goes back to the practitioner and their team
// manager (on submission and again after moderation), the practitioner can open the audits of their
// own cases, the head of service gets one digest card a day, audit actions are reviewed in
// supervision, the 5-working-day follow-up involves the manager, and an inadequate audit asks the
// service manager to check the team manager's actions and requires a practice observation.
import { describe, expect, it } from "vitest";
import { cardText, cardActions, type StaffRef } from "../support/harness";
import { fillAudit, submitReview, useAuditHarness } from "../support/auditFixture";
import { ManualClock } from "../../services/clock";
import { buildRecurringJobs } from "../../scheduler/recurring";
import { planSupervision } from "../../services/supervision/plan";
import { historyOf } from "../../services/history";

const clock = new ManualClock("2026-12-01T10:00:00Z"); // a Tuesday
const { h, fx } = useAuditHarness(clock);
const staff = async (id: string) => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
const cardsWith = (s: StaffRef, text: string) => h.connector.cardsTo(h.conversationOf(s)).filter((c) => cardText(c).includes(text));

/** A submitted audit of one of the CP team's cases, graded `grade`, with one action for the practitioner. */
async function submitted(grade: string, extra: { immediate?: boolean } = {}) {
  const { audit, practitioner, caseRef } = await fx.makeAudit();
  const review = await fillAudit(h, fx.auditor, audit.id, {
    grade,
    score: grade === "1" ? "2" : "6",
    areaTexts: {
      7: {
        strengths: "Warm, purposeful direct work",
        develop: "The chronology stops in August",
        rationale: "Visits are on file every two weeks",
      },
    },
    // An inadequate audit's immediate tasks are due within 24 hours: the next day.
    actions: [
      {
        what: "Update the chronology",
        who: practitioner.id,
        when: grade === "1" && extra.immediate ? new Date(clock.now().getTime() + 86_400_000).toISOString().slice(0, 10) : "2026-12-11",
        immediate: extra.immediate,
      },
    ],
  });
  const r = await submitReview(h, fx.auditor, review);
  expect(r.text).toMatch(/Audit submitted/);
  await h.drainOutbox();
  return { audit, practitioner, caseRef, tm: await staff(practitioner.lineManagerId!) };
}

let first: Awaited<ReturnType<typeof submitted>>;
let second: Awaited<ReturnType<typeof submitted>>;

/** The practitioner and their team manager each have `count` outcome cards for this audit; the last says every phrase. */
function expectOutcomeCards(a: { practitioner: StaffRef; tm: StaffRef; caseRef: string }, count: number, phrases: string[]) {
  for (const s of [a.practitioner, a.tm]) {
    const got = cardsWith(s, `Audit outcome: case ${a.caseRef}`);
    expect(got, s.email).toHaveLength(count);
    const text = cardText(got[count - 1]);
    for (const p of phrases) expect(text).toContain(p);
  }
}

describe("the learning loop", () => {
  it("on submission the practitioner and their team manager receive the outcome; the practitioner can open the audit", async () => {
    // 'Overview: How audits are being done' (2017): "Actions arising from individual audits are
    // tracked by the Practice Learning Team after the completed audit has been sent to the case
    // holding Social Worker and their Team Manager." Bexley Children's Social Care Quality Assurance
    // Framework, §1.3 step 4: "The auditor should record in rationale their view."
    first = await submitted("4", { immediate: true });
    expectOutcomeCards(first, 1, [
      "4 (Requires Improvement)",
      "Warm, purposeful direct work",
      "The chronology stops in August",
      "Visits are on file every two weeks",
      "Update the chronology",
      `${first.practitioner.name}, by 11 Dec 2026`,
    ]);
    // Strengths and areas to develop are named by the audit tool's area, not only its number.
    const card = cardText(cardsWith(first.practitioner, `Audit outcome: case ${first.caseRef}`)[0]);
    expect(card).toMatch(/\n\d+\. [A-Z][^\n]+\nWarm, purposeful direct work/);
    expect(card).not.toMatch(/\nArea \d+\n/);
    // The practitioner opens the audit from the card (read-only) and from "Open".
    const open = cardActions(cardsWith(first.practitioner, `Audit outcome: case ${first.caseRef}`)[0]).find(
      (a) => a.verb === "audit.view",
    )!;
    const view = await h.execute(first.practitioner, open.verb, open.data);
    expect(view.text).toContain(`Case audit: ${first.caseRef}`);
    expect(view.text).toContain("Read-only view");
    expect((await h.execute(first.practitioner, "audit.open", { auditId: first.audit.id })).text).toContain("Read-only view");
    // A practitioner of another team still cannot: to them it is as if there were no such audit.
    const stranger = (await h.db.staff.findFirstOrThrow({
      where: { roles: { equals: ["PRACTITIONER"] }, teamId: { not: "CP" }, aadObjectId: { not: null } },
    })) as StaffRef;
    expect((await h.execute(stranger, "audit.view", { auditId: first.audit.id })).text).toMatch(/Not found\s+That audit does not exist/);
  });

  it("when moderation changes the grade, they receive the outcome again, as moderated, with the moderator's feedback", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3 "Moderation Audits": "All
    // moderation audits must include scaling as well as feedback comments which identify areas of good
    // practice and areas for development" and "Moderator emails worker and manager to advise
    // moderation has been completed".
    const qa = await h.one("QA_TEAM");
    expect((await h.execute(qa, "moderation.sample", { percent: "100", returnDays: "10" })).text).toMatch(/Sampled 1 of 1/);
    const m = await h.db.moderation.findFirstOrThrow({ where: { auditId: first.audit.id } });
    const moderator = await staff(m.moderatorId);
    // the last page of the paged form holds the judgement and the Submit button
    const card = (await h.execute(moderator, "moderation.page", { id: m.id, goTo: "4" })).card;
    const form: Record<string, unknown> = {
      ...cardActions(card).find((a) => a.verb === "moderation.submit")!.data,
      feedbackGood: "Clear analysis of risk",
      feedbackDevelop: "Safety planning with the family",
      decision: "disagree",
      proposed: "2|inadequate",
    };
    for (let i = 1; i <= 19; i++) form[`area_${i}`] = "2";
    for (const x of JSON.stringify(card).matchAll(/"id":"(action_[0-9a-f-]+)"/g)) form[x[1]!] = "yes";
    await h.execute(moderator, "moderation.submit", form);
    const v = (await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } })).version;
    await h.execute(fx.auditor, "moderation.acceptGrade", { id: m.id, v });
    const [approver] = await h.staffWithRole("HEAD_OF_QA");
    expect((await h.execute(approver!, "moderation.approve", { id: m.id, approve: true })).text).toMatch(/Finalised/);
    await h.drainOutbox();
    expectOutcomeCards(first, 2, [
      "moderated down from Requires Improvement to Inadequate",
      "2 (Inadequate)",
      "Clear analysis of risk",
      "Safety planning with the family",
    ]);
  });

  it("the head of service receives the day's audits of their service as one digest card, once", async () => {
    // 'Audit at a glance' (September 2017): "it has been agreed that all Heads of Service will from
    // now on receive a copy of each audit for further oversight."
    second = await submitted("6");
    const hos = await staff((await staff(first.tm.lineManagerId!)).lineManagerId!);
    expect(hos.roles).toContain("HEAD_OF_SERVICE");
    expect(cardsWith(hos, "Audit outcome")).toHaveLength(0);
    const digest = buildRecurringJobs().find((j) => j.name === "audit.digest")!;
    clock.set("2026-12-02T07:00:00Z");
    await digest.run(h.service.ctx, () => false);
    await digest.run(h.service.ctx, () => false);
    clock.set("2026-12-02T08:00:00Z");
    await h.drainOutbox();
    const got = cardsWith(hos, "Audits of your service");
    expect(got).toHaveLength(1);
    const text = cardText(got[0]);
    expect(text).toContain(first.caseRef);
    expect(text).toContain(second.caseRef);
    expect(text).toContain("Submitted and moderated: 2 (Inadequate)");
    expect(text).toContain("Submitted: 6 (Good)");
    const open = cardActions(got[0]).find((a) => a.data.auditId === second.audit.id)!;
    expect((await h.execute(hos, open.verb, open.data)).text).toContain(`Case audit: ${second.caseRef}`);
  });

  it("open audit actions appear on the supervisee's supervision card and recording the supervision marks them reviewed", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3 step 7: "The manager and
    // practitioner will review the audit in supervision … Actions will be reviewed in the subsequent
    // supervision (or sooner …) to ensure tasks are completed." And: "Audit actions should be
    // regularly reviewed in supervision until the Team Manager is satisfied the case meets expected
    // practice standards."
    const worker = first.practitioner;
    await planSupervision(h.service.ctx, { staffIds: [worker.id] });
    const session = await h.db.supervisionSession.findFirstOrThrow({ where: { superviseeId: worker.id }, orderBy: { dueOn: "asc" } });
    const supervisor = await staff(session.supervisorId);
    const action = await h.db.action.findFirstOrThrow({ where: { auditId: first.audit.id, description: "Update the chronology" } });
    const card = (await h.execute(supervisor, "supervision.open", { sessionId: session.id })).card;
    expect(cardText(card)).toContain("Open audit actions to review");
    expect(cardText(card)).toContain(`Case ${first.caseRef}: Update the chronology`);
    const r = await h.execute(supervisor, "supervision.record", {
      sessionId: session.id,
      heldOn: "2026-12-02",
      durationMinutes: "90",
      kind: "individual",
      [`reviewed_${action.id}`]: "true",
    });
    expect(r.text).toMatch(/Recorded/);
    const after = await h.db.action.findUniqueOrThrow({ where: { id: action.id } });
    expect(after.reviewedInSessionId).toBe(session.id);
    expect(after.reviewedAt).toEqual(clock.now());
    // The action's history says what changed: not reviewed before, reviewed in this session now.
    const reviewed = (await historyOf(h.db, "action", action.id)).filter((e) => e.action === "reviewed_in_supervision");
    expect(reviewed.map((e) => [e.before, e.after])).toEqual([
      [
        { reviewedAt: null, reviewedInSessionId: null },
        { reviewedAt: clock.now().toISOString(), reviewedInSessionId: session.id },
      ],
    ]);
    const next = await h.db.supervisionSession.findFirstOrThrow({
      where: { superviseeId: worker.id, status: "scheduled" },
      orderBy: { dueOn: "asc" },
    });
    const nextCard = (await h.execute(supervisor, "supervision.open", { sessionId: next.id })).text;
    expect(nextCard).toMatch(/Update the chronology[\s\S]*last reviewed in supervision on Wed, 2 Dec 2026/);
  });

  it("the follow-up 5 working days later goes to the auditor and the manager, and either records it once", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3 step 7: "It is the
    // responsibility of the auditor to follow-up in 5 working days with the manager and case note,
    // what action has been taken since the audit was completed."
    clock.set("2026-12-08T10:00:01Z"); // 5 working days after Tuesday 1 December, 10:00
    await h.runJobs();
    await h.drainOutbox();
    const title = `Audit follow-up: case ${second.caseRef}`;
    expect(cardsWith(fx.auditor, title)).toHaveLength(1);
    const tmCards = cardsWith(second.tm, title);
    expect(tmCards).toHaveLength(1);
    expect(cardText(tmCards[0])).toContain(`the manager (${second.tm.name}) follow up together`);
    const action = await h.db.action.findFirstOrThrow({ where: { auditId: second.audit.id } });
    const press = cardActions(tmCards[0]).find((a) => a.verb === "audit.followUp.save")!;
    const r = await h.execute(second.tm, press.verb, { ...press.data, [`fu_${action.id}`]: "Chronology updated, checked in supervision" });
    expect(r.text).toMatch(/Follow-up recorded/);
    expect((await h.db.action.findUniqueOrThrow({ where: { id: action.id } })).followUpNote).toBe(
      "Chronology updated, checked in supervision",
    );
    const twice = await h.execute(fx.auditor, press.verb, { ...press.data, [`fu_${action.id}`]: "again" });
    expect(twice.text).toMatch(/Already done/);
    await h.drainOutbox();
    const updated = h.connector.activities.filter(
      (a) =>
        a.kind === "update" &&
        a.conversationId === h.conversationOf(fx.auditor) &&
        cardText(a.body?.attachments?.[0]?.content).includes(title),
    );
    expect(cardText(updated.at(-1)?.body?.attachments?.[0]?.content)).toContain("Follow-up recorded");
  });

  it("an inadequate audit asks the service manager to check the team manager's actions and requires a practice observation", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3: "Service Managers are
    // responsible for reviewing the audit findings and recommendations of any audit graded inadequate
    // and must be satisfied the actions outlined by the Team Manager are sufficient to bring the case
    // up expected practice standards within a reasonable period." Step 7: "a practice observation
    // should be undertaken … in cases where the auditor has found the work to be inadequate, when it
    // should be included as an action."
    clock.set("2026-12-09T10:00:00Z");
    const bad = await submitted("1", { immediate: true });
    const sm = await staff(bad.tm.lineManagerId!);
    expect(sm.roles).toContain("SERVICE_MANAGER");
    const check = cardsWith(sm, "be satisfied that the actions outlined by the team manager are sufficient");
    expect(check).toHaveLength(1);
    expect(cardActions(check[0]).map((a) => a.verb)).toContain("action.done");
    // The team manager's card for it (an action card, besides the outcome card that lists it).
    const observation = cardsWith(bad.tm, "Observe the practitioner in their work with case").filter((c) =>
      cardActions(c).some((a) => a.verb === "action.done"),
    );
    expect(observation).toHaveLength(1);
    const rows = await h.db.action.findMany({ where: { auditId: bad.audit.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((a) => [a.kind, a.assigneeId])).toEqual(
      expect.arrayContaining([
        ["manager check", sm.id],
        ["practice observation", bad.tm.id],
      ]),
    );
    // Both are on the outcome card the practitioner and manager receive.
    const outcome = cardText(cardsWith(bad.practitioner, `Audit outcome: case ${bad.caseRef}`)[0]);
    expect(outcome).toContain("Practice observation: Observe the practitioner in their work with case");
    expect(outcome).toContain("Manager check: Review the findings");
  });
});
