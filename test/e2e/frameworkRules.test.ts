// The frameworks' rules for escalations, audit areas and actions, end to end: real activities to
// /api/messages, the real database and job runner, Teams replaced only by the fake Bot Connector.
// Each test quotes the section of the public framework it implements.
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, inputOf, versionOf, pageOf, type StaffRef } from "../support/harness";
import { auditPageAnswers, type SampleAudit } from "../support/auditPages";
import { submitReview } from "../support/auditFixture";
import { ManualClock } from "../../services/clock";
import { pageIds } from "../../services/audit/form";
import type { Prisma } from "../../generated/prisma/client";
import { loadConfig } from "../../services/config";
import { cutOffsText, settingsFrom } from "../../services/reports/settings";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday
const escalationOf = (id: string) => h.db.escalation.findUniqueOrThrow({ where: { id } });
/** Everything delivered to this person since `from` (cards and notes), as text. */
const chatText = (s: StaffRef, from = 0) => cardText(h.connector.cardsTo(h.conversationOf(s)).slice(from));
const chatLength = (s: StaffRef) => h.connector.cardsTo(h.conversationOf(s)).length;

let iro: StaffRef, cpChair: StaffRef, worker: StaffRef, tm: StaffRef, sm: StaffRef;
let caseRef: string;

async function raise(by: StaffRef, type: string) {
  const r = await h.execute(by, "escalation.raise", {
    caseRef,
    type,
    concern: "The care plan has not been reviewed since the move.",
    informal: "Discussed with the social worker and TM on 20 Nov.",
  });
  expect(r.text).toMatch(/Stage 1 of 4/);
  const esc = await h.db.escalation.findFirstOrThrow({ where: { raiserId: by.id }, orderBy: { createdAt: "desc" } });
  await h.drainOutbox();
  return esc;
}

const h = useHarness({ clock }, async () => {
  ({ iro, cpChair, tmCic: tm, smCic: sm, cicWorker: worker } = await h.people());
  caseRef = (await h.db.case.findFirstOrThrow({ where: { workerId: worker.id }, orderBy: { caseRef: "asc" } })).caseRef;
  for (const s of [iro, cpChair, worker, tm, sm]) await h.install(s);
});

