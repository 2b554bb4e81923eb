// Audit-of-practice days end to end, as the Halton Children and Young People's Services Quality
// Assurance Framework ("The audit") describes them: the QA team sets the year's dates; staff
// volunteer and are paired; cases are selected five weeks before; workers confirm attendance (with
// reminders); pairs write a pro forma analysis without grades; the lead manager quality-assures it
// and, for poor practice, tells the senior manager at once; line managers confirm completion
// (followed up until they do); the lead manager reports. Real activities to /api/messages.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, cardActions, inputOf, type Harness, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { runDueJobs } from "../../services/jobs";
import { buildJobHandlers } from "../../services/jobHandlers";
import { SENIOR_ROLES } from "../../services/practiceDay/plan";

const clock = new ManualClock("2027-01-04T10:00:00Z"); // Monday, working hours
let h: Harness;
let qa: StaffRef;
let lead: StaffRef;
let dayId = "";
const volunteers: StaffRef[] = [];

const staff = async (id: string): Promise<StaffRef> => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
const lastCard = (s: StaffRef, needle: RegExp) =>
  h.connector
    .cardsTo(h.conversationOf(s))
    .filter((c) => needle.test(cardText(c)))
    .at(-1);
const jobs = () => runDueJobs(h.service.ctx, buildJobHandlers());

beforeAll(async () => {
  h = await startHarness({ clock });
  qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
  lead = await h.one("HEAD_OF_QA");
});
afterAll(async () => {
  await h?.close();
});

describe("planning the year's audit of practice days", () => {
  it("is the QA team's: a practitioner is refused", async () => {
    const worker = await h.one("PRACTITIONER", "CP");
    const { cards } = await h.say(worker, "practice days");
    expect(cardText(cards[0])).toMatch(/Not allowed/);
    const forged = await h.execute(worker, "practiceDay.schedule", { heldOn: "2027-03-10", lead: lead.id, theme: "none" });
    expect(forged.text).toMatch(/Not allowed/);
    expect(await h.db.practiceDay.count()).toBe(0);
  });

  it("sets four dates a year and refuses a fifth (“Four dates are set over a calendar year”)", async () => {
    const { cards } = await h.say(qa, "practice days");
    expect(cardText(cards[0])).toMatch(/Audit of practice days/);
    expect(inputOf(cards[0], "lead")?.value).toBe(lead.id); // the senior manager for quality assurance leads by default
    for (const date of ["2027-03-10", "2027-06-09", "2027-09-08", "2027-12-08"]) {
      const r = await h.execute(qa, "practiceDay.schedule", { heldOn: date, lead: lead.id, theme: "none" });
      expect(r.text).toMatch(/Date set/);
    }
    const fifth = await h.execute(qa, "practiceDay.schedule", { heldOn: "2027-11-10", lead: lead.id, theme: "none" });
    expect(fifth.text).toMatch(/2027 already has its 4 audit-of-practice days/);
    expect(inputOf(fifth.card, "heldOn")?.value).toBe("2027-11-10"); // what was typed, kept
    const past = await h.execute(qa, "practiceDay.schedule", { heldOn: "2026-12-01", lead: lead.id, theme: "none" });
    expect(past.text).toMatch(/Choose a date after today/);
    expect(await h.db.practiceDay.count()).toBe(4);
    dayId = (await h.db.practiceDay.findFirstOrThrow({ orderBy: { heldOn: "asc" } })).id;
  });

  it("asks all staff to volunteer (“All staff have the opportunity to join an audit team”)", async () => {
    const council = await h.db.staff.count({ where: { active: true, partnerAgency: null } });
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `practiceDay:${dayId}:volunteer:` } } })).toBe(council);
  });
});

