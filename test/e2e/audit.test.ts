// The collaborative case audit, steps 3–7, end to end: real activities to /api/messages, the real
// database, job runner and card templates; Teams replaced only by the fake Bot Connector.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { startHarness, cardText, cardActions, inputOf, versionOf, pageOf, type Harness, type StaffRef } from "../support/harness";
import { fillAudit as fillPages, setupAuditFixture, saveAndNext, submitReview } from "../support/auditFixture";
import { ManualClock } from "../../services/clock";
import { runDueJobs } from "../../services/jobs";
import { buildJobHandlers } from "../../services/jobHandlers";
import { enqueueMessage } from "../../services/outbox";
import { pageIds } from "../../services/audit/form";
import { loadAuditTool } from "../../services/catalogue";
import { cardSizeBytes, CARD_SIZE_LIMIT_BYTES, type CardJson } from "../../cards/render";
import { formatDate } from "../../services/dates";
import { auditPageAnswers } from "../support/auditPages";

type Card = Record<string, unknown>;
let largestCard = 0;
const measure = (card: Card) => {
  largestCard = Math.max(largestCard, cardSizeBytes(card as CardJson));
  return card;
};

const fillAudit = (...[h, auditor, auditId, o]: Parameters<typeof fillPages>) => fillPages(h, auditor, auditId, o, measure);

let h: Harness;
let clock: ManualClock;
let fx: Awaited<ReturnType<typeof setupAuditFixture>>;
const jobs = () => runDueJobs(h.service.ctx, buildJobHandlers());

beforeAll(async () => {
  clock = new ManualClock("2026-12-01T09:00:00Z");
  h = await startHarness({ clock });
  fx = await setupAuditFixture(h);
});
afterAll(async () => {
  console.log(JSON.stringify({ largestAuditCardBytes: largestCard }));
  await h?.close();
});

