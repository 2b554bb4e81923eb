// Moderation end to end: the QA team samples submitted audits (created directly here: the audit
// form is another feature), moderators work on one shared card per moderation, grades are agreed
// and approved in Teams, and the follow-up chain runs on a ManualClock with runDueJobs.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { cardSizeBytes, type CardJson } from "../../cards/render";
import { excludedModerators, stratifiedSample } from "../../services/moderation/sampling";
import { rng } from "../../services/random";

const clock = new ManualClock("2026-12-01T09:00:00Z");
let qa: StaffRef, headOfQa: StaffRef, cycleId: string;
let auditorA: StaffRef,
  auditorB: StaffRef,
  cicWorker: StaffRef,
  cpWorker: StaffRef,
  cicTm: StaffRef,
  cicSm: StaffRef,
  callum: StaffRef,
  rosa: StaffRef;
let largestCard = 0;

const staff = async (id: string) => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
/** The latest state of a moderation card in this person's chat (optionally for one case). */
const modCard = (s: StaffRef, caseRef = "") => {
  const c = h.connector
    .cardsTo(h.conversationOf(s))
    .filter((x) => cardText(x).startsWith(`Moderation · case ${caseRef}`))
    .at(-1);
  if (c) largestCard = Math.max(largestCard, cardSizeBytes(c as CardJson));
  return c;
};
const notes = (s: StaffRef, since = 0) => cardText(h.connector.cardsTo(h.conversationOf(s)).slice(since));
const cardCount = (s: StaffRef) => h.connector.cardsTo(h.conversationOf(s)).length;

const BANDS: Record<number, string> = {
  0: "inadequate",
  1: "inadequate",
  2: "inadequate",
  3: "requires-improvement",
  4: "requires-improvement",
  5: "requires-improvement",
  6: "good",
};

/** A submitted audit as the audit feature would leave it: answers for the 19 areas and actions. */
async function makeAudit(o: {
  auditor: StaffRef;
  worker: StaffRef;
  grade: number;
  submittedDaysAgo?: number;
  actions?: number;
  status?: string;
}) {
  const c =
    (await h.db.case.findFirst({ where: { workerId: o.worker.id, audits: { none: {} } }, orderBy: { caseRef: "asc" } })) ??
    (await h.db.case.findFirstOrThrow({ where: { workerId: o.worker.id } }));
  const submittedAt = new Date(clock.now().getTime() - (o.submittedDaysAgo ?? 10) * 86_400_000);
  const audit = await h.db.audit.create({
    data: {
      cycleId,
      caseId: c.id,
      auditorId: o.auditor.id,
      practitionerId: o.worker.id,
      managerId: o.worker.lineManagerId,
      teamId: o.worker.teamId!,
      status: o.status ?? "submitted",
      dueDate: submittedAt,
      gradeScaleId: "collaborative-0-6",
      grade: o.grade,
      gradeBand: BANDS[o.grade],
      submittedAt,
      answers: { create: Array.from({ length: 19 }, (_, i) => ({ area: i + 1, score: 6, rationale: "Evidence on file" })) },
    },
  });
  for (let i = 0; i < (o.actions ?? 1); i++)
    await h.db.action.create({
      data: {
        auditId: audit.id,
        assigneeId: o.worker.id,
        createdById: o.auditor.id,
        description: `Update the chronology (${i + 1})`,
        dueAt: submittedAt,
      },
    });
  return audit;
}

/** The QA officer samples everything eligible (100%): exactly the audits made since the last sample. */
async function sampleAll() {
  const r = await h.execute(qa, "moderation.sample", { percent: "100", returnDays: "10" });
  await h.drainOutbox();
  return r;
}

/** Turns the moderator's card to its last page, where the audit's actions are asked about. */
async function lastPage(s: StaffRef, card: unknown) {
  const save = cardActions(card).find((a) => a.verb === "moderation.save");
  if (!save) throw new Error("no moderation form on this card");
  return h.execute(s, "moderation.page", { id: save.data.id, goTo: "4" });
}