describe("audit teams from volunteers", () => {
  it("records each volunteer once, from the card", async () => {
    const front = [
      ...(await h.staffWithRole("PRACTITIONER", "CIN")).slice(0, 2),
      await h.one("TEAM_MANAGER", "CP"),
      await h.one("PRACTITIONER", "CIC"),
    ];
    const seniors = [await h.one("SERVICE_MANAGER"), await h.one("HEAD_OF_SERVICE")];
    volunteers.push(...front, ...seniors);
    for (const s of volunteers) {
      await h.install(s);
      const r = await h.execute(s, "practiceDay.volunteer", { dayId });
      expect(r.text).toMatch(/You have volunteered/);
    }
    await h.execute(volunteers[0]!, "practiceDay.volunteer", { dayId }); // a double click
    expect(await h.db.practiceDayVolunteer.count({ where: { dayId } })).toBe(6);
  });

  it("pairs front-line staff with senior managers, balancing experience (“Auditors are carefully selected to reflect a balance of experience and expertise”)", async () => {
    const r = await h.execute(qa, "practiceDay.agreeTeams", { dayId });
    expect(r.text).toMatch(/Audit teams agreed/);
    const rows = await h.db.practiceDayVolunteer.findMany({ where: { dayId } });
    const people = await h.db.staff.findMany({ where: { id: { in: rows.map((r) => r.staffId) } } });
    const byId = new Map(people.map((p) => [p.id, p]));
    const teams = new Map<number, typeof people>();
    for (const v of rows) teams.set(v.pairNo!, [...(teams.get(v.pairNo!) ?? []), byId.get(v.staffId)!]);
    expect(teams.size).toBe(3);
    const senior = (p: (typeof people)[number]) => p.roles.some((x) => SENIOR_ROLES.includes(x));
    // Two teams of a front-line member with a senior manager; the two front-line members left pair up.
    expect([...teams.values()].map((t) => t.filter(senior).length).sort()).toEqual([0, 1, 1]);
    // The least experienced front-line member works with the most experienced senior manager.
    const front = people.filter((p) => !senior(p)).sort((a, b) => +b.startDate! - +a.startDate!);
    const seniors = people.filter(senior).sort((a, b) => +a.startDate! - +b.startDate!);
    const teamOf = (id: string) => rows.find((r) => r.staffId === id)!.pairNo;
    expect(teamOf(front[0]!.id)).toBe(teamOf(seniors[0]!.id));
    expect(cardText(r.card)).toMatch(/Team 1/);
  });
});

describe("five weeks before: the random selection", () => {
  it("selects across all areas of work with initial contacts from partner agencies (“Five weeks before audit, a quality assurance officer randomly selects cases”)", async () => {
    clock.set("2027-02-02T09:00:00Z"); // five weeks before is 3 February
    await jobs();
    expect((await h.db.practiceDay.findUniqueOrThrow({ where: { id: dayId } })).status).toBe("teams_agreed");
    clock.set("2027-02-03T08:30:00Z");
    await jobs();
    const day = await h.db.practiceDay.findUniqueOrThrow({ where: { id: dayId }, include: { cases: true } });
    expect(day.status).toBe("cases_selected");
    // "Cases are selected across all areas of work, including family support, child in need, child
    // protection, looked after children and care leavers. Audits always include a number of initial
    // contacts received from partner agencies."
    expect(new Set(day.cases.map((c) => c.planType))).toEqual(
      new Set(["EARLY_HELP", "CHILD_IN_NEED", "CHILD_PROTECTION", "CHILD_LOOKED_AFTER", "CARE_LEAVER", "CONTACT"]),
    );
    expect(day.cases.filter((c) => c.reason === "contact")).toHaveLength(2);
    expect(day.cases).toHaveLength(3 * 2 + 2);
    const teams = await h.db.practiceDayVolunteer.findMany({ where: { dayId } });
    for (const c of day.cases) {
      const members = teams.filter((t) => t.pairNo === c.pairNo).map((t) => t.staffId);
      expect(members).not.toContain(c.workerId);
      if (c.managerId) expect(members).not.toContain(c.managerId);
    }
    // Pressing "select" again selects nothing twice.
    const again = await h.execute(qa, "practiceDay.select", { dayId });
    expect(again.text).toMatch(/already selected/);
    expect(await h.db.practiceDayCase.count({ where: { dayId } })).toBe(8);
  });

  it("tells each worker to bring recording up to date and confirm attendance; reminds until they do (“workers are required to ensure that their recording is up to date and confirm their attendance”)", async () => {
    const cases = await h.db.practiceDayCase.findMany({ where: { dayId }, orderBy: { caseRef: "asc" } });
    const [first, second] = [cases[0]!, cases.find((c) => c.workerId !== cases[0]!.workerId)!];
    const w1 = await staff(first.workerId);
    const w2 = await staff(second.workerId);
    await h.install(w1);
    await h.install(w2);
    await h.drainOutbox();
    const notice = lastCard(w1, new RegExp(`Case ${first.caseRef} has been selected`))!;
    expect(cardText(notice)).toMatch(/bring your recording .* up to date/);
    const confirm = cardActions(notice).find((a) => a.verb === "practiceDay.confirm")!;
    const r = await h.execute(w1, confirm.verb, confirm.data);
    expect(r.text).toMatch(/You have confirmed you will attend/);
    const twice = await h.execute(w1, confirm.verb, confirm.data);
    expect(twice.text).toMatch(/already confirmed/);
    // Another person cannot confirm for the worker, nor learn that the case is on the day: the answer of a missing case.
    const forged = await h.execute(w2, "practiceDay.confirm", { dayCaseId: first.id });
    expect(forged.text).toMatch(/Not found/);
    expect(forged.text).toBe((await h.execute(w2, "practiceDay.confirm", { dayCaseId: randomUUID() })).text);

    clock.set("2027-02-08T09:00:00Z"); // three working days after the selection
    await jobs();
    const reminders = await h.db.outboxMessage.findMany({
      where: { idempotencyKey: { contains: ":reminder:1" }, recipientId: { in: [w1.id, w2.id] } },
    });
    const remindedCases = reminders.map((m) => m.idempotencyKey.split(":")[1]);
    expect(remindedCases).toContain(second.id);
    expect(remindedCases).not.toContain(first.id);
    clock.set("2027-02-11T09:30:00Z");
    await jobs();
    await h.drainOutbox();
    // The worker may have more than one case selected: the reminder for this one is among them.
    expect(
      lastCard(w2, new RegExp(`Reminder 2: please confirm you will attend[\\s\\S]*Case ${second.caseRef} has been selected`)),
    ).toBeDefined();
  });
});