describe("the collaborative case audit", () => {
  it("pages save drafts; resume on another device shows what was saved; the practitioner's self-assessment is on page 1", async () => {
    const { audit, practitioner } = await fx.makeAudit();
    await h.db.selfAssessment.create({
      data: {
        auditId: audit.id,
        practitionerId: practitioner.id,
        status: "submitted",
        dueDate: new Date("2026-12-10"),
        answers: { "difference-made-scale": 7, "difference-made-worked-well": "Direct work with the child" },
      },
    });
    const list = measure((await h.say(fx.auditor, "my audits")).cards[0]!);
    // Dates in the house format, as on every other card ("Thu, 31 Dec 2026"), never "2026-12-31".
    expect(cardText(list)).toContain(`Due ${formatDate(audit.dueDate)}`);
    expect(cardText(list)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const start = cardActions(list).find((a) => a.title === "Start" && a.data.auditId === audit.id);
    expect(start?.verb).toBe("audit.open");

    let card = measure((await h.execute(fx.auditor, "audit.open", { auditId: audit.id })).card);
    expect(pageOf(card)).toBe("health");
    expect(cardText(card)).toContain("Direct work with the child");
    expect(cardText(card)).toContain("Using a scale where 0 = no difference");
    const v0 = versionOf(card);
    card = measure(
      (
        await h.execute(fx.auditor, "audit.page.save", {
          auditId: audit.id,
          page: "health",
          version: v0,
          nav: "next",
          "hc_hc-chronology": "Partly",
          meetingDate: "2026-12-01",
        })
      ).card,
    );
    expect(pageOf(card)).toBe("areas-1");
    expect(cardText(card)).toContain(loadAuditTool().areas[0]!.title);
    expect(cardText(card)).toMatch(/auditor only/);
    card = measure(
      (
        await h.execute(fx.auditor, "audit.page.save", {
          auditId: audit.id,
          page: "areas-1",
          version: versionOf(card),
          nav: "close",
          a1_score: "8",
          a1_strengths: "Demographics current",
          a2_score: "6",
          a3_evidence: "chronology updated 01/11/26",
        })
      ).card,
    );
    expect(cardText(card)).toMatch(/Draft saved/);
    expect(cardActions(card).find((a) => a.title === "Resume")?.data.auditId).toBe(audit.id);

    const saved = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id }, include: { answers: true } });
    expect(saved.status).toBe("in_progress");
    expect(saved.answers.map((a) => [a.area, a.score]).sort()).toEqual([
      [1, 8],
      [2, 6],
      [3, null],
    ]);
    const hist = await h.db.history.findMany({ where: { entityType: "audit", entityId: audit.id }, orderBy: { id: "asc" } });
    expect(hist.map((x) => x.action)).toEqual(["started", "draft_saved", "draft_saved"]);
    expect(hist[2]!.after).toMatchObject({ page: "areas-1", values: { a1_score: "8", a1_strengths: "Demographics current" } });

    // Another device: "my audits" → Resume → the saved page with the saved values.
    const list2 = (await h.say(fx.auditor, "my audits")).cards[0]!;
    expect(cardActions(list2).some((a) => a.title === "Resume" && a.data.auditId === audit.id)).toBe(true);
    card = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id })).card;
    expect(pageOf(card)).toBe("areas-1");
    expect(inputOf(card, "a1_score")?.value).toBe("8");
    expect(inputOf(card, "a1_strengths")?.value).toBe("Demographics current");
    expect(inputOf(card, "a3_evidence")?.value).toBe("chronology updated 01/11/26");
    card = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "health" })).card;
    expect(inputOf(card, "hc_hc-chronology")?.value).toBe("Partly");

    // The practitioner sees the status; the manager sees the team's audit read-only.
    const mine = cardText((await h.say(practitioner, "my audits")).cards[0]);
    expect(mine).toMatch(/In progress/);
    const tm = (await h.db.staff.findFirstOrThrow({ where: { teamId: "CP", roles: { has: "TEAM_MANAGER" } } })) as StaffRef;
    const teamList = (await h.say(tm, "my audits")).cards[0]!;
    const view = cardActions(teamList).find((a) => a.verb === "audit.view" && a.data.auditId === audit.id);
    expect(view).toBeDefined();
    const ro = (await h.execute(tm, "audit.view", { auditId: audit.id })).card;
    expect(cardText(ro)).toMatch(/Read-only view/);
    expect(cardActions(ro).some((a) => a.verb === "audit.page.save")).toBe(false);
    // Higher up the chain (the service manager) sees it too, read-only.
    const sm = (await h.db.staff.findUniqueOrThrow({ where: { id: tm.lineManagerId! } })) as StaffRef;
    const smList = (await h.say(sm, "my audits")).cards[0]!;
    expect(cardActions(smList).some((a) => a.verb === "audit.view" && a.data.auditId === audit.id)).toBe(true);
    expect(cardText((await h.execute(sm, "audit.view", { auditId: audit.id })).card)).toMatch(/Read-only view/);
    // Pressing Open on a team audit also gives the read-only view, never the form.
    expect(cardActions((await h.execute(tm, "audit.open", { auditId: audit.id })).card).some((a) => a.verb === "audit.page.save")).toBe(
      false,
    );
  });

  it("shows the practitioner a self-assessment button while it is pending, and 'not yet submitted' to the auditor", async () => {
    const { audit, practitioner } = await fx.makeAudit();
    const list = (await h.say(practitioner, "my audits")).cards[0]!;
    expect(cardActions(list).find((a) => a.verb === "audit.selfAssessment.open")?.data.auditId).toBe(audit.id);
    const card = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id })).card;
    expect(cardText(card)).toContain("Not yet submitted by the practitioner.");
  });

  it("shows the auditor every self-assessment answer in the template's order, marked by section, scales out of 10, cut only with a note", async () => {
    const { audit, practitioner } = await fx.makeAudit();
    const worked = "What worked well, to make you scale in this way?";
    // Written in the reverse of the template's order; PostgreSQL keeps jsonb keys in its own order.
    const full = {
      "signs-of-safety-use-move-up": `E${"e".repeat(2999)}`,
      "signs-of-safety-use-worked-well": "D long and kept whole ".repeat(130),
    };
    const answers = {
      ...full,
      "signs-of-safety-use-scale": 4,
      "difference-made-move-up": "B more visits",
      "difference-made-worked-well": "A direct work",
      "difference-made-scale": 3,
    };
    await h.db.selfAssessment.create({
      data: { auditId: audit.id, practitionerId: practitioner.id, status: "submitted", dueDate: new Date("2026-12-10"), answers },
    });
    const card = measure((await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "health" })).card);
    const text = cardText(card);
    const at = (s: string) => text.indexOf(s);
    expect(at("3 / 10")).toBeGreaterThan(-1);
    expect(at("4 / 10")).toBeGreaterThan(-1);
    expect(at(`i) ${worked}`)).toBeGreaterThan(-1);
    expect(at(`ii) ${worked}`)).toBeGreaterThan(-1);
    // The template's order: i) scale, worked well, move up; ii) scale, worked well, move up.
    const order = ["3 / 10", "A direct work", "B more visits", "4 / 10", "D long and kept whole", "Eeee"].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Answers of up to the 3,000 characters the practitioner may type are shown whole.
    for (const v of Object.values(full)) expect(text).toContain(v);
    expect(text).not.toMatch(/cut at/);
    expect(cardSizeBytes(card as CardJson)).toBeLessThan(CARD_SIZE_LIMIT_BYTES);

    // Text that takes more bytes is cut, and the card says where and where the rest is.
    const { audit: second, practitioner: p2 } = await fx.makeAudit();
    const curly = Object.fromEntries(
      ["difference-made-worked-well", "difference-made-move-up", "signs-of-safety-use-worked-well", "signs-of-safety-use-move-up"].map(
        (k) => [k, "’".repeat(3000)],
      ),
    );
    await h.db.selfAssessment.create({
      data: { auditId: second.id, practitionerId: p2.id, status: "submitted", dueDate: new Date("2026-12-10"), answers: curly },
    });
    const cut = measure((await h.execute(fx.auditor, "audit.open", { auditId: second.id, page: "health" })).card);
    expect(
      cardText(cut).match(
        /… \(cut at \d+ of 3000 characters to fit one Teams card; the full answer is on the practitioner's submitted self-assessment/g,
      ),
    ).toHaveLength(4);
    expect(cardSizeBytes(cut as CardJson)).toBeLessThan(CARD_SIZE_LIMIT_BYTES);
  });

  it("shows an invalid page again with the errors next to the fields and the input kept; nothing half-saved", async () => {
    const { audit } = await fx.makeAudit();
    const open = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "areas-2" })).card;
    const v = versionOf(open);
    const long = "x".repeat(201);
    const res = await h.execute(fx.auditor, "audit.page.save", {
      auditId: audit.id,
      page: "areas-2",
      version: v,
      nav: "next",
      a4_score: "11",
      a5_score: "5",
      a5_strengths: "Good plan shared with family",
      a6_evidence: long,
    });
    const card = measure(res.card);
    expect(pageOf(card)).toBe("areas-2");
    const text = cardText(card);
    expect(text).toMatch(/Nothing from this page was saved/);
    expect(text).toContain("Choose one of the options shown.");
    expect(text).toContain("At most 200 characters, please (this has 201).");
    // the 0–10 rating is a dropdown: an answer off the scale is refused and not offered back
    expect(inputOf(card, "a4_score")?.type).toBe("Input.ChoiceSet");
    expect(inputOf(card, "a5_strengths")?.value).toBe("Good plan shared with family");
    expect(inputOf(card, "a6_evidence")?.value).toBe(long);
    expect(await h.db.auditAnswer.count({ where: { auditId: audit.id } })).toBe(0);
    const after = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } });
    expect(after.version).toBe(v);
    expect(after.status).toBe("accepted");
  });

  it("refuses a save from a stale card (two devices) with a clear conflict, overwriting nothing", async () => {
    const { audit } = await fx.makeAudit();
    const deviceA = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "areas-1" })).card;
    const deviceB = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "areas-1" })).card;
    await h.execute(fx.auditor, "audit.page.save", {
      auditId: audit.id,
      page: "areas-1",
      version: versionOf(deviceB),
      nav: "stay",
      a1_score: "4",
    });
    const r = await h.execute(fx.auditor, "audit.page.save", {
      auditId: audit.id,
      page: "areas-1",
      version: versionOf(deviceA),
      nav: "stay",
      a1_score: "9",
    });
    expect(r.text).toMatch(/Someone else got there first/);
    expect(r.text).toMatch(/another device/);
    expect((await h.db.auditAnswer.findFirstOrThrow({ where: { auditId: audit.id, area: 1 } })).score).toBe(4);
    // The refused save left no trace either: one start and one saved draft in the history.
    const history = await h.db.history.findMany({ where: { entityType: "audit", entityId: audit.id }, orderBy: { id: "asc" } });
    expect(history.map((e) => e.action)).toEqual(["started", "draft_saved"]);
  });

  it("a feedback page saved twice is one row, recorded then updated; saved from a stale card it leaves no trace", async () => {
    const { audit } = await fx.makeAudit();
    const open = async () => (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "feedback-network" })).card;
    const save = (card: unknown, why: string) =>
      h.execute(fx.auditor, "audit.page.save", {
        auditId: audit.id,
        page: "feedback-network",
        version: versionOf(card),
        nav: "stay",
        "network-obtained": "no",
        "network-not-obtained-why": why,
      });
    const stale = await open();
    await save(stale, "unreachable");
    await save(await open(), "declined");
    expect((await save(stale, "no-consent")).text).toMatch(/Someone else got there first/);
    const rows = await h.db.feedback.findMany({ where: { auditId: audit.id } });
    expect(rows.map((r) => r.notObtainedReason)).toEqual(["declined"]);
    const history = await h.db.history.findMany({ where: { entityType: "feedback" }, orderBy: { id: "asc" } });
    const mine = history.filter((x) => x.entityId === rows[0]!.id);
    expect(mine.map((x) => x.action)).toEqual(["recorded", "updated"]);
    expect(mine[1]!.before).toMatchObject({ "network-not-obtained-why": "unreachable" });
    expect(mine[1]!.after).toMatchObject({ "network-not-obtained-why": "declined" });
  });

  it("records feedback per kind, or that it could not be obtained and why", async () => {
    const { audit } = await fx.makeAudit();
    let card = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "feedback-child" })).card;
    expect(cardText(card)).toContain("Do you know the name of the worker who is working with your family?");
    const bad = await h.execute(fx.auditor, "audit.page.save", {
      auditId: audit.id,
      page: "feedback-child",
      version: versionOf(card),
      nav: "next",
      "child-obtained": "no",
    });
    expect(bad.text).toContain("Choose why feedback could not be obtained.");
    card = await saveAndNext(h, fx.auditor, audit.id, card, "feedback-child", {
      "child-obtained": "no",
      "child-not-obtained-why": "no-consent",
      "child-not-obtained-reason": "Parent declined consent for the child",
    });
    expect(pageOf(card)).toBe("feedback-family");
    const text = cardText(measure(card));
    for (const s of loadAuditTool().feedback.family.statements) expect(text).toContain(s.text);
    const data: Record<string, unknown> = {
      auditId: audit.id,
      page: "feedback-family",
      version: versionOf(card),
      nav: "next",
      "family-obtained": "yes",
      "family-role": "Mother",
    };
    loadAuditTool().feedback.family.statements.forEach((s, i) => (data[s.id] = String(i + 1)));
    card = (await h.execute(fx.auditor, "audit.page.save", data)).card;
    card = await saveAndNext(h, fx.auditor, audit.id, card, "feedback-network", {
      "network-obtained": "no",
      "network-not-obtained-why": "unreachable",
    });
    expect(pageOf(card)).toBe("outcome");
    const rows = await h.db.feedback.findMany({ where: { auditId: audit.id }, orderBy: { kind: "asc" } });
    expect(rows.map((r) => [r.kind, r.obtained, r.notObtainedReason])).toEqual([
      ["child", false, "no-consent"],
      ["family", true, null],
      ["network", false, "unreachable"],
    ]);
    expect(rows[0]!.answers).toEqual({ "child-not-obtained-reason": "Parent declined consent for the child" });
    expect(rows[1]!.answers).toMatchObject({ "fs-listens": "1", "fs-cares": "9", "family-role": "Mother" });
  });

  it("grades, records actions and submits; cards update in place; a second submit records nothing twice", async () => {
    const { audit, practitioner, caseRef } = await fx.makeAudit();
    await h.install(fx.auditor);
    await h.install(practitioner);
    // Cards the allocation step sent earlier (the colleague's feature), to be updated in place.
    await h.db.$transaction(async (tx) => {
      await enqueueMessage(tx, {
        recipientId: fx.auditor.id,
        idempotencyKey: `t:${audit.id}:alloc`,
        cardKey: `audit:${audit.id}:allocation`,
        payload: { template: "message", data: { title: "Allocated", text: caseRef } },
      });
      await enqueueMessage(tx, {
        recipientId: practitioner.id,
        idempotencyKey: `t:${audit.id}:sa`,
        cardKey: `audit:${audit.id}:self-assessment`,
        payload: { template: "message", data: { title: "Self-assessment", text: caseRef } },
      });
    });
    await h.drainOutbox();

    // Submitting an incomplete audit lists what is missing and submits nothing.
    const early = await h.execute(fx.auditor, "audit.submit", { auditId: audit.id, version: 0 });
    expect(early.text).toMatch(/Rate every area of practice/);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).status).toBe("accepted");

    const review = await fillAudit(h, fx.auditor, audit.id, {
      grade: "4",
      actions: [
        { what: "Update the chronology", who: practitioner.id, when: "2026-12-11", immediate: true },
        { what: "Share the good direct work at the staff conference", who: fx.auditor.id, when: "2026-12-18" },
      ],
    });
    expect(cardText(review)).toContain("Areas rated: 19 of 19");
    expect(cardText(review)).toContain("Requires Improvement");
    const r1 = await submitReview(h, fx.auditor, review);
    expect(r1.text).toMatch(/Audit submitted/);
    const done = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id }, include: { actions: true } });
    expect(done).toMatchObject({ status: "submitted", grade: 4, gradeBand: "requires-improvement", childrenBenefit: "yes" });
    expect(done.submittedAt).toEqual(clock.now());
    expect(done.actions).toHaveLength(2);

    const r2 = await submitReview(h, fx.auditor, review);
    expect(r2.text).toMatch(/Already done/);
    expect(await h.db.action.count({ where: { auditId: audit.id } })).toBe(2);
    expect(await h.db.history.count({ where: { entityId: audit.id, action: "submitted" } })).toBe(1);
    const late = await h.execute(fx.auditor, "audit.page.save", {
      auditId: audit.id,
      page: "areas-1",
      version: versionOf(review),
      nav: "next",
      a1_score: "1",
    });
    expect(late.text).toMatch(/already submitted/);

    await h.drainOutbox();
    const updates = h.connector.activities.filter(
      (a) => a.kind === "update" && cardText(a.body?.attachments?.[0]?.content).includes("Audit submitted"),
    );
    expect(updates.map((u) => u.conversationId).sort()).toEqual([h.conversationOf(fx.auditor), h.conversationOf(practitioner)].sort());
    const inst = await h.db.cardInstance.findUniqueOrThrow({
      where: { cardKey_recipientId: { cardKey: `audit:${audit.id}:allocation`, recipientId: fx.auditor.id } },
    });
    expect(cardText(h.connector.messageState(inst.conversationId, inst.activityId)?.body.attachments?.[0]?.content)).toContain(
      "Audit submitted",
    );
    const actionCard = h.connector.cardsTo(h.conversationOf(practitioner)).find((c) => cardText(c).includes("Update the chronology"));
    expect(cardActions(actionCard).map((a) => a.verb)).toContain("action.done");
  });

  it("asks the auditor to follow up 5 working days after submission, skipping bank holidays", async () => {
    clock.set("2026-12-22T10:00:00Z"); // Tuesday; 25, 26 (Sat) and 28 December are bank holidays
    const { audit, practitioner } = await fx.makeAudit();
    await h.install(fx.auditor);
    const review = await fillAudit(h, fx.auditor, audit.id, {
      grade: "6",
      judgement: "outstanding",
      actions: [{ what: "Nominate for a practice award", who: practitioner.id, when: "2027-01-15" }],
    });
    await submitReview(h, fx.auditor, review);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).gradeBand).toBe("outstanding");
    const job = await h.db.scheduledJob.findUniqueOrThrow({ where: { key: `audit:${audit.id}:followup` } });
    expect(job.runAt.toISOString()).toBe("2026-12-31T10:00:00.000Z");

    const followUps = () =>
      h.connector
        .cardsTo(h.conversationOf(fx.auditor))
        .filter((c) => cardText(c).includes("Audit follow-up") && cardText(c).includes("Nominate"));
    clock.set("2026-12-30T12:00:00Z");
    await jobs();
    await h.drainOutbox();
    expect(followUps()).toHaveLength(0);
    clock.set("2026-12-31T10:00:01Z");
    await jobs();
    await h.drainOutbox();
    expect(followUps()).toHaveLength(1);
    const fu = followUps()[0]!;
    const action = await h.db.action.findFirstOrThrow({ where: { auditId: audit.id } });
    const press = cardActions(fu).find((a) => a.verb === "audit.followUp.save")!;
    const r = await h.execute(fx.auditor, press.verb, { ...press.data, [`fu_${action.id}`]: "Manager has put the nomination forward" });
    expect(r.text).toMatch(/Follow-up recorded/);
    expect((await h.db.action.findUniqueOrThrow({ where: { id: action.id } })).followUpNote).toBe("Manager has put the nomination forward");
    const again = await h.execute(fx.auditor, press.verb, { ...press.data, [`fu_${action.id}`]: "twice" });
    expect(again.text).toMatch(/Already done/);
    expect((await h.db.action.findUniqueOrThrow({ where: { id: action.id } })).followUpNote).toBe("Manager has put the nomination forward");
    clock.set("2026-12-01T09:00:00Z");
  });

  it("mark done cancels the action's reminders; an open action is reminded and chased at its due date", async () => {
    clock.set("2026-12-01T09:00:00Z");
    const { audit, practitioner } = await fx.makeAudit();
    await h.install(practitioner);
    await h.install(fx.auditor);
    const review = await fillAudit(h, fx.auditor, audit.id, {
      grade: "5",
      actions: [
        { what: "Upload the direct work", who: practitioner.id, when: "2026-12-03", immediate: true },
        { what: "Update the genogram", who: practitioner.id, when: "2026-12-03" },
      ],
    });
    await submitReview(h, fx.auditor, review);
    const [a1, a2] = await h.db.action
      .findMany({ where: { auditId: audit.id }, orderBy: { description: "asc" } })
      .then((xs) => [xs.find((x) => x.description.startsWith("Upload"))!, xs.find((x) => x.description.startsWith("Update"))!]);

    const mine = (await h.say(practitioner, "my actions")).cards[0]!;
    expect(cardText(mine)).toContain("Upload the direct work");
    const r = await h.execute(practitioner, "action.done", { actionId: a1!.id, note: "Uploaded 02/12/26" });
    expect(r.text).toMatch(/Marked done/);
    expect(r.text).toContain(`Done on ${formatDate("2026-12-01")}`);
    expect(cardActions(r.card).some((a) => a.verb === "action.done")).toBe(false);
    expect((await h.db.scheduledJob.findUniqueOrThrow({ where: { key: `action:${a1!.id}:due` } })).status).toBe("cancelled");
    const twice = await h.execute(practitioner, "action.done", { actionId: a1!.id, note: "again" });
    expect(twice.text).toMatch(/Already done/);
    expect(twice.text).toContain(`already marked done on ${formatDate("2026-12-01")}`);
    expect(await h.db.history.count({ where: { entityId: a1!.id, action: "done" } })).toBe(1);
    expect((await h.db.action.findUniqueOrThrow({ where: { id: a1!.id } })).doneNote).toBe("Uploaded 02/12/26");

    await h.drainOutbox();
    const before = h.connector.cardsTo(h.conversationOf(practitioner)).length;
    clock.set("2026-12-03T17:30:00Z");
    await jobs();
    await h.drainOutbox();
    const newCards = h.connector.cardsTo(h.conversationOf(practitioner)).slice(before).map(cardText);
    expect(newCards.some((t) => t.includes("Update the genogram") && t.includes("due and not yet marked done"))).toBe(true);
    expect(newCards.some((t) => t.includes("Upload the direct work"))).toBe(false);
    expect(
      h.connector
        .cardsTo(h.conversationOf(fx.auditor))
        .some((c) => cardText(c).includes("Overdue action") && cardText(c).includes("Update the genogram")),
    ).toBe(true);
    expect(await h.db.scheduledJob.count({ where: { key: { startsWith: `action:${a2!.id}:chase:` }, status: "pending" } })).toBe(1);
    clock.set("2026-12-01T09:00:00Z");
  });

  it("an inadequate audit reaches the worker, TM, SM, HoS, AD and the QA team at once, with 24-hour tasks chased", async () => {
    clock.set("2026-12-01T09:00:00Z");
    const { audit, practitioner, caseRef } = await fx.makeAudit();
    const tm = await h.one("TEAM_MANAGER", "CP");
    const sm = (await h.db.staff.findUniqueOrThrow({ where: { id: tm.lineManagerId! } })) as StaffRef;
    const hos = (await h.db.staff.findUniqueOrThrow({ where: { id: sm.lineManagerId! } })) as StaffRef;
    const ad = (await h.db.staff.findUniqueOrThrow({ where: { id: hos.lineManagerId! } })) as StaffRef;
    const qa = [...(await h.staffWithRole("QA_TEAM")), ...(await h.staffWithRole("HEAD_OF_QA"))].filter(
      (s, i, all) => all.findIndex((x) => x.id === s.id) === i,
    );
    expect(sm.roles).toContain("SERVICE_MANAGER");
    expect(hos.roles).toContain("HEAD_OF_SERVICE");
    expect(ad.roles).toContain("ASSISTANT_DIRECTOR");
    const everyone = [practitioner, tm, sm, hos, ad, ...qa];
    for (const s of everyone) await h.install(s);
    await h.install(fx.auditor);
    const review = await fillAudit(h, fx.auditor, audit.id, {
      grade: "1",
      score: "2",
      actions: [
        { what: "See the child alone and update the safety plan", who: practitioner.id, when: "2026-12-02", immediate: true },
        { what: "Practice observation", who: tm.id, when: "2026-12-20" },
      ],
    });
    const r = await submitReview(h, fx.auditor, review);
    expect(r.text).toMatch(/inadequate/);
    await h.drainOutbox();
    for (const s of everyone) {
      const got = h.connector.cardsTo(h.conversationOf(s)).filter((c) => cardText(c).includes(`Audit graded inadequate: case ${caseRef}`));
      expect(got, s.email).toHaveLength(1);
      expect(cardText(got[0])).toContain("See the child alone and update the safety plan");
    }
    const immediate = await h.db.action.findFirstOrThrow({ where: { auditId: audit.id, immediate: true } });
    expect(immediate.dueAt.getTime()).toBe(clock.now().getTime() + 24 * 3_600_000);
    const other = await h.db.action.findFirstOrThrow({ where: { auditId: audit.id, immediate: false, kind: "action" } });
    expect(other.dueAt.toISOString().slice(0, 10)).toBe("2026-12-20");

    clock.set("2026-12-02T09:00:01Z");
    await jobs();
    await h.drainOutbox();
    const manager = (await h.db.staff.findUniqueOrThrow({ where: { id: practitioner.lineManagerId! } })) as StaffRef;
    await h.install(manager);
    await h.drainOutbox();
    expect(h.connector.cardsTo(h.conversationOf(practitioner)).some((c) => cardText(c).includes("due and not yet marked done"))).toBe(true);
    expect(
      h.connector
        .cardsTo(h.conversationOf(fx.auditor))
        .some((c) => cardText(c).includes("Overdue action") && cardText(c).includes("See the child alone")),
    ).toBe(true);
    expect(h.connector.cardsTo(h.conversationOf(manager)).some((c) => cardText(c).includes("Overdue action"))).toBe(true);
    const hist = await h.db.history.findFirstOrThrow({ where: { entityId: audit.id, action: "inadequate_notified" } });
    expect((hist.after as { recipients: unknown[] }).recipients).toHaveLength(everyone.length);
    clock.set("2026-12-01T09:00:00Z");
  });

  it("a judgement can be taken back with “No judgement”, and Save and close keeps every valid answer as a draft", async () => {
    clock.set("2026-12-01T09:00:00Z");
    const { audit, practitioner } = await fx.makeAudit();
    const draft = async () =>
      ((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).draft as { outcome?: Record<string, string> }).outcome;
    const open = async () => (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card;
    const save = async (nav: string, data: Record<string, string>) =>
      h.execute(fx.auditor, "audit.page.save", { auditId: audit.id, page: "outcome", version: versionOf(await open()), nav, ...data });
    let r = await save("stay", { grade: "6", gradeJudgement: "outstanding" });
    expect(r.text).toMatch(/Draft saved/);
    const choices = (inputOf(r.card, "gradeJudgement")?.choices as { title: string; value: string }[]).map((c) => c.title);
    expect(choices[0]).toMatch(/^No judgement/);
    // A rating out of the judgement's range: refused on Next, and the auditor can clear the judgement.
    r = await save("next", { grade: "4", gradeJudgement: "outstanding" });
    expect(r.text).toMatch(/That judgement needs a rating in its range/);
    expect(r.text).toMatch(/Nothing from this page was saved/);
    const none = (inputOf(r.card, "gradeJudgement")?.choices as { title: string; value: string }[])[0]!.value;
    // Save and close keeps what is valid (the rating, the impact, the action) and says what it did not keep.
    r = await save("close", {
      grade: "4",
      gradeJudgement: "outstanding",
      overallImpact: "Safety plan in place",
      act1_what: "Update the plan",
      act1_who: practitioner.id,
      act1_when: "2026-12-20",
    });
    expect(r.text).toMatch(/Draft saved, except the answer marked below/);
    expect(r.text).toMatch(/That judgement needs a rating in its range/);
    expect(inputOf(r.card, "gradeJudgement")?.value).toBe("outstanding");
    expect(await draft()).toMatchObject({ grade: "4", gradeJudgement: "", overallImpact: "Safety plan in place", act1_when: "2026-12-20" });
    r = await save("next", { grade: "4", gradeJudgement: none, overallImpact: "Safety plan in place" });
    expect(r.text).not.toMatch(/need attention/);
    expect(pageOf(r.card)).toBe("review");
    expect(cardText(r.card)).toMatch(/Requires improvement/i);
    expect(await draft()).toMatchObject({ grade: "4", gradeJudgement: none });
  });

  it("checks action dates when the page is saved: none past, and an inadequate audit's immediate actions within 24 hours", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §1.3 "Inadequate Audits":
    // "Immediate tasks will be actioned within 24 hours".
    clock.set("2026-12-01T09:00:00Z");
    const { audit, practitioner } = await fx.makeAudit();
    const open = async () => (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card;
    const save = async (data: Record<string, string>) =>
      h.execute(fx.auditor, "audit.page.save", {
        auditId: audit.id,
        page: "outcome",
        version: versionOf(await open()),
        nav: "next",
        act1_what: "See the child alone",
        act1_who: practitioner.id,
        ...data,
      });
    const outcome = async () => ((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).draft as { outcome?: unknown }).outcome;
    let r = await save({ grade: "5", act1_when: "2026-11-30" });
    expect(r.text).toMatch(/The date has passed: choose today or later/);
    expect(await outcome()).toBeUndefined();
    r = await save({ grade: "1", act1_when: "2026-12-20", act1_immediate: "true" });
    expect(r.text).toContain("“Immediate tasks will be actioned within 24 hours”");
    expect(r.text).toContain(`choose ${formatDate("2026-12-02")} or earlier`);
    expect(await outcome()).toBeUndefined();
    // Not immediate, or within the 24 hours: saved as chosen.
    r = await save({ grade: "1", act1_when: "2026-12-20", act1_immediate: "false" });
    expect(pageOf(r.card)).toBe("review");
    r = await save({ grade: "1", act1_when: "2026-12-02", act1_immediate: "true" });
    expect(pageOf(r.card)).toBe("review");
  });

  it("an audit is not submitted until “Is the child better off / safer?” and “Did the audit find the child unsafe?” are answered", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, summary and §6: "did we make a
    // difference (is anyone better off - outcomes for children)"; "Is anyone better off (OUTCOMES)?".
    // The framework sets no form rule, so needing both answers is the authority's own default.
    clock.set("2026-12-01T09:00:00Z");
    const { audit, practitioner } = await fx.makeAudit();
    const o = { grade: "4", actions: [{ what: "Update the plan", who: practitioner.id, when: "2026-12-11", immediate: true }] };
    await fillAudit(h, fx.auditor, audit.id, o);
    const outcome = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card;
    expect(cardText(outcome)).toMatch(/Is the child better off \/ safer\? \(the auditor's view\): needed to submit/);
    const save = async (answers: Record<string, string>) =>
      (
        await h.execute(fx.auditor, "audit.page.save", {
          auditId: audit.id,
          page: "outcome",
          version: versionOf((await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card),
          nav: "next",
          ...auditPageAnswers(outcome, "outcome", o),
          ...answers,
        })
      ).card;
    const refused = await submitReview(h, fx.auditor, await save({ childrenBenefit: "", childUnsafe: "" }));
    expect(refused.text).toContain(
      "Answer “Is the child better off / safer? (the auditor's view)” (Grade and actions page): every audit counts in the report's “Is anyone better off?” (the authority's own default).",
    );
    expect(refused.text).toContain("Answer “Did the audit find the child unsafe? (the auditor's view)”");
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).status).not.toBe("submitted");
    const ok = await submitReview(h, fx.auditor, await save({ childrenBenefit: "partly", childUnsafe: "no" }));
    expect(ok.text).toMatch(/Audit submitted/);
    expect(await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).toMatchObject({
      childrenBenefit: "partly",
      childUnsafe: false,
    });
  });

  it("refuses forged card data: other people's audits, actions and staff ids", async () => {
    const { audit, practitioner } = await fx.makeAudit();
    const otherAuditor = await h.one("DEPUTY_TEAM_MANAGER", "LC");
    const open = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card;
    const v = versionOf(open);
    // Someone who may not read the audit is answered as for a missing one; the practitioner, who
    // reads it, is told they may not edit it.
    for (const [who, verb, data, answer] of [
      [otherAuditor, "audit.open", { auditId: audit.id }, /Not found/],
      [otherAuditor, "audit.page.save", { auditId: audit.id, page: "areas-1", version: v, nav: "next", a1_score: "1" }, /Not found/],
      [practitioner, "audit.submit", { auditId: audit.id, version: v }, /Not allowed/],
      [practitioner, "audit.page.save", { auditId: audit.id, page: "areas-1", version: v, nav: "next", a1_score: "10" }, /Not allowed/],
      [otherAuditor, "audit.view", { auditId: audit.id }, /Not found/],
    ] as const) {
      const r = await h.execute(who, verb, data);
      expect(r.text, `${who.email} ${verb}`).toMatch(answer);
    }
    // The practitioner reads the audit of their own work, read-only.
    expect((await h.execute(practitioner, "audit.view", { auditId: audit.id })).text).toContain("Read-only view");
    expect(await h.db.auditAnswer.count({ where: { auditId: audit.id } })).toBe(0);
    // A staff id that is not one of the people on the audit cannot be made an assignee.
    const stranger = await h.one("PRACTITIONER", "LC");
    const forged = await h.execute(fx.auditor, "audit.page.save", {
      auditId: audit.id,
      page: "outcome",
      version: v,
      nav: "next",
      grade: "4",
      act1_what: "x",
      act1_who: stranger.id,
      act1_when: "2026-12-20",
    });
    expect(forged.text).toContain("Choose one of the options shown.");
    expect(((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).draft as Record<string, unknown>).outcome).toBeUndefined();
    // Someone else's action cannot be marked done; to a stranger to its audit it is as if missing.
    const someAction = await h.db.action.findFirstOrThrow({ where: { status: "open" } });
    const r = await h.execute(stranger, "action.done", { actionId: someAction.id });
    expect(r.text).toMatch(/Not found/);
    expect((await h.db.action.findUniqueOrThrow({ where: { id: someAction.id } })).status).toBe("open");
  });

  it("keeps every card well inside 28 KB even with every text field full", async () => {
    const { audit } = await fx.makeAudit();
    let biggest = { page: "", bytes: 0 };
    const sizes: Record<string, number> = {};
    for (const page of pageIds()) {
      const open = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page })).card;
      const data: Record<string, unknown> = { auditId: audit.id, page, version: versionOf(open), nav: "stay" };
      const walk = (n: unknown) => {
        if (!n || typeof n !== "object") return;
        if (Array.isArray(n)) return n.forEach(walk);
        const o = n as Record<string, unknown>;
        if (o.type === "Input.Text" && typeof o.maxLength === "number") data[String(o.id)] = "x".repeat(o.maxLength);
        Object.values(o).forEach(walk);
      };
      walk(open);
      if (page === "health") data.s1_jointWorker = fx.auditor.email; // a member of staff's work email, checked
      if (page.startsWith("feedback-")) data[`${page.slice(9)}-obtained`] = "yes";
      const card = measure((await h.execute(fx.auditor, "audit.page.save", data)).card);
      expect(cardText(card), page).not.toMatch(/need attention/);
      const bytes = cardSizeBytes(card as CardJson);
      sizes[page] = bytes;
      if (bytes > biggest.bytes) biggest = { page, bytes };
    }
    console.log(JSON.stringify({ largestFullPage: biggest, sizes }));
    expect(biggest.bytes).toBeLessThan(CARD_SIZE_LIMIT_BYTES);

    // Text that is not plain ASCII takes more bytes: a page that would not fit one card is refused.
    const { audit: second } = await fx.makeAudit();
    const open = (await h.execute(fx.auditor, "audit.open", { auditId: second.id, page: "areas-2" })).card;
    const data: Record<string, unknown> = { auditId: second.id, page: "areas-2", version: versionOf(open), nav: "next" };
    for (const n of [4, 5, 6]) for (const f of ["strengths", "develop", "impact", "rationale"]) data[`a${n}_${f}`] = "’".repeat(800);
    const r = await h.execute(fx.auditor, "audit.page.save", data);
    expect(r.text).toMatch(/more text than one Teams card can carry/);
    expect(await h.db.auditAnswer.count({ where: { auditId: second.id } })).toBe(0);
  });

  it("works on clients without Universal Actions (Action.Submit fallback)", async () => {
    const { audit } = await fx.makeAudit();
    await h.install(fx.auditor);
    const open = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "areas-1" })).card;
    const r = await h.submit(fx.auditor, {
      verb: "audit.page.save",
      auditId: audit.id,
      page: "areas-1",
      version: versionOf(open),
      nav: "next",
      a1_score: "3",
    });
    expect(r.status).toBe(200);
    const reply = r.activities.map((a) => a.body?.attachments?.[0]?.content).find(Boolean) as Card;
    expect(pageOf(reply)).toBe("areas-2");
    expect((await h.db.auditAnswer.findFirstOrThrow({ where: { auditId: audit.id, area: 1 } })).score).toBe(3);
  });
});

