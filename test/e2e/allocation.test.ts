// Steps 1–2 of the collaborative case audit, end to end: the QA team allocates a month by command
// and card; cards reach auditor, practitioner and manager; the auditor accepts or swaps (with a
// reason); the practitioner drafts, resumes and submits the self-assessment. Real activities to
// /api/messages, replies read from the fake Bot Connector, state from the real database.
import { afterAll, describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, inputOf, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { runDueJobs } from "../../services/jobs";
import { buildJobHandlers } from "../../services/jobHandlers";
import { AUDITOR_ROLES, allocateMonth, declinesForCycle } from "../../services/audit/allocation";
import { selfAssessmentFor } from "../../services/audit/selfAssessment";
import { whatWaitsOn } from "../../services/home/waiting";
import { loadFormTemplate } from "../../services/forms/templateSchema";
import { cardSizeBytes, type CardJson } from "../../cards/render";
import { NotFound } from "../../services/errors";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday, in working hours
let qa: StaffRef;
let largestCard = 0;

const staff = async (id: string): Promise<StaffRef> => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
const auditsOf = (month: string) =>
  h.db.audit.findMany({ where: { cycle: { month } }, include: { case: true }, orderBy: { case: { caseRef: "asc" } } });
const track = (card: Record<string, unknown>) => {
  largestCard = Math.max(largestCard, cardSizeBytes(card as CardJson));
  return card;
};
const updatesTo = (s: StaffRef) => h.connector.sentTo(h.conversationOf(s)).filter((a) => a.kind === "update");
const lastCardOfKind = (s: StaffRef, needle: RegExp) =>
  h.connector
    .cardsTo(h.conversationOf(s))
    .map(track)
    .filter((c) => needle.test(cardText(c)))
    .at(-1);

const h = useHarness({ clock }, async () => {
  qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
});
afterAll(() => {
  console.log(`allocation e2e: largest card ${largestCard} bytes`);
});

describe("allocation by the QA team", () => {
  it("refuses people outside the QA team, storing nothing", async () => {
    const worker = await h.one("PRACTITIONER", "CP");
    const { cards } = await h.say(worker, "allocate");
    expect(cardText(cards[0])).toMatch(/Not allowed/);
    const forged = await h.execute(worker, "audit.allocate.run", { month: "2026-12", target: "30", seed: "x" });
    expect(forged.text).toMatch(/Not allowed/);
    expect(await h.db.auditCycle.count()).toBe(0);
  });

  it("shows the allocate card, re-shows it with the error and the input kept", async () => {
    const { cards } = await h.say(qa, "allocate");
    const form = track(cards[0]!);
    expect(cardText(form)).toMatch(/Allocate case audits/);
    expect(cardText(form)).toMatch(/December 2026/);
    expect(cardActions(form).map((a) => a.verb)).toEqual(["audit.allocate.preview", "audit.allocate.run"]);
    const bad = await h.execute(qa, "audit.allocate.run", { month: "2026-12", theme: "none", target: "0", seed: "kept-seed" });
    expect(bad.text).toMatch(/At least 1 audit/);
    expect(JSON.stringify(bad.card)).toContain("kept-seed");
    expect(inputOf(bad.card, "target")?.value).toBe(0); // the typed target, as the number box shows it
    expect(await h.db.auditCycle.count()).toBe(0);
  });

  it("a target that is not a number gets a plain message, not the validator's", async () => {
    const bad = await h.execute(qa, "audit.allocate.preview", { month: "2026-12", theme: "none", target: "abc", seed: "" });
    expect(bad.text).toMatch(/The target is a whole number of audits, from 1 to 1000/);
    expect(bad.text).not.toMatch(/NaN|expected number/);
  });

  it("previews reproducibly with a seed, then allocates exactly the preview", async () => {
    const preview = await h.execute(qa, "audit.allocate.preview", { month: "2026-12", theme: "none", target: "30", seed: "e2e-seed" });
    expect(preview.text).toMatch(/Preview: 2026-12/);
    const again = await h.execute(qa, "audit.allocate.preview", { month: "2026-12", theme: "none", target: "30", seed: "e2e-seed" });
    const other = await h.execute(qa, "audit.allocate.preview", { month: "2026-12", theme: "none", target: "30", seed: "another" });
    const rows = (t: string) => t.split("\n").filter((l) => /^LL\d+$/.test(l) || /→/.test(l));
    expect(rows(preview.text)).toHaveLength(60); // 30 case refs and 30 "→ auditor" lines
    expect(rows(again.text)).toEqual(rows(preview.text));
    expect(rows(other.text)).not.toEqual(rows(preview.text));
    expect(await h.db.audit.count()).toBe(0);

    const button = cardActions(preview.card).find((a) => a.verb === "audit.allocate.run")!;
    const run = await h.execute(qa, button.verb, button.data);
    track(run.card);
    expect(run.text).toMatch(/Allocated: 2026-12/);
    expect(rows(run.text)).toEqual(rows(preview.text));
    const cycle = await h.db.auditCycle.findUniqueOrThrow({ where: { month_theme: { month: "2026-12", theme: "" } } });
    expect(cycle.seed).toBe("e2e-seed");
    expect(cycle.createdById).toBe(qa.id);
    expect(await h.db.audit.count({ where: { cycleId: cycle.id } })).toBe(30);
  });

  it("holds the rules: another team, Deputy TM and above, even spread, stratified, people and history right", async () => {
    const audits = await auditsOf("2026-12");
    expect(audits).toHaveLength(30);
    const auditors = await h.db.staff.findMany({ where: { active: true, roles: { hasSome: AUDITOR_ROLES } } });
    expect(auditors.length).toBe(19);
    const byId = new Map(auditors.map((a) => [a.id, a]));
    for (const a of audits) {
      const auditor = byId.get(a.auditorId);
      expect(auditor, "auditor is Deputy TM or above").toBeDefined();
      expect(auditor!.teamId).not.toBe(a.case.teamId);
      expect(a.practitionerId).toBe(a.case.workerId);
      const worker = await staff(a.practitionerId);
      expect(a.managerId).toBe(worker.lineManagerId);
      expect(a.teamId).toBe(a.case.teamId);
      expect(a.status).toBe("allocated");
      expect(a.dueDate.toISOString().slice(0, 10)).toBe("2026-12-31");
    }
    const load = new Map(auditors.map((a) => [a.id, 0]));
    for (const a of audits) load.set(a.auditorId, load.get(a.auditorId)! + 1);
    expect(Math.max(...load.values()) - Math.min(...load.values())).toBeLessThanOrEqual(1);

    // Strata: plan type × service area, proportional (±1) and at least one each.
    const all = await h.db.case.findMany({ include: { team: true } });
    const pool = new Map<string, number>();
    for (const c of all) pool.set(`${c.planType}|${c.team.serviceArea}`, (pool.get(`${c.planType}|${c.team.serviceArea}`) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const a of audits) {
      const c = all.find((x) => x.id === a.caseId)!;
      got.set(`${c.planType}|${c.team.serviceArea}`, (got.get(`${c.planType}|${c.team.serviceArea}`) ?? 0) + 1);
    }
    expect(pool.size).toBe(10);
    for (const [key, n] of pool) {
      expect(got.get(key) ?? 0, key).toBeGreaterThanOrEqual(1);
      expect(Math.abs((got.get(key) ?? 0) - (30 * n) / 300), key).toBeLessThanOrEqual(1);
    }
    const history = await h.db.history.findMany({ where: { entityType: "audit", action: "allocated" } });
    expect(new Set(history.map((r) => r.entityId))).toEqual(new Set(audits.map((a) => a.id)));
    expect(await h.db.history.count({ where: { entityType: "audit_cycle", action: "allocated" } })).toBe(1);
    expect(await h.db.selfAssessment.count()).toBe(30);
  });

  it("does not allocate twice for the same month and theme", async () => {
    const outboxBefore = await h.db.outboxMessage.count();
    const again = await h.execute(qa, "audit.allocate.run", { month: "2026-12", theme: "none", target: "30", seed: "different" });
    expect(again.text).toMatch(/Already allocated/);
    expect(again.text).toMatch(/e2e-seed/);
    expect(await h.db.audit.count()).toBe(30);
    expect(await h.db.outboxMessage.count()).toBe(outboxBefore);
  });

  // Needs a real PostgreSQL server: PGlite's clients share one backend, so transactions cannot race.
  it.skipIf(!process.env.TEST_DATABASE_URL)("two runs at once for the same month and theme allocate once", async () => {
    const ctx = h.service.ctx;
    const [a, b] = await Promise.all([
      allocateMonth(ctx, null, { month: "2028-06", theme: "assessment", target: 10, seed: "race-1" }),
      allocateMonth(ctx, null, { month: "2028-06", theme: "assessment", target: 10, seed: "race-2" }),
    ]);
    expect([a.alreadyAllocated, b.alreadyAllocated].sort()).toEqual([false, true]);
    expect(a.cycleId).toBe(b.cycleId);
    expect(await h.db.audit.count({ where: { cycle: { month: "2028-06" } } })).toBe(10);
  });

  it("leaves out cases audited within the repeat window, and a theme narrows the sample", async () => {
    const dec = new Set((await auditsOf("2026-12")).map((a) => a.case.caseRef));
    const preview = await h.execute(qa, "audit.allocate.preview", { month: "2027-01", theme: "none", target: "300", seed: "jan" });
    expect(preview.text).toMatch(/270 eligible cases \(30 left out: audited recently\)/);
    const s = await allocateMonth(h.service.ctx, null, { month: "2027-01", target: 300, seed: "jan", dryRun: true });
    expect(s.allocations).toHaveLength(270);
    expect(s.allocations.filter((r) => dec.has(r.caseRef))).toHaveLength(0);
    // Seven months later the window (6 months) has passed.
    const later = await allocateMonth(h.service.ctx, null, { month: "2027-07", target: 300, seed: "jul", dryRun: true });
    expect(later.allocations).toHaveLength(300);

    const themed = await h.execute(qa, "audit.allocate.preview", { month: "2027-01", theme: "childrens-plans", target: "20", seed: "t" });
    expect(themed.text).toMatch(/Children’s plans/);
    const t = await allocateMonth(h.service.ctx, null, {
      month: "2027-01",
      theme: "children's plans",
      target: 20,
      seed: "t",
      dryRun: true,
    });
    expect(t.allocations).toHaveLength(20);
    expect(new Set(t.allocations.map((r) => r.planType))).toEqual(new Set(["CHILD_IN_NEED", "CHILD_PROTECTION", "CHILD_LOOKED_AFTER"]));
  });
});

describe("cards reach auditor, practitioner and manager", () => {
  it("sends the allocation card, the notices and the self-assessment", async () => {
    const audit = (await auditsOf("2026-12"))[0]!;
    const [auditor, worker, manager] = await Promise.all([staff(audit.auditorId), staff(audit.practitionerId), staff(audit.managerId!)]);
    for (const s of [auditor, worker, manager]) await h.install(s);
    await h.drainOutbox();

    const alloc = lastCardOfKind(auditor, new RegExp(`Case audit allocated to you[\\s\\S]*${audit.case.caseRef}`))!;
    expect(alloc).toBeDefined();
    const text = cardText(alloc);
    expect(text).toContain(worker.name);
    expect(text).toMatch(/Thu,? 31 Dec 2026/);
    expect(cardActions(alloc).map((a) => a.verb)).toEqual(expect.arrayContaining(["audit.allocation.accept", "audit.allocation.swap"]));
    expect(cardActions(alloc).find((a) => a.verb === "audit.allocation.accept")!.data).toEqual({ auditId: audit.id });

    const notice = lastCardOfKind(worker, new RegExp(`${audit.case.caseRef} is being audited`))!;
    expect(cardText(notice)).toContain(auditor.name);
    const mgr = lastCardOfKind(manager, new RegExp(`${audit.case.caseRef} in your team`))!;
    expect(cardText(mgr)).toContain(auditor.name);
    expect(cardText(mgr)).toContain(worker.name);

    const sa = lastCardOfKind(worker, new RegExp(`practitioner preparation[\\s\\S]*${audit.case.caseRef}`))!;
    const tpl = loadFormTemplate("audit-self-assessment");
    for (const q of tpl.sections.flatMap((s) => s.questions)) expect(cardText(sa)).toContain(q.text);
    const instance = await h.db.cardInstance.findUnique({
      where: { cardKey_recipientId: { cardKey: `audit:${audit.id}:allocation`, recipientId: auditor.id } },
    });
    expect(instance).not.toBeNull();
  });

  it("holds proactive cards during quiet hours and delivers them next working morning", async () => {
    clock.set("2026-12-04T19:30:00Z"); // Friday evening
    const s = await allocateMonth(h.service.ctx, null, { month: "2027-03", theme: "safeguarding-risk", target: 3, seed: "quiet" });
    const ids = s.allocations.map((r) => r.auditId!);
    const msgs = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `audit:${ids[0]}:` } } });
    expect(msgs.length).toBeGreaterThanOrEqual(3);
    for (const m of msgs) expect(m.notBefore.toISOString()).toBe("2026-12-07T08:00:00.000Z");
    const auditor = await staff(s.allocations[0]!.auditorId);
    await h.install(auditor);
    await h.drainOutbox();
    expect(await h.db.outboxMessage.count({ where: { id: { in: msgs.map((m) => m.id) }, status: "sent" } })).toBe(0);
    clock.set("2026-12-07T08:01:00Z");
    await h.drainOutbox();
    expect(
      await h.db.outboxMessage.count({ where: { recipientId: auditor.id, idempotencyKey: `audit:${ids[0]}:allocation:${auditor.id}` } }),
    ).toBe(1);
    expect(
      (await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: `audit:${ids[0]}:allocation:${auditor.id}` } })).status,
    ).toBe("sent");
    clock.set("2026-12-01T10:00:00Z");
  });
});

