// Practice observations end to end through /api/messages: the QA team schedules an observation
// (and the one an inadequate audit requires, linked to it), the practitioner agrees or proposes a
// date, the observer accepts it and records the Practice Observation form, the practitioner and
// their manager receive the outcome and the practitioner adds a reflection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardActions, cardText, inputOf, type Harness, type StaffRef } from "../support/harness";
import { fillAudit, startAuditHarness, submitReview, type setupAuditFixture } from "../support/auditFixture";
import { ManualClock } from "../../services/clock";
import { OBSERVATION_THEMES } from "../../services/observation/form";

const clock = new ManualClock("2026-12-01T10:00:00Z"); // a Tuesday
let h: Harness;
let fx: Awaited<ReturnType<typeof setupAuditFixture>>;
let qa: StaffRef;
const staff = async (id: string) => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
const cardsWith = (s: StaffRef, text: string) => h.connector.cardsTo(h.conversationOf(s)).filter((c) => cardText(c).includes(text));
const updatesWith = (s: StaffRef, text: string) =>
  h.connector
    .sentTo(h.conversationOf(s))
    .filter((a) => a.kind === "update")
    .map((a) => a.body?.attachments?.[0]?.content)
    .filter((c) => cardText(c).includes(text));

/** A complete Practice Observation form as the observer types it. */
const fullForm = (judgement = "good") => ({
  ...Object.fromEntries(
    OBSERVATION_THEMES.flatMap((t) => [
      [`theme_${t.id}`, judgement],
      [`seen_${t.id}`, `Seen: ${t.title}`],
    ]),
  ),
  band: judgement === "good" ? "good" : "requires-improvement",
  strengths: "Warm, unhurried conversation with the child <b>not markup</b>",
  toDevelop: "Write the child's own words into the visit note",
  actions: "Joint visit with the team manager in January",
});

beforeAll(async () => {
  ({ h, fx } = await startAuditHarness(clock));
  qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
});
afterAll(async () => h?.close());

/** The auditor submits the audit graded inadequate, with one immediate action for the practitioner. */
async function submitInadequate(auditId: string, practitionerId: string, what: string) {
  const review = await fillAudit(h, fx.auditor, auditId, {
    grade: "1",
    score: "2",
    // An inadequate audit's immediate tasks are due within 24 hours: the next day.
    actions: [
      { what, who: practitionerId, when: new Date(clock.now().getTime() + 86_400_000).toISOString().slice(0, 10), immediate: true },
    ],
  });
  expect((await submitReview(h, fx.auditor, review)).text).toMatch(/Audit submitted/);
}

