// Child-safety messages are never held by quiet hours: an inadequate audit on a Friday evening, a
// moderation still inadequate at night, an escalation reaching a stage owner at night and a Cafcass
// referral reach people at once (fake Bot Connector, manual clock), marked urgent in the outbox,
// while routine cards sent at the same moment still wait for the next working morning.
import { describe, expect, it } from "vitest";
import { cardText, cardActions, type StaffRef } from "../support/harness";
import { fillAudit, submitReview, useAuditHarness } from "../support/auditFixture";
import { ManualClock } from "../../services/clock";

const FRIDAY_7PM = "2026-12-04T19:00:00Z"; // Europe/London is on GMT in December
const MONDAY_8AM = "2026-12-07T08:00:00Z"; // the end of quiet hours on the next working day
const MINUTE = 60_000;

const clock = new ManualClock(FRIDAY_7PM);
const { h, fx } = useAuditHarness(clock);
const staff = async (id: string) => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
const cardsWith = (s: StaffRef, text: string) => h.connector.cardsTo(h.conversationOf(s)).filter((c) => cardText(c).includes(text));
/** Moves the manual clock on by a minute and delivers whatever is due then. */
async function aMinuteLater() {
  clock.set(new Date(clock.now().getTime() + MINUTE));
  await h.drainOutbox();
}