describe("accept and swap", () => {
  it("accepts once; a second click records nothing twice; another person cannot accept", async () => {
    const audit = (await auditsOf("2026-12"))[0]!;
    const auditor = await staff(audit.auditorId);
    const other = (await auditsOf("2026-12")).find((a) => a.auditorId !== audit.auditorId)!;
    const intruder = await staff(other.auditorId);

    const forged = await h.execute(intruder, "audit.allocation.accept", { auditId: audit.id, auditorId: intruder.id });
    expect(forged.text).toMatch(/Not allowed/);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).status).toBe("allocated");

    const ok = await h.execute(auditor, "audit.allocation.accept", { auditId: audit.id });
    track(ok.card);
    expect(ok.text).toMatch(/Accepted/);
    expect(cardActions(ok.card).map((a) => a.verb)).not.toContain("audit.allocation.accept");
    const twice = await h.execute(auditor, "audit.allocation.accept", { auditId: audit.id });
    expect(twice.text).toMatch(/Already done/);
    expect(twice.text).toMatch(/already accepted/);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).status).toBe("accepted");
    expect(await h.db.history.count({ where: { entityId: audit.id, action: "accepted" } })).toBe(1);

    await h.drainOutbox();
    const upd = updatesTo(auditor).at(-1)!;
    expect(cardText(upd.body?.attachments?.[0]?.content)).toMatch(/Accepted/);
  });

  it("proposes a meeting date: checked, moves the self-assessment due date and reminder", async () => {
    const audit = (await auditsOf("2026-12"))[2]!;
    const auditor = await staff(audit.auditorId);
    const worker = await staff(audit.practitionerId);
    await h.install(worker);
    const late = await h.execute(auditor, "audit.allocation.accept", { auditId: audit.id, meetingDate: "2027-02-01" });
    expect(late.text).toMatch(/Choose a date from/);
    expect(JSON.stringify(late.card)).toContain("2027-02-01");
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).status).toBe("allocated");

    const ok = await h.execute(auditor, "audit.allocation.accept", { auditId: audit.id, meetingDate: "2026-12-15" });
    expect(ok.text).toMatch(/meeting Tue,? 15 Dec 2026/);
    const sa = await h.db.selfAssessment.findUniqueOrThrow({ where: { auditId: audit.id } });
    expect(sa.dueDate.toISOString().slice(0, 10)).toBe("2026-12-15");
    const job = await h.db.scheduledJob.findUniqueOrThrow({ where: { key: `audit:${audit.id}:self-assessment:reminder` } });
    expect(job.runAt.toISOString()).toBe("2026-12-11T09:00:00.000Z"); // 2 working days before, 09:00 London
    // The practitioner is told the date proposed, not that a meeting is still to be set.
    await h.drainOutbox();
    const notice = cardText(lastCardOfKind(worker, /Audit meeting date proposed/));
    expect(notice).toMatch(new RegExp(`${auditor.name} .*proposes the audit meeting for case ${audit.case.caseRef} on Tue,? 15 Dec 2026`));
    expect(notice).not.toMatch(/will set a meeting/);
  });

  it("a swap needs a reason, moves the audit to a peer from another team, updates the old card in place", async () => {
    const audit = (await auditsOf("2026-12"))[1]!;
    const old = await staff(audit.auditorId);
    const [worker, manager] = await Promise.all([staff(audit.practitionerId), staff(audit.managerId!)]);
    for (const s of [old, worker, manager]) await h.install(s);
    await h.drainOutbox();

    const noReason = await h.execute(old, "audit.allocation.swap", { auditId: audit.id, reason: " " });
    expect(noReason.text).toMatch(/Please say why you cannot do this audit/);
    expect(cardActions(noReason.card).map((a) => a.verb)).toContain("audit.allocation.swap");
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).auditorId).toBe(old.id);

    const loadsBefore = await h.db.audit.groupBy({ by: ["auditorId"], where: { cycle: { month: "2026-12" } }, _count: { _all: true } });
    const reason = "On annual leave for the whole of December";
    const swap = await h.execute(old, "audit.allocation.swap", { auditId: audit.id, reason });
    track(swap.card);
    const moved = await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } });
    const peer = await staff(moved.auditorId);
    expect(swap.text).toContain(`Swapped to ${peer.name}`);
    expect(peer.id).not.toBe(old.id);
    expect(peer.teamId).not.toBe(audit.case.teamId);
    expect(peer.roles.some((r) => AUDITOR_ROLES.includes(r))).toBe(true);
    const minLoad = Math.min(...loadsBefore.map((l) => l._count._all));
    expect(loadsBefore.find((l) => l.auditorId === peer.id)?._count._all ?? 0).toBe(minLoad);
    expect(moved.status).toBe("allocated");
    expect(moved.declineReason).toBeNull(); // the reason is the old auditor's: in the history, not on the peer's audit
    const hist = await h.db.history.findMany({ where: { entityId: audit.id, action: "swapped" } });
    expect(hist).toHaveLength(1);
    expect(hist[0]!.actorId).toBe(old.id);
    const declines = await declinesForCycle(h.service.ctx, audit.cycleId);
    expect(declines.count).toBe(1);
    expect(declines.declines[0]!.reason).toBe(reason);

    await h.install(peer);
    await h.drainOutbox();
    expect(lastCardOfKind(peer, new RegExp(`Case audit allocated to you[\\s\\S]*${audit.case.caseRef}`))).toBeDefined();
    const upd = updatesTo(old).at(-1)!;
    expect(cardText(upd.body?.attachments?.[0]?.content)).toContain(`Swapped to ${peer.name}`);
    expect(cardText(lastCardOfKind(worker, /new auditor/))).toContain(peer.name);
    expect(cardText(lastCardOfKind(manager, /new auditor/))).toContain(peer.name);

    const again = await h.execute(old, "audit.allocation.swap", { auditId: audit.id, reason });
    expect(again.text).toMatch(/Already done/);
    const lateAccept = await h.execute(old, "audit.allocation.accept", { auditId: audit.id });
    expect(lateAccept.text).toMatch(/Already done/);
    expect(await h.db.history.count({ where: { entityId: audit.id, action: "swapped" } })).toBe(1);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: audit.id } })).auditorId).toBe(peer.id);
  });
});