describe("Bexley Children's Social Care Quality Assurance Framework, §5.3: escalations", () => {
  it("a stage does not move on while the raiser decides on a request for more time; refusing lets it move, granting moves the deadline", async () => {
    // §5.3: "Once the escalation has been raised, the IRO can consider requests from managers for
    // further time to provide a resolution to the escalation, before further escalation to the next stage."
    clock.set("2026-12-01T09:00:00Z");
    const refused = await raise(iro, "iro-cla");
    const asked = await h.execute(tm, "escalation.requestTime", { id: refused.id, days: "3", reason: "Placement review on Friday" });
    expect(asked.text).toMatch(/asks for 3 more working days/);
    // The deadline (Tuesday 8 Dec 09:00) passes with the raiser still deciding: the stage stays.
    clock.set("2026-12-08T09:01:00Z");
    const seen = chatLength(iro);
    expect((await h.runJobs()).failed).toBe(0);
    await h.drainOutbox();
    expect((await escalationOf(refused.id)).stage).toBe(1);
    expect(chatText(iro, seen)).toMatch(/Stage 1 stays where it is until you accept or refuse the request for more time/);
    const card = h.connector.cardsTo(h.conversationOf(iro)).findLast((c) => cardText(c).startsWith("Escalation · case"));
    expect(cardActions(card).map((a) => a.verb)).toContain("escalation.answerTime");
    // A day later, still deciding: still Stage 1.
    clock.set("2026-12-09T09:30:00Z");
    await h.runJobs();
    expect((await escalationOf(refused.id)).stage).toBe(1);
    // Refused: the decision is recorded, the deadline stands (it has passed), so the stage moves on now.
    const no = await h.execute(iro, "escalation.answerTime", { id: refused.id, accept: false });
    expect(no.text).toMatch(/Refused the request for more time/);
    expect((await escalationOf(refused.id)).stageDeadline.toISOString()).toBe("2026-12-08T09:00:00.000Z");
    await h.runJobs();
    expect((await escalationOf(refused.id)).stage).toBe(2);
    expect(await h.db.history.count({ where: { entityId: refused.id, action: "extension_refused", actorId: iro.id } })).toBe(1);

    // Granted after the deadline passed: the deadline moves by the days agreed, and only then.
    clock.set("2026-12-14T09:00:00Z"); // a Monday
    const granted = await raise(iro, "iro-cla");
    await h.execute(sm, "escalation.requestTime", { id: granted.id, days: "3", reason: "Awaiting the health assessment" });
    clock.set("2026-12-21T09:01:00Z"); // the stage deadline (Monday 21 Dec 09:00) has passed
    await h.runJobs();
    expect((await escalationOf(granted.id)).stage).toBe(1);
    const yes = await h.execute(iro, "escalation.answerTime", { id: granted.id, accept: true });
    expect(yes.text).toMatch(/Granted 3 more working days/);
    // 21 Dec + 3 working days, skipping the Christmas bank holidays (25 and 28 Dec)
    const after = await escalationOf(granted.id);
    expect(after.stageDeadline.toISOString()).toBe("2026-12-24T09:00:00.000Z");
    clock.set("2026-12-23T09:00:00Z");
    await h.runJobs();
    expect((await escalationOf(granted.id)).stage).toBe(1);
    clock.set("2026-12-24T09:01:00Z");
    await h.runJobs();
    expect((await escalationOf(granted.id)).stage).toBe(2);
  });

  it("prompts the IRO to keep the child informed at each stage", async () => {
    // §5.3: "The IRO will also consult and keep informed the child and other relevant persons at
    // each stage of the escalation process as appropriate." Fostering IROs: "The FIRO will also
    // consult and keep informed the foster carer and other relevant persons at each stage".
    clock.set("2027-01-05T09:00:00Z");
    const seen = chatLength(iro);
    const esc = await raise(iro, "iro-cla");
    expect(chatText(iro, seen)).toMatch(/Stage 1 \(Team manager and service manager\): keep people informed/);
    expect(chatText(iro, seen)).toMatch(/keep informed the child and other relevant persons/);
    const raiserCard = h.connector.cardsTo(h.conversationOf(iro)).findLast((c) => cardText(c).startsWith("Escalation · case"));
    expect(cardText(raiserCard)).toMatch(/Stage 1: Consult and keep informed the child/);
    // the stage owner's card carries no such prompt: it is the IRO's duty
    const ownerCard = h.connector.cardsTo(h.conversationOf(tm)).findLast((c) => cardText(c).startsWith("Escalation · case"));
    expect(cardText(ownerCard)).not.toMatch(/keep informed the child/);

    const before2 = chatLength(iro);
    await h.execute(tm, "escalation.escalateNow", { id: esc.id, escalateReason: "No reply to two visits" });
    await h.drainOutbox();
    expect(chatText(iro, before2)).toMatch(/Stage 2 \(Head of Service\): keep people informed/);

    // A CP chair's escalation (no such duty in the framework) gets no prompt.
    const chairSeen = chatLength(cpChair);
    await raise(cpChair, "cp-chair");
    expect(chatText(cpChair, chairSeen)).not.toMatch(/keep people informed/);
  });
});

// ---------------------------------------------------------------- the audit form

/** An audit cycle for `month` with no theme, written directly. */
const monthCycle = (month: string, target: number, seed: string) =>
  h.db.auditCycle.create({ data: { month, theme: "", target, seed, gradeScaleId: h.service.ctx.config.GRADE_SCALE } });