describe("practice observations", () => {
  let observationId: string;
  let practitioner: StaffRef;
  let observer: StaffRef;
  let manager: StaffRef;
  let auditId: string;

  it("only the QA team or a head of service schedules, and a forged schedule stores nothing", async () => {
    // Southwark Children's Social Care Quality Assurance Framework, §7: quality activity is led
    // centrally, or locally "as determined by the Head of Service".
    const worker = await h.one("PRACTITIONER", "CP");
    expect(cardText((await h.say(worker, "schedule observation")).cards[0])).toMatch(/Not allowed/);
    const forged = await h.execute(worker, "observation.schedule.run", {
      practitionerId: worker.id,
      observerId: worker.id,
      process: "home_visit",
      date: "2026-12-20",
    });
    expect(forged.text).toMatch(/Not allowed/);
    const hos = await h.one("HEAD_OF_SERVICE");
    expect(cardText((await h.say(hos, "observations")).cards[0])).toMatch(/Schedule a practice observation/);
    expect(await h.db.observation.count()).toBe(0);
  });

  it("an inadequate audit requires an observation, linked to the audit and its action", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3: "a practice observation
    // should be undertaken … in cases where the auditor has found the work to be inadequate, when
    // it should be included as an action."
    const { audit, practitioner: p } = await fx.makeAudit();
    await submitInadequate(audit.id, p.id, "Update the chronology");
    const required = await h.db.observation.findFirstOrThrow({ where: { auditId: audit.id } });
    const action = await h.db.action.findFirstOrThrow({ where: { auditId: audit.id, kind: "practice observation" } });
    expect(required).toMatchObject({ status: "required", practitionerId: p.id, actionId: action.id });
    practitioner = p;
    manager = await staff(p.lineManagerId!);
    auditId = audit.id;
    observationId = required.id;
  });

  it("schedules it with an observer and a date the practitioner is told of in advance", async () => {
    const form = (await h.say(qa, "observations")).cards[0]!;
    expect(cardText(form)).toMatch(/required after the inadequate audit of LL/);
    observer = await h.one("DEPUTY_TEAM_MANAGER", "CIN");
    // Told in advance: the authority's default is 5 working days' notice.
    const soon = await h.execute(qa, "observation.schedule.run", {
      requiredId: observationId,
      observerId: observer.id,
      process: "home_visit",
      date: "2026-12-03",
    });
    expect(soon.text).toMatch(/told in advance: choose a date from/);
    expect(inputOf(soon.card, "observerId")?.value).toBe(observer.id);
    /** The QA team schedules the home visit observation on 14 December with this observer. */
    const scheduleOn14th = (observerId: string, extra: Record<string, string> = {}) =>
      h.execute(qa, "observation.schedule.run", {
        requiredId: observationId,
        observerId,
        process: "home_visit",
        date: "2026-12-14",
        ...extra,
      });
    const self = await scheduleOn14th(practitioner.id);
    expect(self.text).toMatch(/Choose an observer/);
    const ok = await scheduleOn14th(observer.id, { caseRef: "" });
    expect(ok.text).toMatch(/Practice observation scheduled/);
    const twice = await scheduleOn14th(observer.id);
    expect(twice.text).toMatch(/already scheduled/);
    expect((await h.db.observation.findUniqueOrThrow({ where: { id: observationId } })).status).toBe("awaiting_agreement");
    await h.drainOutbox();
    const invite = cardsWith(practitioner, "A practice observation of your work").at(-1)!;
    expect(cardText(invite)).toMatch(/Home visit[\s\S]*14 Dec 2026/);
    expect(cardText(invite)).toMatch(/Required: the audit of case LL\d+ found the work inadequate/);
    expect(cardText(invite)).toContain("Child-centred approach");
    expect(cardActions(invite).map((a) => a.verb)).toEqual(["observation.agree", "observation.propose"]);
    expect(cardsWith(observer, "A practice observation you will carry out")).toHaveLength(1);
  });

  it("the practitioner proposes another date, which only the observer accepts, once", async () => {
    const other = await h.one("PRACTITIONER", "LC");
    // To someone who is no party to it, it is as if there were no such observation.
    expect((await h.execute(other, "observation.agree", { observationId })).text).toMatch(/Not found/);
    const past = await h.execute(practitioner, "observation.propose", { observationId, proposedDate: "2026-11-01", note: "" });
    expect(past.text).toMatch(/Choose a date from/);
    const p = await h.execute(practitioner, "observation.propose", {
      observationId,
      proposedDate: "2026-12-15",
      note: "The family asked for <i>Tuesday</i>",
    });
    expect(p.text).toMatch(/proposed date was sent to the observer/);
    expect((await h.execute(practitioner, "observation.agree", { observationId })).text).toMatch(/Already done/);
    await h.drainOutbox();
    const upd = updatesWith(observer, "proposed another date").at(-1)!;
    expect(cardText(upd)).toContain("The family asked for <i>Tuesday</i>");
    expect(JSON.stringify(upd)).not.toContain("<i>Tuesday</i>"); // escaped, shown literally
    expect((await h.execute(practitioner, "observation.acceptDate", { observationId })).text).toMatch(/Not allowed/);
    const acc = await h.execute(observer, "observation.acceptDate", { observationId });
    expect(acc.text).toMatch(/new date is agreed/);
    expect((await h.execute(observer, "observation.acceptDate", { observationId })).text).toMatch(/Already done/);
    const row = await h.db.observation.findUniqueOrThrow({ where: { id: observationId } });
    expect([row.status, row.date?.toISOString().slice(0, 10)]).toEqual(["agreed", "2026-12-15"]);
  });

  it("the observer records the Practice Observation form: draft kept, incomplete refused, recorded once", async () => {
    // Southwark §7: "Observation of practice needs focus on themes such as practitioners listing,
    // communication skills and child centred approach, and quality of assessment, direct work and
    // intervention." §4: all quality activity is judged "good or better" or "less than good".
    const form = (await h.execute(observer, "observation.open", { observationId })).card;
    for (const t of OBSERVATION_THEMES) expect(cardText(form)).toContain(t.title);
    expect(cardText(form)).toMatch(/three key markers of quality/);
    expect((await h.execute(practitioner, "observation.record", { observationId, ...fullForm() })).text).toMatch(/Not allowed/);
    const draft = await h.execute(observer, "observation.save", { observationId, theme_listening: "good", strengths: "So far so good" });
    expect(draft.text).toMatch(/Draft saved/);
    const resumed = await h.execute(observer, "observation.open", { observationId });
    expect(inputOf(resumed.card, "strengths")?.value).toBe("So far so good");
    const incomplete = await h.execute(observer, "observation.record", { observationId, theme_listening: "good", strengths: "kept text" });
    expect(incomplete.text).toMatch(/Please give the overall judgement/);
    expect(inputOf(incomplete.card, "strengths")?.value).toBe("kept text");
    expect((await h.db.observation.findUniqueOrThrow({ where: { id: observationId } })).status).toBe("agreed");

    const early = await h.execute(observer, "observation.record", { observationId, ...fullForm() });
    expect(early.text).toMatch(/record it on or after that day/);
    clock.set("2026-12-15T16:00:00Z");
    const done = await h.execute(observer, "observation.record", { observationId, ...fullForm() });
    expect(done.text).toMatch(/Recorded: the practitioner and their manager have the outcome/);
    expect((await h.execute(observer, "observation.record", { observationId, ...fullForm("less") })).text).toMatch(/Already done/);
    const row = await h.db.observation.findUniqueOrThrow({ where: { id: observationId } });
    expect([row.status, row.bandId, row.goodOrBetter]).toEqual(["completed", "good", true]);
    expect(await h.db.history.count({ where: { entityId: observationId, action: "record" } })).toBe(1);
    // The inadequate audit's required action is done.
    expect((await h.db.action.findFirstOrThrow({ where: { auditId, kind: "practice observation" } })).status).toBe("done");
  });

  it("the practitioner and their manager receive the outcome; the practitioner adds a reflection once", async () => {
    await h.drainOutbox();
    const mine = cardsWith(practitioner, "Practice observation outcome").at(-1)!;
    expect(cardText(mine)).toMatch(/Good \(good or better\)/);
    expect(cardText(mine)).toContain("Write the child's own words into the visit note");
    expect(cardActions(mine).map((a) => a.verb)).toEqual(["observation.reflect"]);
    const theirs = cardsWith(manager, "Practice observation outcome").at(-1)!;
    expect(cardText(theirs)).toContain("(your team)");
    expect(cardActions(theirs)).toHaveLength(0);

    expect((await h.execute(manager, "observation.reflect", { observationId, reflection: "not mine" })).text).toMatch(/Not allowed/);
    const r = await h.execute(practitioner, "observation.reflect", {
      observationId,
      reflection: "I will use the three houses tool next time.",
    });
    expect(r.text).toMatch(/The practitioner's reflection[\s\S]*three houses/);
    // Once written, nobody is told it can still be added.
    expect(r.text).toContain("Your reflection is below.");
    expect(r.text).not.toMatch(/can add/);
    expect((await h.execute(practitioner, "observation.reflect", { observationId, reflection: "again" })).text).toMatch(/Already done/);
    await h.drainOutbox();
    const managers = cardText(updatesWith(manager, "Practice observation outcome").at(-1));
    expect(managers).toContain("three houses");
    expect(managers).toContain("The practitioner's reflection is below.");
    expect(managers).not.toMatch(/can add/);
    // Observations count in the monthly report, apart from the audits.
    const report = cardText((await h.say(qa, "report 2026-12")).cards[0]);
    expect(report).toMatch(
      /Practice observations\nPlanned this month\n1\nDone\n1\nGood or better\n1 of 1 \(100%\)\nJudged Good\n1\nRequired after an inadequate audit\n1/,
    );
    const list = await h.say(practitioner, "observations");
    expect(cardText(list.cards[0])).toMatch(/Of you: Home visit, .*15 Dec 2026 \(completed\)/);
  });
});