/** Every answer of the moderator's form at once (the service keeps whatever earlier pages saved). */
async function formFor(
  s: StaffRef,
  card: unknown,
  decision: "agree" | "disagree",
  opts: { proposed?: string; actions?: "yes" | "no" } = {},
) {
  const save = cardActions(card).find((a) => a.verb === "moderation.save");
  if (!save) throw new Error("no moderation form on this card");
  const last = await lastPage(s, card);
  const data: Record<string, unknown> = {
    id: save.data.id,
    feedbackGood: "Clear analysis of risk.",
    feedbackDevelop: "Chronology needs updating.",
    decision,
  };
  for (let i = 1; i <= 19; i++) data[`area_${i}`] = i === 17 ? "4" : "6";
  for (const m of JSON.stringify(last.card).matchAll(/"id":"(action_[0-9a-f-]+)"/g)) data[m[1]!] = opts.actions ?? "yes";
  if (opts.proposed) data.proposed = opts.proposed;
  data.new1_what = "Share the updated plan with the family";
  data.new1_days = "5";
  return data;
}

const h = useHarness({ clock }, async () => {
  ({
    qa,
    headOfQa,
    dtmAi1: auditorA,
    dtmAi2: auditorB,
    cicWorker,
    cpWorker,
    tmCic: cicTm,
    smCic: cicSm,
    smAi: callum,
    hosCp: rosa,
  } = await h.people());
  cycleId = (await h.db.auditCycle.create({ data: { month: "2026-11", target: 30, seed: "t", gradeScaleId: "collaborative-0-6" } })).id;
  for (const s of await h.db.staff.findMany()) if (s.aadObjectId) await h.install(s as StaffRef);
});
afterAll(() => {
  console.log(`moderation: largest card seen ${largestCard} bytes`);
});