/** The cases that already have an audit (each test takes cases no earlier test used). */
const auditedCaseIds = async () => (await h.db.audit.findMany({ select: { caseId: true } })).map((a) => a.caseId);

/** An audit of case `c` for `auditorId` in `cycleId`, written directly (the allocation step is tested elsewhere). */
function auditOf(
  cycleId: string,
  c: { id: string; teamId: string; workerId: string | null; worker?: { lineManagerId: string | null } | null },
  auditorId: string,
  extra: Partial<Prisma.AuditUncheckedCreateInput> & { dueDate: Date; status: string },
) {
  return h.db.audit.create({
    data: {
      cycleId,
      caseId: c.id,
      auditorId,
      practitionerId: c.workerId!,
      managerId: c.worker?.lineManagerId ?? null,
      teamId: c.teamId,
      gradeScaleId: h.service.ctx.config.GRADE_SCALE,
      ...extra,
    },
  });
}

async function makeAudit() {
  const cycle =
    (await h.db.auditCycle.findFirst({ where: { month: "2026-12", theme: "rules" } })) ??
    (await h.db.auditCycle.create({
      data: { month: "2026-12", theme: "rules", target: 30, seed: "rules", gradeScaleId: h.service.ctx.config.GRADE_SCALE },
    }));
  const used = await auditedCaseIds();
  const c = await h.db.case.findFirstOrThrow({
    where: { teamId: "CP", id: { notIn: used }, worker: { roles: { has: "PRACTITIONER" } } },
    include: { worker: true },
    orderBy: { caseRef: "asc" },
  });
  const auditor = await h.one("DEPUTY_TEAM_MANAGER", "CIN");
  const audit = await auditOf(cycle.id, c, auditor.id, { status: "accepted", dueDate: new Date("2027-01-31") });
  await h.install(auditor);
  return { audit, auditor, practitioner: c.worker! as StaffRef };
}

/** Fills every page through the bot; returns the review card. */
async function fill(auditor: StaffRef, auditId: string, o: SampleAudit) {
  let card = (await h.execute(auditor, "audit.open", { auditId })).card;
  for (const page of pageIds()) {
    expect(pageOf(card)).toBe(page);
    if (page === "review") return card;
    card = (
      await h.execute(auditor, "audit.page.save", {
        auditId,
        page,
        version: versionOf(card),
        nav: "next",
        ...auditPageAnswers(card, page, o),
      })
    ).card;
  }
  return card;
}