/** The QA team schedules an observation of `practitioner` by `observer`; returns the QA team's card. */
async function scheduleFor(practitioner: { id: string }, observer: { id: string }, process: string, date: string) {
  const scheduled = await h.execute(qa, "observation.schedule.run", {
    practitionerId: practitioner.id,
    observerId: observer.id,
    process,
    date,
  });
  expect(scheduled.text).toMatch(/Practice observation scheduled/);
  return scheduled;
}

describe("moving and cancelling an observation", () => {
  it("the observer or the QA team moves the date or cancels, with a reason the practitioner is told; a moved date is agreed again (Southwark Children's Social Care Quality Assurance Framework, §5: “a scheduled programme of direct observation of staff and key processes”)", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const practitioner = (await h.staffWithRole("PRACTITIONER", "CP")).at(-1)!;
    const observer = await h.one("DEPUTY_TEAM_MANAGER", "LC");
    await scheduleFor(practitioner, observer, "supervision", "2026-12-16");
    const { id: observationId } = await h.db.observation.findFirstOrThrow({ where: { practitionerId: practitioner.id } });
    await h.execute(practitioner, "observation.agree", { observationId });
    const move = { observationId, newDate: "2026-12-17", reason: "The supervision moved to Thursday." };

    // Only the observer or the QA team: not the practitioner, not another manager (to whom, no
    // party to it, it is as if there were no such observation).
    expect((await h.execute(practitioner, "observation.reschedule", move)).text).toMatch(/Not allowed/);
    expect((await h.execute(await h.one("DEPUTY_TEAM_MANAGER", "CIN"), "observation.reschedule", move)).text).toMatch(/Not found/);
    const noReason = await h.execute(observer, "observation.reschedule", { ...move, reason: "" });
    expect(noReason.text).toMatch(/Give the reason the practitioner will be told/);
    expect(inputOf(noReason.card, "newDate")?.value).toBe("2026-12-17");
    expect((await h.execute(observer, "observation.reschedule", { ...move, newDate: "2026-12-02" })).text).toMatch(/told in advance/);

    const moved = await h.execute(observer, "observation.reschedule", move);
    expect(moved.text).toMatch(/The date is moved; the practitioner has been told/);
    let row = await h.db.observation.findUniqueOrThrow({ where: { id: observationId } });
    expect([row.status, row.date?.toISOString().slice(0, 10)]).toEqual(["awaiting_agreement", "2026-12-17"]);
    await h.drainOutbox();
    const told = cardsWith(practitioner, "Why the date moved").at(-1)!;
    expect(cardText(told)).toMatch(/17 Dec 2026[\s\S]*The supervision moved to Thursday\./);
    expect(cardActions(told).map((a) => a.verb)).toEqual(["observation.agree", "observation.propose"]);
    expect((await h.execute(practitioner, "observation.agree", { observationId })).text).toMatch(/date is agreed/);

    const cancelled = await h.execute(qa, "observation.cancel", { observationId, reason: "The practitioner is on leave." });
    expect(cancelled.text).toMatch(/The observation is cancelled; the practitioner has been told why/);
    row = await h.db.observation.findUniqueOrThrow({ where: { id: observationId } });
    expect([row.status, row.changeNote]).toEqual(["cancelled", "The practitioner is on leave."]);
    await h.drainOutbox();
    const gone = cardsWith(practitioner, "This observation is cancelled").at(-1)!;
    expect(cardText(gone)).toMatch(/Why cancelled\nThe practitioner is on leave\./);
    expect(cardActions(gone)).toHaveLength(0);
    expect((await h.execute(observer, "observation.cancel", { observationId, reason: "Again, twice." })).text).toMatch(/Already done/);
    expect((await h.execute(observer, "observation.reschedule", move)).text).toMatch(/Already done/);
    // A cancelled observation is not counted as planned in the monthly report.
    expect(cardText((await h.say(qa, "report 2026-12")).cards[0])).toMatch(/Practice observations\nPlanned this month\n1\n/);
  });
});