describe("messages that carry a safeguarding deadline are delivered at once, quiet hours or not", () => {
  it("an audit graded Inadequate at 19:00 on a Friday reaches every person of the chain within a minute", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3 Audit Guidance, "Inadequate
    // Audits": "In situations where a case file has been deemed inadequate, the auditor will email
    // the worker, team manager, service manager, Head of Service and Assistant Director of Children
    // Services to advise of the outcome and what actions are needed to improve the case to 'Good'.
    // ■ Immediate tasks will be actioned within 24 hours". And: "The PSQA team and Service Manager
    // must be informed of all audits or moderations graded inadequate."
    clock.set(FRIDAY_7PM);
    const { audit, practitioner, caseRef } = await fx.makeAudit();
    const tm = await staff(practitioner.lineManagerId!);
    const sm = await staff(tm.lineManagerId!);
    const hos = await staff(sm.lineManagerId!);
    const ad = await staff(hos.lineManagerId!);
    const qa = [...(await h.staffWithRole("QA_TEAM")), ...(await h.staffWithRole("HEAD_OF_QA"))];
    const review = await fillAudit(h, fx.auditor, audit.id, {
      grade: "1",
      score: "2",
      actions: [
        { what: "See the child alone and update the safety plan", who: practitioner.id, when: "2026-12-05", immediate: true },
        { what: "Refresh the genogram", who: practitioner.id, when: "2026-12-18" },
      ],
    });
    const r = await submitReview(h, fx.auditor, review);
    expect(r.text).toMatch(/inadequate/);

    await aMinuteLater();
    for (const s of [practitioner, tm, sm, hos, ad, ...qa])
      expect(cardsWith(s, `Audit graded inadequate: case ${caseRef}`), s.email).toHaveLength(1);
    // The 24-hour task reaches the worker at once too; the routine action waits for Monday.
    expect(cardsWith(practitioner, "See the child alone and update the safety plan").length).toBeGreaterThanOrEqual(2);
    expect(cardsWith(practitioner, "Refresh the genogram")).toHaveLength(0);
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `audit:${audit.id}:inadequate:` } } });
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((m) => m.urgent && m.status === "sent")).toBe(true);

    clock.set(MONDAY_8AM);
    await h.drainOutbox();
    expect(
      cardsWith(practitioner, "Refresh the genogram").filter((c) => cardActions(c).some((a) => a.verb === "action.done")),
    ).toHaveLength(1);
  });

  it("a moderation still Inadequate at night reaches the worker, TM, SM and the Head of QA within a minute", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3 Audit Guidance, "Moderation
    // Audits": "If the case remains inadequate or there are outstanding actions, moderator will email
    // worker, team manager, and service manager to ensure tasks are actioned within 24 hours" and
    // "Head of Service - Professional Standards and Quality Assurance will be advised of moderations
    // graded as inadequate".
    clock.set(FRIDAY_7PM);
    const audit = await h.db.audit.findFirstOrThrow({ where: { status: "submitted", gradeBand: "inadequate" } });
    const qaOfficer = await h.one("QA_TEAM");
    const sampled = await h.execute(qaOfficer, "moderation.sample", { percent: "100", returnDays: "10" });
    expect(sampled.text).toMatch(/Sampled 1 of 1/);
    const m = await h.db.moderation.findFirstOrThrow({ where: { auditId: audit.id } });
    const moderator = await staff(m.moderatorId);
    clock.set("2026-12-04T21:30:00Z");
    // the last page of the paged form holds the judgement and the Submit button
    const card = (await h.execute(moderator, "moderation.page", { id: m.id, goTo: "4" })).card;
    const submit = cardActions(card).find((a) => a.verb === "moderation.submit")!;
    const form: Record<string, unknown> = {
      ...submit.data,
      feedbackGood: "Honest analysis.",
      feedbackDevelop: "Safety plan.",
      decision: "agree",
    };
    for (let i = 1; i <= 19; i++) form[`area_${i}`] = "2";
    for (const x of JSON.stringify(card).matchAll(/"id":"(action_[0-9a-f-]+)"/g)) form[x[1]!] = "no";
    expect((await h.execute(moderator, "moderation.submit", form)).text).toMatch(/moderator agreed the grade/);

    await aMinuteLater();
    const worker = await staff(audit.practitionerId);
    const tm = await staff(audit.managerId!);
    const sm = await staff(tm.lineManagerId!);
    const caseRef = (await h.db.case.findUniqueOrThrow({ where: { id: audit.caseId } })).caseRef;
    for (const s of [worker, tm, sm]) expect(cardsWith(s, `Case ${caseRef}: tasks due within 24 hours`), s.email).toHaveLength(1);
    for (const s of await h.staffWithRole("HEAD_OF_QA"))
      expect(cardsWith(s, `Moderation graded inadequate: case ${caseRef}`), s.email).toHaveLength(1);
    // The moderation card itself is routine: the QA officer's copy waits for Monday morning.
    expect(cardsWith(moderator, `Moderation · case ${caseRef}`)).toHaveLength(0);
  });

  it("an escalation reaching a stage owner at night, and a Cafcass referral, are delivered within a minute", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §5.3 Escalations: "Escalations are
    // managed through a 5 stage process": "1 – Team manager and service manager (5 days) 2 – Head of
    // Service (5 days) … 5 – Escalation to Cafcass (at any time)"; "The IRO has the power to refer the
    // matter to Cafcass at any point in the dispute resolution process (regulation 45)".
    clock.set(FRIDAY_7PM);
    const iro = await h.one("IRO");
    const c = await h.db.case.findFirstOrThrow({
      where: { teamId: "CP", worker: { roles: { has: "PRACTITIONER" } } },
      orderBy: { caseRef: "desc" },
    });
    const worker = await staff(c.workerId!);
    const tm = await staff(worker.lineManagerId!);
    const sm = await staff(tm.lineManagerId!);
    const hos = await staff(sm.lineManagerId!);
    const raised = await h.execute(iro, "escalation.raise", {
      caseRef: c.caseRef,
      type: "iro-cla",
      concern: "The care plan has not been reviewed since the move.",
      informal: "Discussed with the social worker and TM on 20 Nov.",
    });
    expect(raised.text).toMatch(/Stage 1/);
    await aMinuteLater();
    const escCards = (s: StaffRef) => cardsWith(s, `Escalation · case ${c.caseRef}`);
    expect(escCards(tm)).toHaveLength(1);
    expect(escCards(sm)).toHaveLength(1);
    expect(escCards(worker)).toHaveLength(0); // a follower's copy is routine

    // Stage 1's deadline passes at 19:00 the next Friday: the Head of Service has it at once.
    const e = await h.db.escalation.findFirstOrThrow({ where: { raiserId: iro.id }, orderBy: { createdAt: "desc" } });
    expect(e.stageDeadline.toISOString()).toBe("2026-12-11T19:00:00.000Z");
    clock.set(e.stageDeadline);
    await h.runJobs();
    await aMinuteLater();
    expect((await h.db.escalation.findUniqueOrThrow({ where: { id: e.id } })).stageOwnerIds).toEqual([hos.id]);
    expect(cardText(escCards(hos).at(-1))).toMatch(/Stage 2/);

    clock.set("2026-12-12T02:00:00Z"); // Saturday night
    await h.execute(iro, "escalation.cafcass", { id: e.id });
    await aMinuteLater();
    expect(cardsWith(hos, `Escalation for case ${c.caseRef}: referred to Cafcass`)).toHaveLength(1);
    const rows = await h.db.outboxMessage.findMany({ where: { recipientId: hos.id, payload: { path: ["template"], equals: "message" } } });
    expect(rows.filter((x) => x.idempotencyKey.includes(":cafcass:")).every((x) => x.urgent)).toBe(true);
  });
});