describe("Bexley Children's Social Care Quality Assurance Framework, appendix a: the collaborative case audit", () => {
  it("areas 1–5 ask for strengths, areas to develop and a rating only; areas 6–18 add signs of impact and the rationale", async () => {
    // Appendix a, Section 4: areas 1–5 have "Areas of Strength", "Areas to Develop" and "Auditor
    // rating"; the collaborative areas add "Signs of Impact" and "Auditor Rationale".
    clock.set("2026-12-02T09:00:00Z");
    const { audit, auditor } = await makeAudit();
    const page1 = (await h.execute(auditor, "audit.open", { auditId: audit.id, page: "areas-1" })).card;
    for (const n of [1, 2, 3]) {
      for (const id of ["score", "strengths", "develop"]) expect(inputOf(page1, `a${n}_${id}`), `a${n}_${id}`).toBeDefined();
      expect(inputOf(page1, `a${n}_impact`)).toBeUndefined();
      expect(inputOf(page1, `a${n}_rationale`)).toBeUndefined();
    }
    expect(cardText(page1)).not.toMatch(/Auditor Rationale|Signs of Impact/);
    const page2 = (await h.execute(auditor, "audit.open", { auditId: audit.id, page: "areas-2" })).card;
    expect(inputOf(page2, "a5_impact")).toBeUndefined();
    expect(inputOf(page2, "a6_impact")).toBeDefined();
    expect(inputOf(page2, "a6_rationale")).toBeDefined();
    const last = (await h.execute(auditor, "audit.open", { auditId: audit.id, page: "areas-7" })).card;
    expect(inputOf(last, "a19_impact")).toBeDefined(); // area 19 has signs of impact, no rationale
    expect(inputOf(last, "a19_rationale")).toBeUndefined();
    // a forged answer to a field the area does not have is not stored
    await h.execute(auditor, "audit.page.save", {
      auditId: audit.id,
      page: "areas-1",
      version: versionOf(page1),
      nav: "stay",
      a1_score: "7",
      a1_impact: "forged",
      a1_rationale: "forged",
    });
    const a1 = await h.db.auditAnswer.findUniqueOrThrow({ where: { auditId_area: { auditId: audit.id, area: 1 } } });
    expect(a1).toMatchObject({ score: 7, signsOfImpact: null, rationale: null });
  });

  it("a Requires Improvement audit cannot be submitted without an immediate action to improve to Good", async () => {
    // §1.3 step 6: "Actions need to be clearly identified at the end of the audit form in the action
    // box with timescales for completion. Immediate actions to improve to ‘Good’ must be recorded."
    clock.set("2026-12-02T10:00:00Z");
    const { audit, auditor, practitioner } = await makeAudit();
    const review = await fill(auditor, audit.id, {
      grade: "4",
      actions: [{ what: "Update the chronology", who: practitioner.id, when: "2026-12-11" }],
    });
    expect(cardText(review)).toContain("Requires Improvement");
    const refused = await submitReview(h, auditor, review);
    expect(refused.text).toMatch(/below Good needs at least one immediate action to improve it to Good/);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).status).not.toBe("submitted");

    const outcome = (await h.execute(auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card;
    const o = { grade: "4", actions: [{ what: "Update the chronology", who: practitioner.id, when: "2026-12-11", immediate: true }] };
    const fixed = (
      await h.execute(auditor, "audit.page.save", {
        auditId: audit.id,
        page: "outcome",
        version: versionOf(outcome),
        nav: "next",
        ...auditPageAnswers(outcome, "outcome", o),
        childUnsafe: "yes",
      })
    ).card;
    const ok = await submitReview(h, auditor, fixed);
    expect(ok.text).toMatch(/Audit submitted/);
    const done = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id }, include: { actions: true } });
    expect(done).toMatchObject({ status: "submitted", gradeBand: "requires-improvement" });
    expect(done.actions.map((a) => a.immediate)).toEqual([true]);
    expect(done.childUnsafe).toBe(true); // the outcome page's "Did the audit find the child unsafe?"
  });
});

// ---------------------------------------------------------------- the monthly report

/** The value of the FactSet fact with this title on a card. */
function fact(card: unknown, title: string): string | undefined {
  const facts: { title: string; value: string }[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    if (o.type === "FactSet") facts.push(...(o.facts as { title: string; value: string }[]));
    for (const [k, v] of Object.entries(o)) if (k !== "fallback") walk(v);
  };
  walk(card);
  return facts.find((f) => f.title === title)?.value;
}