describe("cancelling an observation an inadequate audit requires", () => {
  it("sends it back to the QA team to arrange again, so the audit's action is not left open with nothing to close it (Bexley Children's Social Care Quality Assurance Framework, §1.3: “a practice observation should be undertaken … in cases where the auditor has found the work to be inadequate, when it should be included as an action”)", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const { audit, practitioner, caseRef } = await fx.makeAudit();
    await submitInadequate(audit.id, practitioner.id, "Update the plan");
    const { id: observationId } = await h.db.observation.findFirstOrThrow({ where: { auditId: audit.id } });
    const action = await h.db.action.findFirstOrThrow({ where: { auditId: audit.id, kind: "practice observation" } });
    const teamManager = await staff(action.assigneeId);
    const observer = await h.one("DEPUTY_TEAM_MANAGER", "LC");
    const schedule = (date: string) =>
      h.execute(qa, "observation.schedule.run", { requiredId: observationId, observerId: observer.id, process: "home_visit", date });
    expect((await schedule("2026-12-14")).text).toMatch(/Practice observation scheduled/);
    await h.drainOutbox();

    // The observer cancels from their own card, with a reason.
    const observerCard = cardsWith(observer, "A practice observation you will carry out").at(-1)!;
    const cancel = cardActions(observerCard).find((a) => a.verb === "observation.cancel")!;
    const cancelled = await h.execute(observer, cancel.verb, { ...cancel.data, reason: "The family cancelled the home visit." });
    expect(cancelled.text).toMatch(/cancelled; the practitioner and the QA team have been told why/);
    expect(cancelled.text).toMatch(/goes back to the QA team to arrange again \(the authority's own default\)/);
    await h.drainOutbox();

    // The practitioner sees it cancelled and why, and that it is still required.
    const told = cardsWith(practitioner, "This observation is cancelled").at(-1)!;
    expect(cardText(told)).toMatch(/Why cancelled\nThe family cancelled the home visit\./);
    expect(cardText(told)).toMatch(/still required after the inadequate audit/);
    expect(cardActions(told)).toHaveLength(0);
    // The QA team is told, and finds it again among the required observations to arrange.
    const qaTold = h.connector.cardsTo(h.conversationOf(await h.one("HEAD_OF_QA"))).filter((c) => cardText(c).includes(caseRef));
    expect(cardText(qaTold.at(-1))).toMatch(/Required observation cancelled[\s\S]*Reason: “The family cancelled the home visit\.”/);
    const form = (await h.say(qa, "observations")).cards[0]!;
    expect(cardText(form)).toContain(`${practitioner.name}: required after the inadequate audit of ${caseRef}`);
    // The team manager's action says so; its history keeps the cancellation and its reason.
    expect(cardText(updatesWith(teamManager, `Action: case ${caseRef}`).at(-1))).toMatch(/the QA team will arrange it again/);
    const entry = await h.db.history.findFirstOrThrow({ where: { entityId: action.id, action: "observation_cancelled" } });
    expect(entry.after).toMatchObject({ observationId, reason: "The family cancelled the home visit." });

    // Arranged again and recorded: the audit's action is done.
    expect((await schedule("2026-12-16")).text).toMatch(/Practice observation scheduled/);
    await h.drainOutbox();
    const invite = cardsWith(practitioner, "A practice observation of your work").at(-1)!;
    expect(cardText(invite)).toMatch(/16 Dec 2026/);
    expect(cardText(invite)).not.toMatch(/Why cancelled/);
    await h.execute(practitioner, "observation.agree", { observationId });
    clock.set("2026-12-16T16:00:00Z");
    expect((await h.execute(observer, "observation.record", { observationId, ...fullForm() })).text).toMatch(/Recorded/);
    expect((await h.db.action.findUniqueOrThrow({ where: { id: action.id } })).status).toBe("done");
  });
});

describe("the QA team's view of an observation", () => {
  it("has the same “Move or cancel” panel as the observer's: a reason is required and the QA team member is recorded as who acted", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const practitioner = await h.one("PRACTITIONER", "LC");
    const observer = await h.one("TEAM_MANAGER", "LC");
    const scheduled = await scheduleFor(practitioner, observer, "meeting", "2026-12-18");
    const panel = (card: unknown) => cardActions(card).filter((a) => ["observation.reschedule", "observation.cancel"].includes(a.verb));
    expect(cardText(scheduled.card)).toContain("Move or cancel");
    expect(panel(scheduled.card).map((a) => a.title)).toEqual(["Move the date", "Cancel the observation"]);
    expect(inputOf(scheduled.card, "reason")).toMatchObject({ isRequired: true });

    const [move, cancel] = panel(scheduled.card);
    const noReason = await h.execute(qa, move!.verb, { ...move!.data, newDate: "2026-12-21", reason: "" });
    expect(noReason.text).toMatch(/Give the reason the practitioner will be told/);
    const moved = await h.execute(qa, move!.verb, { ...move!.data, newDate: "2026-12-21", reason: "The meeting moved to Monday." });
    expect(moved.text).toMatch(/The date is moved; the practitioner has been told/);
    expect(panel(moved.card)).toHaveLength(2); // still theirs to move or cancel
    const id = String(move!.data.observationId);
    expect(await h.db.history.findFirst({ where: { entityId: id, action: "reschedule" } })).toMatchObject({ actorId: qa.id });

    const gone = await h.execute(qa, cancel!.verb, { ...cancel!.data, reason: "The practitioner is on leave." });
    expect(gone.text).toMatch(/The observation is cancelled; the practitioner has been told why/);
    expect(panel(gone.card)).toHaveLength(0);
    expect(await h.db.history.findFirst({ where: { entityId: id, action: "cancel" } })).toMatchObject({ actorId: qa.id });
    await h.drainOutbox();
    expect(cardText(cardsWith(practitioner, "This observation is cancelled").at(-1))).toMatch(/The practitioner is on leave\./);
  });
});