describe("self-assessment", () => {
  const scale1 = "difference-made-scale";
  const well1 = "difference-made-worked-well";
  const full = {
    [scale1]: "7",
    [well1]: "Direct work uploaded 01/04/19: the child's words are in the plan.",
    "difference-made-move-up": "Network meeting with grandparents.",
    "signs-of-safety-use-scale": "6",
    "signs-of-safety-use-worked-well": "Safety plan co-written with the family.",
    "signs-of-safety-use-move-up": "Words and pictures for the younger sibling.",
  };

  it("saves a draft, resumes with the saved values, refuses an incomplete submit keeping the input, then submits once", async () => {
    const audit = (await auditsOf("2026-12"))[3]!;
    const worker = await staff(audit.practitionerId);
    await h.install(worker);

    const draft = await h.execute(worker, "audit.selfAssessment.save", { auditId: audit.id, [scale1]: "7", [well1]: full[well1] });
    expect(draft.text).toMatch(/Draft saved/);
    let sa = await h.db.selfAssessment.findUniqueOrThrow({ where: { auditId: audit.id } });
    expect(sa.status).toBe("draft");
    expect(sa.answers).toEqual({ [scale1]: 7, [well1]: full[well1] });
    // A saved draft still waits on the practitioner (the Home tab's "What waits on me").
    const waiting = async () => (await whatWaitsOn(h.service.ctx, worker)).items.filter((i) => i.kind === "selfAssessment");
    expect((await waiting()).map((i) => [i.caseRef, i.title])).toEqual([[audit.case.caseRef, "Finish your self-assessment (draft saved)"]]);
    // "my audits" still offers it too.
    const openButton = async () =>
      cardActions((await h.say(worker, "my audits")).cards[0]).find(
        (a) => a.title === "Complete my self-assessment" && a.data.auditId === audit.id,
      );
    const opensDraft = async () => !!(await openButton());
    const press = (await openButton())!;
    expect((await h.execute(worker, press.verb, press.data)).text).toContain(full[well1]);

    // Resume on another device: the card shows what was saved.
    const resumed = await h.execute(worker, "audit.selfAssessment.open", { auditId: audit.id });
    const json = JSON.stringify(resumed.card);
    expect(json).toContain(`"id":"${scale1}"`);
    expect(json).toMatch(new RegExp(`"id":"${scale1}","label":"[^"]+","style":"compact","value":"7"`));
    expect(resumed.text).toContain(full[well1]);
    const mine = await h.say(worker, "self assessment");
    expect(cardText(mine.cards[0])).toMatch(new RegExp(audit.case.caseRef));

    const incomplete = await h.execute(worker, "audit.selfAssessment.submit", { auditId: audit.id, [scale1]: "8", [well1]: "changed" });
    expect(incomplete.text).toMatch(/Please answer this question before submitting/);
    expect(JSON.stringify(incomplete.card)).toContain('"value":"changed"');
    sa = await h.db.selfAssessment.findUniqueOrThrow({ where: { auditId: audit.id } });
    expect(sa.status).toBe("draft");
    expect(sa.answers).toEqual({ [scale1]: 7, [well1]: full[well1] });

    const tooLong = await h.execute(worker, "audit.selfAssessment.save", { auditId: audit.id, [well1]: "x".repeat(3001) });
    expect(tooLong.text).toMatch(/keep this to 3000 characters/);

    const done = await h.execute(worker, "audit.selfAssessment.submit", { auditId: audit.id, ...full });
    track(done.card);
    expect(done.text).toMatch(/Submitted/);
    expect(JSON.stringify(done.card)).not.toContain("Input.");
    expect(cardActions(done.card)).toHaveLength(0);
    sa = await h.db.selfAssessment.findUniqueOrThrow({ where: { auditId: audit.id } });
    expect(sa.status).toBe("submitted");
    expect(await waiting()).toEqual([]);
    expect(await opensDraft()).toBe(false);
    expect((await h.db.scheduledJob.findUniqueOrThrow({ where: { key: `audit:${audit.id}:self-assessment:reminder` } })).status).toBe(
      "cancelled",
    );

    const twice = await h.execute(worker, "audit.selfAssessment.submit", { auditId: audit.id, ...full, [scale1]: "1" });
    expect(twice.text).toMatch(/Already done/);
    expect(await h.db.history.count({ where: { entityId: sa.id, action: "submitted" } })).toBe(1);
    expect(await h.db.history.count({ where: { entityId: sa.id, action: "draft_saved" } })).toBe(1);

    await h.drainOutbox();
    const upd = updatesTo(worker).at(-1)!;
    expect(cardText(upd.body?.attachments?.[0]?.content)).toMatch(/Submitted: your auditor can now read your answers/);

    // The auditor can read the answers for the audit form; nobody else can.
    const auditor = await staff(audit.auditorId);
    await h.install(auditor);
    await h.drainOutbox();
    expect(cardText(lastCardOfKind(auditor, /Self-assessment submitted/))).toContain(audit.case.caseRef);
    const seen = await selfAssessmentFor(h.service.ctx, auditor, audit.id);
    expect(seen.status).toBe("submitted");
    expect(seen.answers[scale1]).toBe(7);
    const stranger = await h.one("PRACTITIONER", "LC");
    // Answered as for a missing self-assessment: a refusal would tell that one exists.
    await expect(selfAssessmentFor(h.service.ctx, { ...stranger, roles: stranger.roles }, audit.id)).rejects.toBeInstanceOf(NotFound);
  });

  it("refuses forged card data: another audit's id or another staff id changes nothing", async () => {
    const audits = await auditsOf("2026-12");
    const target = audits[4]!;
    const mineAudit = audits.find((a) => a.practitionerId !== target.practitionerId)!;
    const me = await staff(mineAudit.practitionerId);
    const before = await h.db.selfAssessment.findUniqueOrThrow({ where: { auditId: target.id } });
    const historyBefore = await h.db.history.count();

    const forged = await h.execute(me, "audit.selfAssessment.submit", {
      auditId: target.id,
      practitionerId: target.practitionerId,
      ...full,
    });
    // Another practitioner's audit: answered as for a missing one (a refusal would tell it exists).
    expect(forged.text).toMatch(/Not found/);
    const open = await h.execute(me, "audit.selfAssessment.open", { auditId: target.id });
    expect(open.text).toMatch(/Not found/);
    expect(open.text).not.toContain(target.case.caseRef);
    const swap = await h.execute(me, "audit.allocation.swap", { auditId: target.id, reason: "forged swap attempt" });
    expect(swap.text).toMatch(/Not found/);
    // The Action.Submit fallback path is checked the same way.
    await h.submit(me, { verb: "audit.selfAssessment.save", auditId: target.id, ...full });

    const after = await h.db.selfAssessment.findUniqueOrThrow({ where: { auditId: target.id } });
    expect(after.answers).toEqual(before.answers);
    expect(after.status).toBe(before.status);
    expect((await h.db.audit.findUniqueOrThrow({ where: { id: target.id } })).auditorId).toBe(target.auditorId);
    expect(await h.db.history.count()).toBe(historyBefore);
  });

  it("reminds two working days before the due date only when not submitted and the audit is still to be done", async () => {
    const audits = await auditsOf("2026-12");
    const pending = audits[5]!;
    const submitted = audits[3]!;
    // The self-assessment is for the audit meeting: once the audit is submitted or recorded as not
    // completed, its practitioner is not asked for it any more.
    const carriedOut = audits[6]!;
    const notCompleted = audits[7]!;
    await h.db.audit.update({ where: { id: carriedOut.id }, data: { status: "submitted", submittedAt: new Date("2026-12-22T10:00:00Z") } });
    await h.db.audit.update({ where: { id: notCompleted.id }, data: { status: "not_completed", declineReason: "Case closed" } });
    clock.set("2026-12-29T09:05:00Z");
    await runDueJobs(h.service.ctx, buildJobHandlers());
    const reminder = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { contains: ":self-assessment:reminder:" } } });
    expect(reminder.map((m) => m.recipientId)).toContain(pending.practitionerId);
    expect(reminder.some((m) => m.idempotencyKey.startsWith(`audit:${submitted.id}:`))).toBe(false);
    expect(reminder.some((m) => m.idempotencyKey.startsWith(`audit:${carriedOut.id}:`))).toBe(false);
    expect(reminder.some((m) => m.idempotencyKey.startsWith(`audit:${notCompleted.id}:`))).toBe(false);
    const worker = await staff(pending.practitionerId);
    await h.install(worker);
    await h.drainOutbox();
    expect(cardText(lastCardOfKind(worker, /Reminder: please complete your self-assessment/))).toContain(pending.case.caseRef);
  });
});