describe("moderation", () => {
  it("stratified sampling keeps every stratum's share", () => {
    const items = [...Array(10).fill("a|good"), ...Array(10).fill("a|ri"), ...Array(20).fill("b|good")].map((k, i) => ({ k, i }));
    const s = stratifiedSample(items, (x) => x.k, 0.1, rng("x"));
    expect(s).toHaveLength(4);
    expect(s.filter((x) => x.k === "a|good")).toHaveLength(1);
    expect(s.filter((x) => x.k === "a|ri")).toHaveLength(1);
    expect(s.filter((x) => x.k === "b|good")).toHaveLength(2);
  });

  it("QA samples completed audits of the last 6 months by auditor and grade, never to someone who audited or manages the case", async () => {
    for (const auditor of [auditorA, auditorB])
      for (const grade of [6, 4]) for (let i = 0; i < 2; i++) await makeAudit({ auditor, worker: i ? cicWorker : cpWorker, grade });
    const old = await makeAudit({ auditor: auditorA, worker: cicWorker, grade: 6, submittedDaysAgo: 200 });
    const notDone = await makeAudit({ auditor: auditorA, worker: cicWorker, grade: 6, status: "in_progress" });
    const start = await h.say(qa, "moderate");
    expect(cardText(start.cards[0])).toMatch(/Audits eligible\n8/);
    const r = await h.execute(qa, "moderation.sample", { percent: "50", returnDays: "10" });
    expect(r.text).toMatch(/Sampled 4 of 8 audits/);
    // Each moderator's count is under a heading that says what it counts.
    expect(r.text).toMatch(/Moderations sent to each moderator\n[^\n]+\n\d/);
    const mods = await h.db.moderation.findMany({ include: { audit: true } });
    expect(mods).toHaveLength(4);
    const strata = new Set(mods.map((m) => `${m.audit.auditorId}|${m.audit.gradeBand}`));
    expect(strata.size).toBe(4);
    for (const m of mods) {
      const excluded = await excludedModerators(h.db, m.audit);
      expect(excluded.has(m.moderatorId)).toBe(false);
      expect(m.moderatorId).not.toBe(m.audit.auditorId);
    }
    expect(mods.some((m) => m.auditId === old.id || m.auditId === notDone.id)).toBe(false);
    // a practitioner cannot sample
    const denied = await h.say(cicWorker, "moderate");
    expect(cardText(denied.cards[0])).toMatch(/Not allowed/);
    await h.drainOutbox();
    const first = mods[0]!;
    const card = modCard(await staff(first.moderatorId));
    expect(cardText(card)).toMatch(/Page 1 of 4: Re-scale areas 1–7/);
    expect(cardActions(card).map((a) => a.verb)).toEqual(expect.arrayContaining(["moderation.page", "moderation.save"]));
    // the rest go too, so later tests control their own audits
    await sampleAll();
    expect(await h.db.moderation.count()).toBe(8);
  });

  it("agree: the audit is finalised and the worker and manager are told", async () => {
    const audit = await makeAudit({ auditor: auditorA, worker: cicWorker, grade: 6 });
    await sampleAll();
    const m = await h.db.moderation.findFirstOrThrow({ where: { auditId: audit.id } });
    const moderator = await staff(m.moderatorId);
    const card = modCard(moderator, (await h.db.case.findUniqueOrThrow({ where: { id: audit.caseId } })).caseRef);
    // a half-filled form is kept as a draft
    const draft = await h.execute(moderator, "moderation.save", { id: m.id, page: "4", feedbackGood: "Half written" });
    expect(draft.text).toMatch(/Draft saved/);
    expect(draft.text).toContain("Half written");
    // incomplete submission: told what is missing, values kept
    const bad = await h.execute(moderator, "moderation.submit", { id: m.id, page: "4", feedbackGood: "Half written", decision: "agree" });
    expect(bad.text).toMatch(/Areas to develop|feedbackDevelop/);
    expect(bad.text).toContain("Half written");
    // Each problem names its question as the form shows it, never a field's id, and sits next to its field.
    const messages = bad.text.slice(0, bad.text.indexOf("Page 4 of 4"));
    expect(messages).toMatch(/Some answers need attention/);
    expect(messages).not.toMatch(/action_|feedbackDevelop|[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(bad.text).toMatch(/Action 1 \(.+\): Say whether this action was completed\./);
    expect(bad.text).toContain("Areas to develop: Record the areas to develop.");
    const nextTo = (card: unknown, id: string) => {
      let after: string | undefined;
      const walk = (n: unknown): void => {
        if (Array.isArray(n)) {
          n.forEach((x, i) => {
            if (x && typeof x === "object" && (x as { id?: string }).id === id) after = (n[i + 1] as { text?: string } | undefined)?.text;
            walk(x);
          });
        } else if (n && typeof n === "object") Object.values(n).forEach(walk);
      };
      walk(card);
      return after;
    };
    const actionInput = JSON.stringify(bad.card).match(/"id":"(action_[0-9a-f-]+)"/)![1]!;
    expect(nextTo(bad.card, actionInput)).toBe("Say whether this action was completed.");
    expect(nextTo(bad.card, "feedbackDevelop")).toBe("Record the areas to develop.");
    expect(JSON.stringify(bad.card)).toContain(`"label":"Action 1: `);
    expect((await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } })).status).toBe("allocated");
    const before = { w: cardCount(cicWorker), tm: cardCount(cicTm) };
    const ok = await h.execute(moderator, "moderation.submit", await formFor(moderator, card, "agree"));
    expect(ok.text).toMatch(/moderator agreed the grade/);
    const a = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } });
    expect(a.status).toBe("finalised");
    expect(a.finalisedAt).not.toBeNull();
    expect(a.grade).toBe(6);
    expect(a.moderatedGrade).toBe(6);
    expect(await h.db.action.count({ where: { moderationId: m.id } })).toBe(1);
    await h.drainOutbox();
    expect(notes(cicWorker, before.w)).toMatch(/Moderation finalised the audit: moderation agreed the grade/);
    expect(notes(cicTm, before.tm)).toMatch(/Moderation finalised the audit: moderation agreed the grade/);
    // pressing submit again: already done, nothing changes
    const again = await h.execute(
      moderator,
      "moderation.submit",
      await formFor(moderator, card, "disagree", { proposed: "4|requires-improvement" }),
    );
    expect(again.text).toMatch(/already been submitted/);
    expect((await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } })).agree).toBe(true);
  });

  it("the form is paged (areas in pages of 7, then the judgement); each page saves the draft and shows it again", async () => {
    const audit = await makeAudit({ auditor: auditorA, worker: cpWorker, grade: 6 });
    await sampleAll();
    const m = await h.db.moderation.findFirstOrThrow({ where: { auditId: audit.id } });
    const moderator = await staff(m.moderatorId);
    const caseRef = (await h.db.case.findUniqueOrThrow({ where: { id: audit.caseId } })).caseRef;
    const inputs = (card: unknown) => {
      const out = new Map<string, { type: string; value?: unknown }>();
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach(walk);
        else if (x && typeof x === "object") {
          const o = x as Record<string, unknown>;
          if (typeof o.type === "string" && o.type.startsWith("Input.") && typeof o.id === "string")
            out.set(o.id, { type: o.type, value: o.value });
          Object.values(o).forEach(walk);
        }
      };
      walk(card);
      return out;
    };
    const first = modCard(moderator, caseRef);
    const p1 = inputs(first);
    // one page holds 7 areas, each a 0–10 dropdown; nothing else is asked yet
    expect([...p1.keys()].filter((k) => k.startsWith("area_"))).toEqual([
      "area_1",
      "area_2",
      "area_3",
      "area_4",
      "area_5",
      "area_6",
      "area_7",
    ]);
    expect([...p1.entries()].every(([k, i]) => !k.startsWith("area_") || i.type === "Input.ChoiceSet")).toBe(true);
    expect(p1.has("feedbackGood")).toBe(false);
    expect(cardActions(first).map((a) => a.verb)).not.toContain("moderation.submit");
    // Teams sends every input of the page, so the pre-filled (unchanged) scores come back too.
    const asShown = (card: unknown) =>
      Object.fromEntries([...inputs(card).entries()].filter(([k]) => k.startsWith("area_")).map(([k, i]) => [k, String(i.value)]));
    expect(asShown(first).area_1).toBe("6");
    // Next saves this page's scores and shows areas 8–14
    const p2 = await h.execute(moderator, "moderation.page", { id: m.id, page: "1", goTo: "2", ...asShown(first), area_2: "3" });
    expect(p2.text).toMatch(/Page 2 of 4: Re-scale areas 8–14/);
    expect([...inputs(p2.card).keys()][0]).toBe("area_8");
    const p4 = await h.execute(moderator, "moderation.page", { id: m.id, page: "2", goTo: "4", ...asShown(p2.card), area_9: "2" });
    expect(p4.text).toMatch(/Page 4 of 4: Feedback, actions and your judgement/);
    expect(cardActions(p4.card).map((a) => a.verb)).toContain("moderation.submit");
    // the saved draft shows on every page it belongs to
    const back = await h.execute(moderator, "moderation.page", { id: m.id, page: "4", goTo: "1", feedbackGood: "Noted on the last page" });
    expect(inputs(back.card).get("area_2")?.value).toBe("3");
    expect(inputs(back.card).get("area_1")?.value).toBe("6"); // the auditor's score until re-scaled
    expect(inputs((await h.execute(moderator, "moderation.refresh", { id: m.id })).card).get("area_2")?.value).toBe("3");
    const again = await h.execute(moderator, "moderation.page", { id: m.id, page: "1", goTo: "2" });
    expect(inputs(again.card).get("area_9")?.value).toBe("2");
    const last = await h.execute(moderator, "moderation.page", { id: m.id, page: "2", goTo: "4" });
    expect(inputs(last.card).get("feedbackGood")?.value).toBe("Noted on the last page");
    // submitting from the last page keeps the scores the earlier pages saved
    const ok = await h.execute(moderator, "moderation.submit", {
      id: m.id,
      page: "4",
      feedbackGood: "Noted on the last page",
      feedbackDevelop: "More direct work",
      decision: "agree",
      ...Object.fromEntries([...inputs(last.card).keys()].filter((k) => k.startsWith("action_")).map((k) => [k, "yes"])),
    });
    expect(ok.text).toMatch(/moderator agreed the grade/);
    // Only the areas whose score the moderator changed are re-scaled, not every pre-filled one.
    const done = await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } });
    expect(done.rescale).toEqual({ "2": 3, "9": 2 });
    const summary = cardText((await h.execute(moderator, "moderation.refresh", { id: m.id })).card);
    expect(summary).toContain("Area 2: 6 → 3, Area 9: 6 → 2");
    expect(summary).not.toMatch(/\b1: 6\b/);
  });

  it("overdue → chased → reassigned (history kept); disagree → agreed grade → manager approval; two approvers at once: one wins", async () => {
    const audit = await makeAudit({ auditor: auditorB, worker: cicWorker, grade: 6 });
    await sampleAll();
    const m = await h.db.moderation.findFirstOrThrow({ where: { auditId: audit.id } });
    const first = await staff(m.moderatorId);
    clock.set(new Date(m.returnDate.getTime() + 86_400_000 + 10 * 3_600_000)); // 10:00 the day after the return date
    const beforeChase = cardCount(first);
    expect((await h.runJobs()).failed).toBe(0);
    await h.drainOutbox();
    expect(notes(first, beforeChase)).toMatch(/Moderation overdue/);
    const caseRef = (await h.db.case.findUniqueOrThrow({ where: { id: audit.caseId } })).caseRef;
    const qaCard = modCard(qa, caseRef);
    expect(cardActions(qaCard).map((a) => a.verb)).toContain("moderation.reassign");
    // reassign to a service manager outside the case's chain (so their manager and the Head of QA both approve)
    const target = first.id === callum.id ? rosa : callum;
    const lineManager = await staff(target.lineManagerId!);
    expect(cardText(qaCard)).toContain(target.name);
    const re = await h.execute(qa, "moderation.reassign", { id: m.id, moderatorId: target.id });
    expect(re.text).toContain(`With ${target.name}`);
    await h.drainOutbox();
    expect(cardText(modCard(first, caseRef))).toContain(target.name);
    expect(cardActions(modCard(first, caseRef)).map((a) => a.verb)).not.toContain("moderation.submit");
    const hist = await h.db.history.findMany({ where: { entityType: "moderation", entityId: m.id }, orderBy: { id: "asc" } });
    expect(hist.map((x) => x.action)).toEqual(["allocated", "chased", "reassigned"]);
    expect((hist[2]!.before as { moderatorId: string }).moderatorId).toBe(first.id);

    // the new moderator disagrees: Good (6) → proposes 4
    const sub = await h.execute(
      target,
      "moderation.submit",
      await formFor(target, modCard(target, caseRef), "disagree", { proposed: "4|requires-improvement" }),
    );
    expect(sub.text).toContain(`${target.name} proposes Requires Improvement (4)`);
    await h.drainOutbox();
    const auditorCard = modCard(auditorB, caseRef);
    expect(cardActions(auditorCard).map((a) => a.verb)).toEqual(
      expect.arrayContaining(["moderation.acceptGrade", "moderation.proposeGrade"]),
    );
    expect(cardActions(modCard(target, caseRef)).map((a) => a.verb)).not.toContain("moderation.acceptGrade");
    // the proposer cannot accept their own proposal
    const self = await h.execute(target, "moderation.acceptGrade", { id: m.id });
    expect(self.text).toMatch(/You proposed this grade/);
    // the auditor counter-proposes 5; the moderator accepts
    await h.execute(auditorB, "moderation.proposeGrade", { id: m.id, grade: "5|requires-improvement" });
    await h.drainOutbox();
    // a stale accept from the auditor's old card (proposal changed) is refused
    const staleV = cardActions(auditorCard).find((a) => a.verb === "moderation.acceptGrade")!.data.v;
    const stale = await h.execute(auditorB, "moderation.acceptGrade", { id: m.id, v: staleV });
    expect(stale.text).toMatch(/You proposed this grade|changed since/);
    const accV = cardActions(modCard(target, caseRef)).find((a) => a.verb === "moderation.acceptGrade")!.data.v;
    const acc = await h.execute(target, "moderation.acceptGrade", { id: m.id, v: accV });
    expect(acc.text).toMatch(/Agreed grade Requires Improvement \(5\): waiting for approval/);
    await h.drainOutbox();
    expect(cardActions(modCard(lineManager, caseRef)).map((a) => a.verb)).toContain("moderation.approve");
    expect(cardActions(modCard(headOfQa, caseRef)).map((a) => a.verb)).toContain("moderation.approve");
    // pressing approve: the auditor, who agreed the grade, is told it is not theirs to approve; the
    // practitioner, who plays no part in the moderation, gets the very answer of a moderation that
    // does not exist (nothing tells them this one does); nothing changes
    const v0 = (await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } })).version;
    const notApprover = await h.execute(auditorB, "moderation.approve", { id: m.id, approve: true });
    expect(notApprover.text).toMatch(/Not allowed/);
    expect(notApprover.text).toContain("Only the moderator's manager (or the Head of QA) approves");
    const nope = await h.execute(cicWorker, "moderation.approve", { id: m.id, approve: true });
    expect(nope.text).toMatch(/Not found/);
    expect(nope.text).toBe((await h.execute(cicWorker, "moderation.approve", { id: randomUUID(), approve: true })).text);
    expect((await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } })).version).toBe(v0);

    // Send back asks for a reason (required), and the auditor and the moderator are told it, with a
    // button to the moderation card to agree the grade again.
    const sendBack = JSON.stringify(modCard(lineManager, caseRef));
    expect(sendBack).toMatch(/"id":"reason"[^}]*"isRequired":true/);
    const noReason = await h.execute(lineManager, "moderation.approve", { id: m.id, approve: false, reason: "  " });
    expect(noReason.text).toMatch(/Say why you are sending the agreed grade back/);
    // A refusal names no field by its id.
    expect(noReason.text).not.toMatch(/\breason:/);
    const missing = await h.execute(lineManager, "moderation.approve", { id: m.id, approve: false });
    expect(missing.text).toMatch(/Say why you are sending the agreed grade back/);
    expect(missing.text).not.toMatch(/\breason:/);
    expect((await h.db.moderation.findUniqueOrThrow({ where: { id: m.id } })).version).toBe(v0);
    const seen = { auditor: cardCount(auditorB), moderator: cardCount(target) };
    const reason = "The *chronology* shows risk_not_weighed: agree again";
    const back = await h.execute(lineManager, "moderation.approve", { id: m.id, approve: false, reason });
    expect(back.text).toMatch(/proposes|disagrees/);
    await h.drainOutbox();
    for (const [who, since] of [
      [auditorB, seen.auditor],
      [target, seen.moderator],
    ] as const) {
      const note = h.connector
        .cardsTo(h.conversationOf(who))
        .slice(since)
        .find((c) => cardText(c).includes("agreed grade not approved"));
      expect(cardText(note)).toContain(`${lineManager.name} sent the agreed grade back: ${reason}.`);
      // Typed by the manager: shown literally, never as markup.
      expect(JSON.stringify(note)).toContain("The \\\\*chronology\\\\*");
      const open = cardActions(note).find((a) => a.verb === "moderation.refresh");
      expect(open?.data).toEqual({ id: m.id });
      const opened = await h.execute(who, "moderation.refresh", open!.data);
      expect(cardActions(opened.card).map((a) => a.verb)).toContain("moderation.proposeGrade");
      // The card they agree the grade on again says why it came back.
      expect(opened.text).toContain(`${lineManager.name} sent the agreed grade back: ${reason}`);
      expect(JSON.stringify(opened.card)).toContain("The \\\\*chronology\\\\*");
    }
    const sentBack = await h.db.history.findFirstOrThrow({
      where: { entityType: "moderation", entityId: m.id, action: "grade_not_approved" },
    });
    expect((sentBack.after as { reason: string }).reason).toBe(reason);
    // agreed again: the auditor proposes 5, the moderator accepts
    await h.execute(auditorB, "moderation.proposeGrade", { id: m.id, grade: "5|requires-improvement" });
    await h.drainOutbox();
    const againV = cardActions(modCard(target, caseRef)).find((a) => a.verb === "moderation.acceptGrade")!.data.v;
    expect((await h.execute(target, "moderation.acceptGrade", { id: m.id, v: againV })).text).toMatch(/waiting for approval/);
    await h.drainOutbox();

    const [x, y] = await Promise.all([
      h.execute(lineManager, "moderation.approve", { id: m.id, approve: true }),
      h.execute(headOfQa, "moderation.approve", { id: m.id, approve: true }),
    ]);
    const wins = [x, y].filter((r) => /moderated down from Good to Requires Improvement/.test(r.text));
    const told = [x, y].filter((r) => /Someone else got there first|already been approved/.test(r.text));
    expect(wins).toHaveLength(1);
    expect(told).toHaveLength(1);
    const a = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } });
    expect([a.grade, a.gradeBand, a.moderatedGrade, a.moderatedBand, a.status]).toEqual([
      6,
      "good",
      5,
      "requires-improvement",
      "finalised",
    ]);
    const auditHist = await h.db.history.findMany({ where: { entityType: "audit", entityId: audit.id, action: "moderated" } });
    expect(auditHist).toHaveLength(1);
    expect((auditHist[0]!.after as { text: string }).text).toBe("moderated down from Good to Requires Improvement");
    expect(await h.db.history.count({ where: { entityType: "moderation", entityId: m.id, action: "grade_approved" } })).toBe(1);
    await h.drainOutbox();
    // everyone's copy of the one card now shows the outcome
    for (const s of [target, auditorB, lineManager, headOfQa])
      expect(cardText(modCard(s, caseRef))).toMatch(/moderated down from Good to Requires Improvement/);
  });

  it("inadequate moderation with actions outstanding: worker, TM and SM get 24-hour tasks, Head of QA told, then chased", async () => {
    const audit = await makeAudit({ auditor: auditorA, worker: cicWorker, grade: 3, actions: 2 });
    await sampleAll();
    const m = await h.db.moderation.findFirstOrThrow({ where: { auditId: audit.id } });
    const moderator = await staff(m.moderatorId);
    const caseRef = (await h.db.case.findUniqueOrThrow({ where: { id: audit.caseId } })).caseRef;
    const marks = { w: cardCount(cicWorker), tm: cardCount(cicTm), sm: cardCount(cicSm), hq: cardCount(headOfQa) };
    await h.execute(
      moderator,
      "moderation.submit",
      await formFor(moderator, modCard(moderator, caseRef), "disagree", { proposed: "2|inadequate", actions: "no" }),
    );
    await h.drainOutbox();
    const v = cardActions(modCard(auditorA, caseRef)).find((a) => a.verb === "moderation.acceptGrade")!.data.v;
    await h.execute(auditorA, "moderation.acceptGrade", { id: m.id, v });
    await h.drainOutbox();
    const approver = (await h.db.staff.findUniqueOrThrow({ where: { id: moderator.id } })).lineManagerId!;
    const ap = await h.execute(await staff(approver), "moderation.approve", { id: m.id, approve: true });
    expect(ap.text).toMatch(/moderated down from Requires Improvement to Inadequate/);
    await h.drainOutbox();
    for (const [s, since] of [
      [cicWorker, marks.w],
      [cicTm, marks.tm],
      [cicSm, marks.sm],
    ] as const) {
      expect(notes(s, since)).toMatch(/tasks due within 24 hours/);
      expect(notes(s, since)).toMatch(/Update the chronology/);
    }
    expect(notes(headOfQa, marks.hq)).toMatch(/Moderation graded inadequate/);
    const task = await h.db.action.findFirstOrThrow({ where: { moderationId: m.id, immediate: true } });
    expect(task.dueAt.getTime() - clock.now().getTime()).toBe(24 * 3_600_000);
    // 25 hours later, still not done → chased
    const chase = { w: cardCount(cicWorker), tm: cardCount(cicTm) };
    clock.advance(25 * 3_600_000);
    await h.runJobs();
    await h.drainOutbox();
    expect(notes(cicWorker, chase.w)).toMatch(/Overdue: immediate tasks/);
    expect(notes(cicTm, chase.tm)).toMatch(/Overdue: immediate tasks/);
  });
});