describe("Audit findings at a glance (monthly reports of a Head of Quality, July–September 2017): what the report counts", () => {
  it("leaves late audits out of the findings, counts children found unsafe, keeps Partly apart from unclear, and names its cut-offs", async () => {
    // July 2017: "In July, 15 audits were completed, 4 were not received in time for moderation (so
    // not included), 11 were moderated." Outcomes for children: "No children were unsafe."
    clock.set("2026-11-02T10:00:00Z");
    const cycle = await monthCycle("2026-10", 3, "rules-report");
    const auditor = await h.one("DEPUTY_TEAM_MANAGER", "CIN");
    const used = await auditedCaseIds();
    const cases = await h.db.case.findMany({ where: { teamId: "CP", id: { notIn: used }, workerId: { not: null } }, take: 3 });
    const rows = [
      { band: "good", grade: 6, benefit: "partly", unsafe: true, submitted: "2026-10-20T10:00:00Z" },
      { band: "requires-improvement", grade: 4, benefit: "unclear", unsafe: false, submitted: "2026-10-21T10:00:00Z" },
      { band: "inadequate", grade: 1, benefit: "yes", unsafe: true, submitted: "2026-10-28T10:00:00Z" }, // after the due date
    ];
    for (const [i, r] of rows.entries()) {
      const c = cases[i]!;
      const a = await auditOf(cycle.id, c, auditor.id, {
        status: "submitted",
        dueDate: new Date("2026-10-25"),
        grade: r.grade,
        gradeBand: r.band,
        childrenBenefit: r.benefit,
        childUnsafe: r.unsafe,
        allocatedAt: new Date("2026-10-01T09:00:00Z"),
        submittedAt: new Date(r.submitted),
      });
      await h.db.auditAnswer.createMany({
        data: Array.from({ length: 19 }, (_, k) => ({ auditId: a.id, area: k + 1, score: k === 16 ? 4 : 7 })),
      });
    }
    const hos = await h.one("HEAD_OF_SERVICE");
    await h.install(hos);
    const card = (await h.say(hos, "report 2026-10")).cards[0]!;
    const text = cardText(card);
    expect(fact(card, "Returned")).toBe("3");
    expect(fact(card, "Not in time for moderation (not included)")).toBe("1");
    // The late Inadequate audit is not in the grade counts.
    expect(text).toContain("Inadequate: 0 of 2 (0%)");
    expect(text).toContain("Good: 1 of 2 (50%)");
    expect(text).toContain("(1 returned late, not included)");
    // Is anyone better off? Children found unsafe (of the audits counted), and Partly apart from unclear.
    expect(fact(card, "Found unsafe")).toBe("1 of 2 (50%)");
    expect(fact(card, "partly")).toBe("1 of 2 (50%)");
    expect(fact(card, "unclear")).toBe("1 of 2 (50%)");
    // The cut-offs the frameworks do not give are named where the areas are sorted, as Assure's defaults.
    expect(text).toContain("% of audits below Good (area score under 6), by area of practice");
    expect(text).toMatch(/Cut-offs \(the frameworks give none\): an area score under 6 of 10 is "below Good" \(Assure's default\)/);
    expect(text).toMatch(/needs attention when 50% or more .* shows as good at 25% or fewer .* fell by 5 points or more/);
    // ... and are settings: a council's own values are named as its own.
    const own = settingsFrom(loadConfig({ NODE_ENV: "test", REPORT_BELOW_GOOD_SCORE: "5", REPORT_ATTENTION_PCT: "60" }));
    expect(own).toMatchObject({ belowGoodScore: 5, attentionPct: 60, goodPct: 25, improvingPoints: 5 });
    expect(cutOffsText(own)).toMatch(/under 5 of 10 is "below Good" \(set by this council\); an area needs attention when 60%/);
  });
});

describe("Audit findings at a glance: audits not completed, and why", () => {
  it("the QA team records why an audit will not be completed; the report lists it with its reason; a swapped audit does not inherit the first auditor's reason", async () => {
    // August 2017: "27 children’s cases were distributed to staff in this month’s audit group. 19
    // were returned. 7 were not completed due to annual leave, sickness and non-compliance without
    // explanation provided." September: "Non completions reasons were given by 4 auditors and none by 2 auditors."
    clock.set("2026-09-01T09:00:00Z");
    const cycle = await monthCycle("2026-09", 2, "rules-nc");
    const auditor = await h.one("TEAM_MANAGER", "CIN");
    await h.install(auditor);
    const used = await auditedCaseIds();
    const [closed, swapped] = await h.db.case.findMany({
      where: { teamId: "CP", id: { notIn: used }, worker: { roles: { has: "PRACTITIONER" } } },
      include: { worker: true },
      orderBy: { caseRef: "asc" },
      take: 2,
    });
    const audits = [];
    for (const c of [closed!, swapped!])
      audits.push(
        await auditOf(cycle.id, c, auditor.id, {
          status: "allocated",
          dueDate: new Date("2026-09-30"),
          allocatedAt: new Date("2026-09-01T09:00:00Z"),
        }),
      );
    // The auditor cannot do the second one: it goes to a peer, with the auditor's reason in the history only.
    const swap = await h.execute(auditor, "audit.allocation.swap", { auditId: audits[1]!.id, reason: "On annual leave all month" });
    expect(swap.text).toMatch(/Swapped to/);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audits[1]!.id } })).declineReason).toBeNull();

    // Only a person with the QA team's role may record an audit as not completed.
    const qa = await h.one("QA_TEAM");
    await h.install(qa);
    expect((await h.execute(auditor, "audit.notCompleted.record", { caseRef: closed!.caseRef, reason: "case-closed" })).text).toMatch(
      /Not allowed/,
    );
    const form = (await h.say(qa, "not completed")).cards[0]!;
    expect(cardText(form)).toContain("Record an audit as not completed");
    expect(cardText(form)).toContain("Practitioner absent (leave, sickness or left)");
    const noReason = await h.execute(qa, "audit.notCompleted.record", { caseRef: closed!.caseRef, reason: "" });
    expect(noReason.text).toContain("Choose why the audit will not be completed.");
    const ok = await h.execute(qa, "audit.notCompleted.record", { caseRef: closed!.caseRef, reason: "case-closed" });
    expect(ok.text).toContain("Not completed: Case closed");
    expect(await h.db.history.count({ where: { entityId: audits[0]!.id, action: "not_completed", actorId: qa.id } })).toBe(1);
    // The peer never did the swapped one either: no reason was recorded for it.

    clock.set("2026-10-05T09:00:00Z");
    const hos = await h.one("HEAD_OF_SERVICE");
    const card = (await h.say(hos, "report 2026-09")).cards[0]!;
    expect(fact(card, "Not completed")).toBe("2");
    const text = cardText(card);
    expect(text).toContain("Not completed: Case closed 1 · No reason given 1");
    expect(text).not.toContain("On annual leave all month");
    // The team appendix lists each case with why.
    const appendix = cardText((await h.execute(hos, "report.team", { month: "2026-09" })).card);
    expect(appendix).toContain(`${closed!.caseRef} (CP)`);
    expect(appendix).toContain("not completed: Case closed");
  });
});