/** Cards sent to `s` as new messages (not in-place updates of a card they already have), with `text`. */
const newCardsWith = (s: StaffRef, text: string) =>
  h.connector
    .sentTo(h.conversationOf(s))
    .filter((a) => a.kind === "send")
    .map((a) => a.body?.attachments?.[0]?.content)
    .filter((c) => cardText(c).includes(text));

describe("moving an observation more than once", () => {
  it("tells the practitioner of every move in a new message, once each, even a move back to an earlier date; a double click moves it once", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const practitioner = (await h.staffWithRole("PRACTITIONER", "CIN")).at(-1)!;
    const observer = await h.one("TEAM_MANAGER", "CP");
    await scheduleFor(practitioner, observer, "cic_review", "2026-12-16");
    const { id: observationId } = await h.db.observation.findFirstOrThrow({ where: { practitionerId: practitioner.id } });
    await h.drainOutbox();
    const moves = () => newCardsWith(practitioner, "Why the date moved").map(cardText);
    const move = async (newDate: string, reason: string) => {
      const r = await h.execute(observer, "observation.reschedule", { observationId, newDate, reason });
      await h.drainOutbox();
      return r.text;
    };

    expect(await move("2026-12-17", "The review moved to Thursday.")).toMatch(/The date is moved; the practitioner has been told/);
    expect(moves()).toHaveLength(1);
    expect(moves().at(-1)).toMatch(/17 Dec 2026[\s\S]*The review moved to Thursday\./);
    // A double click on the same move: moved, recorded and told once.
    expect(await move("2026-12-17", "The review moved to Thursday.")).toMatch(
      /Already done[\s\S]*already moved to Thu, 17 Dec 2026; the practitioner has been told/,
    );
    expect(await h.db.history.count({ where: { entityId: observationId, action: "reschedule" } })).toBe(1);
    expect(moves()).toHaveLength(1);

    // Agreed, then moved back to the first date and on again to the second, for the first reason:
    // each move is a new message (with the agree and propose buttons), and each agreement reaches the observer's card.
    await h.execute(practitioner, "observation.agree", { observationId });
    // Two presses at the same moment: one moves it, the other is told it is already done.
    const back = { observationId, newDate: "2026-12-16", reason: "The review is back on Wednesday." };
    const both = await Promise.all([1, 2].map(() => h.execute(observer, "observation.reschedule", back)));
    expect(both.map((r) => (/The date is moved/.test(r.text) ? "moved" : /Already done/.test(r.text) ? "already" : r.text)).sort()).toEqual(
      ["already", "moved"],
    );
    await h.drainOutbox();
    expect(await move("2026-12-17", "The review moved to Thursday.")).toMatch(/The date is moved/);
    expect(moves()).toHaveLength(3);
    expect(moves()[1]).toMatch(/16 Dec 2026[\s\S]*The review is back on Wednesday\./);
    expect(moves()[2]).toMatch(/17 Dec 2026[\s\S]*The review moved to Thursday\./);
    const last = newCardsWith(practitioner, "Why the date moved").at(-1);
    expect(cardActions(last).map((a) => a.verb)).toEqual(["observation.agree", "observation.propose"]);
    expect(await h.db.history.count({ where: { entityId: observationId, action: "reschedule" } })).toBe(3);
    expect((await h.execute(practitioner, "observation.agree", { observationId })).text).toMatch(/date is agreed/);
    await h.drainOutbox();
    expect(cardText(updatesWith(observer, "A practice observation you will carry out").at(-1))).toMatch(/17 Dec 2026[\s\S]*Date agreed/);
  });
});