describe("another grade scale (GRADE_SCALE=notyet-good-outstanding, half steps)", () => {
  const h2 = useHarness({ env: { GRADE_SCALE: "notyet-good-outstanding" } });

  it("offers the configured bands and stores 'nearly good' (1.5) without starting the inadequate chain", async () => {
    const f = await setupAuditFixture(h2);
    const { audit, practitioner } = await f.makeAudit();
    const open = (await h2.execute(f.auditor, "audit.open", { auditId: audit.id, page: "outcome" })).card;
    const grade = inputOf(open, "grade") as { choices: { title: string; value: string }[] };
    expect(grade.choices.map((c) => c.title)).toEqual(["Not yet good", "Nearly good", "Good", "Outstanding"]);
    const review = await fillAudit(h2, f.auditor, audit.id, {
      grade: "1.5",
      actions: [{ what: "Update the plan", who: practitioner.id, when: "2026-12-20", immediate: true }],
    });
    const r = await submitReview(h2, f.auditor, review);
    expect(r.text).toContain("1.5 (Nearly good)");
    const done = await h2.db.audit.findUniqueOrThrow({ where: { id: audit.id } });
    expect(done).toMatchObject({ grade: 1.5, gradeBand: "nearly-good", gradeScaleId: "notyet-good-outstanding" });
    expect(await h2.db.history.count({ where: { entityId: audit.id, action: "inadequate_notified" } })).toBe(0);
  });
});