describe("Bexley Children's Social Care Quality Assurance Framework, appendix a, Section 1: case demographics", () => {
  it("asks Section 1 on the first page, with an age band and no name or date of birth, and keeps the answers", async () => {
    // Appendix a, Section 1: "Dates of collaborative case audit - provides basic details of the
    // audit ... Personal details - provides context to the child/young person’s records being
    // audited and enables themes to be better understood."
    clock.set("2026-12-03T09:00:00Z");
    const { audit, auditor } = await makeAudit();
    const page = (await h.execute(auditor, "audit.open", { auditId: audit.id, page: "health" })).card;
    const text = cardText(page);
    expect(text).toContain("Section 1: Case demographics");
    for (const id of [
      "s1_referralReceived",
      "s1_auditCommenced",
      "s1_auditCompleted",
      "s1_practiceObservation",
      "s1_jointWorker",
      "s1_ageBand",
      "s1_gender",
      "s1_ethnicity",
      "s1_language",
    ])
      expect(inputOf(page, id), id).toBeDefined();
    expect(text).toContain("Has a practice observation been undertaken in connection with this audit or is one required?");
    expect(text).not.toMatch(/^(Date of Birth|Name of child.*)$/im); // no such question
    const answers = {
      ...auditPageAnswers(page, "health"),
      s1_referralReceived: "2026-06-02",
      s1_auditCommenced: "2026-12-03",
      s1_auditCompleted: "2026-12-02",
      s1_practiceObservation: "required",
      s1_jointWorker: "nobody@council.example",
      s1_ageBand: "5–9",
      s1_gender: "Female",
      s1_ethnicity: "Mixed or multiple ethnic groups",
      s1_language: "Polish",
    };
    const bad = await h.execute(auditor, "audit.page.save", {
      auditId: audit.id,
      page: "health",
      version: versionOf(page),
      nav: "next",
      ...answers,
    });
    expect(bad.text).toContain("The audit cannot be completed before it commenced.");
    expect(bad.text).toContain("No member of staff has that work email.");
    const joint = await h.one("PRACTITIONER", "CIN");
    const ok = await h.execute(auditor, "audit.page.save", {
      auditId: audit.id,
      page: "health",
      version: versionOf(page),
      nav: "next",
      ...answers,
      s1_auditCompleted: "2026-12-03",
      s1_jointWorker: joint.email.toUpperCase(),
    });
    expect(pageOf(ok.card)).toBe("areas-1");
    const saved = ((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).draft as { health: Record<string, string> }).health;
    expect(saved).toMatchObject({
      s1_ageBand: "5–9",
      s1_practiceObservation: "required",
      s1_jointWorker: joint.email,
      s1_language: "Polish",
    });
    // A forged date of birth or name is not a field of the form: it is not kept.
    await h.execute(auditor, "audit.page.save", {
      auditId: audit.id,
      page: "health",
      version: versionOf(ok.card),
      nav: "stay",
      ...answers,
      s1_auditCompleted: "2026-12-03",
      s1_jointWorker: "",
      dateOfBirth: "2018-04-01",
      childName: "Forged Name",
    });
    const row = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } });
    expect(JSON.stringify(row)).not.toMatch(/2018-04-01|Forged Name/);
  });
});