describe("on the day", () => {
  it("the pair records judgements on the pro forma, without numerical grades, about the previous six months", async () => {
    const c = (await h.db.practiceDayCase.findMany({ where: { dayId }, orderBy: [{ pairNo: "asc" }, { caseRef: "asc" }] }))[0]!;
    const member = await staff((await h.db.practiceDayVolunteer.findFirstOrThrow({ where: { dayId, pairNo: c.pairNo } })).staffId);
    const { cards } = await h.say(member, "practice day");
    const open = cardActions(cards[0]).find((a) => a.verb === "practiceDay.analysis.open" && a.data.dayCaseId === c.id)!;
    const form = await h.execute(member, open.verb, open.data);
    // "pairs of auditors, working to a structured pro forma, to reach and record judgements about the
    // quality of practice over the previous six months" … "they do not give numerical grades".
    expect(form.text).toMatch(/Period audited\n.*10 Sept? 2026 to Wed, 10 Mar 2027/);
    expect(form.text).toMatch(/lived experience/);
    expect(form.text).toMatch(/Areas to explore with the social worker/);
    expect(JSON.stringify(form.card)).not.toMatch(/Input\.Number|"grade"/i);

    const answers = {
      livedExperience: "The child's wishes are recorded at each visit.",
      qualityImpact: "School attendance has improved since the plan.",
      assessmentToActions: "Plan actions do not follow from the assessment analysis.",
      evaluation: "Practice requires improvement: drift after the review.",
      areasToExplore: "Why the plan was not updated after the review.",
      poorPractice: "true",
      grade: "2", // a forged grade is not kept
    };
    const early = await h.execute(member, "practiceDay.analysis.submit", { dayCaseId: c.id, ...answers });
    expect(early.text).toMatch(/sent on or after the day/);
    const draft = await h.execute(member, "practiceDay.analysis.save", { dayCaseId: c.id, ...answers, areasToExplore: "" });
    expect(draft.text).toMatch(/Draft saved/);

    clock.set("2027-03-10T10:00:00Z");
    const missing = await h.execute(member, "practiceDay.analysis.submit", { dayCaseId: c.id, ...answers, areasToExplore: "" });
    expect(missing.text).toMatch(/Please write your judgement here/);
    expect(inputOf(missing.card, "livedExperience")?.value).toBe(answers.livedExperience);
    const sent = await h.execute(member, "practiceDay.analysis.submit", { dayCaseId: c.id, ...answers });
    expect(sent.text).toMatch(/Sent to the lead manager/);
    const row = await h.db.practiceDayCase.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.status).toBe("analysed");
    expect(row.poorPractice).toBe(true);
    expect(row.analysis).not.toHaveProperty("grade");
    const again = await h.execute(member, "practiceDay.analysis.submit", { dayCaseId: c.id, ...answers });
    expect(again.text).toMatch(/already been sent/);
  });

  it("poor practice: the lead manager's recommendation and timescale reach the senior manager at once, even at night (“immediately conveyed to the relevant senior manager”)", async () => {
    const c = await h.db.practiceDayCase.findFirstOrThrow({ where: { dayId, status: "analysed" } });
    // Only the lead manager quality-assures.
    const notLead = await h.execute(qa, "practiceDay.assure", {
      dayCaseId: c.id,
      recommendation: "x",
      dueOn: "2027-03-24",
      poorPractice: "true",
    });
    expect(notLead.text).toMatch(/Not allowed/);
    await h.install(lead);
    const { cards } = await h.say(lead, "practice day");
    expect(cardText(cards[0])).toMatch(new RegExp(`Case ${c.caseRef}: .*poor practice flagged`));
    clock.set("2027-03-10T22:00:00Z"); // a quiet hour
    /** The lead assures the case, flagging poor practice, with this recommendation due on 24 March. */
    const assure = (recommendation: string) =>
      h.execute(lead, "practiceDay.assure", { dayCaseId: c.id, recommendation, dueOn: "2027-03-24", poorPractice: "true" });
    const noText = await assure("");
    expect(noText.text).toMatch(/write the recommendation/);
    const r = await assure("Hold a strategy discussion and update the plan.");
    expect(r.text).toMatch(/to the senior manager at once/);
    const rec = await h.db.practiceDayRecommendation.findFirstOrThrow({ where: { dayCaseId: c.id } });
    expect(rec.assigneeId).toBe(c.managerId);
    const senior = await staff(rec.seniorManagerId!);
    expect(senior.roles.some((x) => SENIOR_ROLES.includes(x))).toBe(true);
    const toSenior = await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: `practiceDay:rec:${rec.id}:senior` } });
    expect(toSenior.urgent).toBe(true);
    const toManager = await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: `practiceDay:rec:${rec.id}:manager` } });
    expect(toManager.notBefore.toISOString()).toBe("2027-03-11T08:00:00.000Z");
    await h.install(senior);
    const manager = await staff(rec.assigneeId);
    await h.install(manager);
    await h.drainOutbox();
    expect(cardText(lastCard(senior, /Poor practice found/))).toMatch(/Wed, 24 Mar 2027[\s\S]*Hold a strategy discussion/);
    expect(lastCard(manager, /Hold a strategy discussion/)).toBeUndefined(); // routine: waits for the morning
    clock.set("2027-03-11T08:05:00Z");
    await h.drainOutbox();
    expect(lastCard(manager, /Hold a strategy discussion/)).toBeDefined();
  });

  it("the line manager must confirm completion in writing; it is followed up until they do (“When this is not forthcoming, it is followed up assiduously”)", async () => {
    const rec = await h.db.practiceDayRecommendation.findFirstOrThrow({ where: { dayId } });
    const manager = await staff(rec.assigneeId);
    clock.set("2027-03-25T09:30:00Z");
    await jobs();
    await h.drainOutbox();
    expect(cardText(lastCard(manager, /Follow-up 1: please confirm/))).toMatch(/Hold a strategy discussion/);
    const short = await h.execute(manager, "practiceDay.recommendation.complete", { recId: rec.id, note: "ok" });
    expect(short.text).toMatch(/5 to 2000 characters/);
    const done = await h.execute(manager, "practiceDay.recommendation.complete", {
      recId: rec.id,
      note: "Strategy discussion held; plan updated.",
    });
    expect(done.text).toMatch(/Completed: Strategy discussion held/);
    clock.set("2027-04-05T09:30:00Z");
    await jobs();
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `practiceDay:rec:${rec.id}:followUp:` } } })).toBe(1);
  });

  it("the lead manager's report summarises findings and organisational recommendations", async () => {
    const early = await h.execute(lead, "practiceDay.report", { dayId, findings: "short" });
    expect(early.text).toMatch(/Summarise the findings/);
    const r = await h.execute(lead, "practiceDay.report", {
      dayId,
      findings: "Plans were clearer where the assessment analysis was strong.",
      organisational: "Child in need plans state SMART targets\n- Review the role of family support workers",
    });
    expect(r.text).toMatch(/The lead manager's report/);
    expect(r.text).toMatch(/• Child in need plans state SMART targets/);
    expect(r.text).toMatch(/Recommendations completed\n1 of 1/);
    expect((await h.db.practiceDay.findUniqueOrThrow({ where: { id: dayId } })).status).toBe("reported");
  });

  it("the monthly report shows the day apart from the case audits", async () => {
    const before = await h.say(qa, "report 2027-02");
    expect(cardText(before.cards[0])).not.toMatch(/Audit of practice days and multi-agency audits/);
    const { cards } = await h.say(qa, "report 2027-03");
    const text = cardText(cards[0]);
    expect(text).toMatch(/Audit of practice days and multi-agency audits/);
    expect(text).toMatch(/Audit of practice days held\n1/);
    expect(text).toMatch(/Cases audited on them\n8 \(1 analyses quality-assured\)/);
    expect(text).toMatch(/Poor practice found\n1/);
    expect(text).toMatch(/Practice day recommendations\n1 done, 0 open/);
  });
});