describe("the QA team's planned observations", () => {
  it("each planned observation opens its card from the schedule card, for whoever may schedule; to anyone else it is as if it did not exist", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const practitioner = await h.one("PRACTITIONER", "CIN");
    const observer = await h.one("DEPUTY_TEAM_MANAGER", "CP");
    await scheduleFor(practitioner, observer, "home_visit", "2026-12-22");
    const { id: observationId } = await h.db.observation.findFirstOrThrow({
      where: { practitionerId: practitioner.id, status: "awaiting_agreement" },
    });
    const form = (await h.say(qa, "observations")).cards[0]!;
    expect(cardText(form)).toMatch(new RegExp(`Planned observations[\\s\\S]*Tue, 22 Dec 2026\\n${practitioner.name}: Home visit`));
    const open = cardActions(form).find((a) => a.verb === "observation.open" && a.data.observationId === observationId)!;
    expect(open.title).toBe("Open");

    // The QA team opens it, with the "Move or cancel" panel; so does a head of service.
    const card = (await h.execute(qa, open.verb, open.data)).card;
    expect(cardText(card)).toMatch(new RegExp(`Observation of\\n${practitioner.name}[\\s\\S]*22 Dec 2026`));
    expect(cardText(card)).toContain("Move or cancel");
    expect(cardActions(card).map((a) => a.verb)).toEqual(["observation.reschedule", "observation.cancel"]);
    const hos = await h.one("HEAD_OF_SERVICE");
    expect(cardText((await h.execute(hos, open.verb, open.data)).card)).toMatch(/Waiting for the practitioner to agree the date/);
    // A recorded one opens on its outcome, which does not call the practitioner the QA team's own.
    const recorded = await h.db.observation.findFirstOrThrow({ where: { status: "completed" } });
    const outcome = cardText((await h.execute(qa, open.verb, { observationId: recorded.id })).card);
    expect(outcome).toMatch(/Practice observation outcome[\s\S]*Good \(good or better\)/);
    expect(outcome).not.toContain("(your team)");

    // Anyone else gets the answer of a missing observation, whatever the card's data says of who acts.
    const stranger = await h.one("PRACTITIONER", "LC");
    const missing = { observationId: "00000000-0000-4000-8000-000000000099" };
    const answer = (await h.execute(stranger, open.verb, { ...open.data, actorId: qa.id, practitionerId: stranger.id })).text;
    expect(answer).toMatch(/Not found[\s\S]*This observation does not exist/);
    expect(answer).toBe((await h.execute(stranger, open.verb, missing)).text);
    expect((await h.execute(qa, open.verb, missing)).text).toBe(answer);

    // A busy month: the soonest ten are listed and the card says how many more there are.
    const planned = await h.db.observation.count({ where: { status: { in: ["awaiting_agreement", "date_proposed", "agreed"] } } });
    await h.db.observation.createMany({
      data: Array.from({ length: 12 - planned }, (_, i) => ({
        practitionerId: practitioner.id,
        observerId: observer.id,
        process: "home_visit",
        status: "agreed",
        date: new Date(Date.UTC(2027, 0, 10 + i)),
      })),
    });
    const busy = (await h.say(qa, "observations")).cards[0]!;
    expect(cardActions(busy).filter((a) => a.verb === "observation.open")).toHaveLength(10);
    expect(cardText(busy)).toMatch(/2 more planned after these: the soonest 10 are shown/);
  });
});