describe("Audit findings at a glance: swaps go to next month's audit group", () => {
  it("where the directory has audit groups, a swap goes to an auditor of next month's group", async () => {
    // August 2017: "if someone is unable to complete an audit they swap with a peer in the next
    // month's audit schedule"; the auditors form "three Audit Groups that work in rotation".
    clock.set("2026-08-03T09:00:00Z");
    const auditors = await h.db.staff.findMany({
      where: { active: true, roles: { hasSome: ["DEPUTY_TEAM_MANAGER", "TEAM_MANAGER", "SERVICE_MANAGER", "HEAD_OF_SERVICE"] } },
      orderBy: { email: "asc" },
    });
    // Three groups; September 2026 is group (2026 × 12 + 8) mod 3 + 1 = 3.
    for (const [i, a] of auditors.entries()) await h.db.staff.update({ where: { id: a.id }, data: { auditGroup: (i % 3) + 1 } });
    const cycle = await monthCycle("2026-08", 1, "rules-groups");
    const auditor = (await h.db.staff.findFirstOrThrow({
      where: { id: { in: auditors.map((a) => a.id) }, auditGroup: 1, teamId: { not: "CP" } },
    })) as StaffRef;
    await h.install(auditor);
    const used = await auditedCaseIds();
    const c = await h.db.case.findFirstOrThrow({
      where: { teamId: "CP", id: { notIn: used }, workerId: { not: null } },
      include: { worker: true },
    });
    const audit = await auditOf(cycle.id, c, auditor.id, { status: "allocated", dueDate: new Date("2026-08-31") });
    const swap = await h.execute(auditor, "audit.allocation.swap", { auditId: audit.id, reason: "Off sick for two weeks" });
    expect(swap.text).toMatch(/Swapped to/);
    const peer = await h.db.staff.findUniqueOrThrow({
      where: { id: (await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).auditorId },
    });
    expect(peer.auditGroup).toBe(3);
    await h.db.staff.updateMany({ data: { auditGroup: null } });
  });
});