describe("arranging a required observation again for the same date", () => {
  it("tells the practitioner and the observer again in new messages, and the practitioner of the cancellation in between", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const { audit, practitioner } = await fx.makeAudit();
    await submitInadequate(audit.id, practitioner.id, "Update the safety plan");
    const { id: observationId } = await h.db.observation.findFirstOrThrow({ where: { auditId: audit.id } });
    const observer = await h.one("TEAM_MANAGER", "LC");
    // Only the new messages from here on count (the same people had other observations' cards).
    await h.drainOutbox();
    const sent = (s: StaffRef) => h.connector.sentTo(h.conversationOf(s)).filter((a) => a.kind === "send");
    const [p0, o0] = [sent(practitioner).length, sent(observer).length];
    const newSince = (s: StaffRef, n: number) =>
      sent(s)
        .slice(n)
        .map((a) => cardText(a.body?.attachments?.[0]?.content));
    const schedule = () =>
      h.execute(qa, "observation.schedule.run", {
        requiredId: observationId,
        observerId: observer.id,
        process: "home_visit",
        date: "2026-12-14",
      });

    expect((await schedule()).text).toMatch(/Practice observation scheduled/);
    expect((await h.execute(observer, "observation.cancel", { observationId, reason: "The family is away that week." })).text).toMatch(
      /cancelled; the practitioner and the QA team have been told why/,
    );
    expect((await schedule()).text).toMatch(/Practice observation scheduled/);
    await h.drainOutbox();
    expect(newSince(practitioner, p0)).toEqual([
      expect.stringMatching(/A practice observation of your work[\s\S]*14 Dec 2026[\s\S]*Waiting for the practitioner to agree/),
      expect.stringMatching(/This observation is cancelled[\s\S]*Why cancelled\nThe family is away that week\./),
      expect.stringMatching(/A practice observation of your work[\s\S]*14 Dec 2026[\s\S]*Waiting for the practitioner to agree/),
    ]);
    expect(newSince(observer, o0)).toEqual([
      expect.stringMatching(/A practice observation you will carry out[\s\S]*14 Dec 2026/),
      expect.stringMatching(/A practice observation you will carry out[\s\S]*14 Dec 2026/),
    ]);
  });
});
