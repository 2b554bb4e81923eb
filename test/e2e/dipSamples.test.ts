// Dip samples end to end through /api/messages, at volume: the QA team draws 300 cases by rule
// and allocates them to three reviewers in batches; each reviewer answers their cases one after
// another in one card ("Save and next" shows the next case); cases needing action reach their team
// managers; the results card gives compliance per item and per team with a chart; XLSX export.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { cardActions, cardText, inputOf, startHarness, type Harness, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { checklistById } from "../../services/dipSample/checklists";

const clock = new ManualClock("2026-12-01T10:00:00Z"); // a Tuesday, in working hours
let h: Harness;
let qa: StaffRef;
let reviewers: StaffRef[];
let sampleId: string;
/** How many of the 300 cases each reviewer was allocated. */
const share = new Map<string, number>();
const items = checklistById("cp-plans")!.items;

/** The reviewer's deterministic answers for the n-th case they check. */
const answersFor = (n: number) => ({
  item_smart: n % 4 === 0 ? "no" : "yes",
  item_voice: n % 5 === 0 ? "no" : "yes",
  item_contingency: "yes",
  judgement: n % 3 === 0 ? "less" : "good",
  needsAction: n % 25 === 0 ? "true" : "false",
  note: n % 25 === 0 ? `Add a contingency review (case ${n})` : "",
});

beforeAll(async () => {
  h = await startHarness({ clock });
  qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
  reviewers = [await h.one("DEPUTY_TEAM_MANAGER", "CIN"), await h.one("DEPUTY_TEAM_MANAGER", "LC"), qa];
  for (const s of await h.db.staff.findMany()) if (s.aadObjectId) await h.install(s as StaffRef);
});
afterAll(async () => h?.close());

describe("dip samples", () => {
  it("only the QA team or a head of service defines a sample; a forged one stores nothing", async () => {
    const worker = await h.one("PRACTITIONER", "CP");
    const home = await h.say(worker, "dip samples");
    expect(cardText(home.cards[0])).toMatch(/No dip sample cases are waiting for you/);
    expect(cardActions(home.cards[0])).toHaveLength(0);
    expect((await h.execute(worker, "dipSample.new")).text).toMatch(/Not allowed/);
    const forged = await h.execute(worker, "dipSample.create", {
      checklistId: "cp-plans",
      size: "10",
      batchSize: "5",
      reviewers: worker.id,
    });
    expect(forged.text).toMatch(/Not allowed/);
    expect(await h.db.dipSample.count()).toBe(0);
  });

  it("draws 300 cases by rule and allocates them in batches of 25 to three reviewers", async () => {
    // Southwark Children's Social Care Quality Assurance Framework, §7: "Dip samples - high volume,
    // focused review of practice areas of concern against accepted and local standards of good
    // practice … for example, re-referrals or quality of care or child protection plans."
    const home = await h.say(qa, "dip samples");
    const press = cardActions(home.cards[0]).find((a) => a.verb === "dipSample.new")!;
    const form = await h.execute(qa, press.verb, press.data);
    expect(form.text).toMatch(/Child protection plans/);
    const bad = await h.execute(qa, "dipSample.create", {
      checklistId: "cp-plans",
      planType: "all",
      size: "0",
      batchSize: "25",
      reviewers: "",
    });
    expect(bad.text).toMatch(/from 1 to 500/);
    expect(bad.text).toMatch(/Choose one or more reviewers/);
    expect(inputOf(bad.card, "batchSize")?.value).toBe(25);
    // The refused size is not sent back into the box: the renderer would block "Draw and allocate" on it.
    expect(inputOf(bad.card, "size")?.value).toBe(50);
    const notReviewer = await h.one("PRACTITIONER", "CP");
    expect(
      (await h.execute(qa, "dipSample.create", { checklistId: "cp-plans", size: "5", batchSize: "5", reviewers: notReviewer.id })).text,
    ).toMatch(/Choose one or more reviewers/);
    // The rule narrows the draw: the checklist's own plan type, one team.
    const narrow = await h.execute(qa, "dipSample.create", {
      checklistId: "cp-plans",
      planType: "any",
      teamId: "CP",
      size: "500",
      batchSize: "10",
      reviewers: reviewers[0]!.id,
    });
    expect(narrow.text).toMatch(/Child protection plans · CP/);
    const narrowChecks = await h.db.dipCheck.findMany({ where: { sample: { title: "Child protection plans · CP" } } });
    expect(narrowChecks.length).toBe(await h.db.case.count({ where: { planType: "CHILD_PROTECTION", teamId: "CP", active: true } }));
    expect(new Set(narrowChecks.map((c) => c.planType))).toEqual(new Set(["CHILD_PROTECTION"]));
    await h.execute(qa, "dipSample.close", { sampleId: narrowChecks[0]!.sampleId });

    const started = performance.now();
    const r = await h.execute(qa, "dipSample.create", {
      checklistId: "cp-plans",
      planType: "all",
      teamId: "any",
      size: "300",
      batchSize: "25",
      reviewers: reviewers.map((s) => s.id).join(","),
      seed: "e2e",
    });
    console.log(`dip sample of 300 drawn and allocated in ${Math.round(performance.now() - started)} ms`);
    expect(r.text).toMatch(/Cases checked\n0 of 300/);
    const sample = await h.db.dipSample.findFirstOrThrow({ where: { title: "Child protection plans" } });
    sampleId = sample.id;
    const checks = await h.db.dipCheck.findMany({ where: { sampleId }, orderBy: { position: "asc" } });
    expect(checks).toHaveLength(300);
    expect(new Set(checks.map((c) => c.caseId)).size).toBe(300);
    expect(new Set(checks.map((c) => c.batch)).size).toBe(12);
    // Independence: no reviewer checks a case of their own team (another reviewer is available),
    // and the work stays spread.
    const teamOf = new Map(reviewers.map((r) => [r.id, r.teamId]));
    expect(checks.filter((c) => c.teamId === teamOf.get(c.reviewerId))).toHaveLength(0);
    for (const rv of reviewers) {
      const mine = checks.filter((c) => c.reviewerId === rv.id).length;
      expect(mine).toBeGreaterThan(75);
      share.set(rv.id, mine);
    }
  });

  it("each reviewer answers their cases case after case in one card flow", async () => {
    await h.drainOutbox();
    let answered = 0;
    const started = performance.now();
    for (const rv of reviewers) {
      const mine = share.get(rv.id)!;
      const notice = h.connector
        .cardsTo(h.conversationOf(rv))
        .filter((c) => new RegExp(`Dip sample: Child protection plans\\n${mine} cases to check`).test(cardText(c)));
      expect(notice).toHaveLength(1);
      const start = cardActions(notice[0]).find((a) => a.verb === "dipSample.next")!;
      let card = (await h.execute(rv, start.verb, start.data)).card;
      for (let n = 0; ; n++) {
        const press = cardActions(card).find((a) => a.verb === "dipSample.answer");
        if (!press) break;
        expect(cardText(card)).toContain(`Case ${n + 1} of ${mine}`);
        if (n === 0) {
          // Incomplete: the same case again, with what was typed and the error.
          const again = await h.execute(rv, press.verb, { ...press.data, item_smart: "yes" });
          expect(again.text).toMatch(/Please answer every item and the judgement/);
          expect(again.text).toContain(`Case 1 of ${mine}`);
          expect(inputOf(again.card, "item_smart")?.value).toBe("yes");
          // Another reviewer cannot answer this case, nor learn that it exists: the answer of a missing check.
          const other = reviewers.find((x) => x.id !== rv.id)!;
          const forged = await h.execute(other, press.verb, { ...press.data, ...answersFor(0) });
          expect(forged.text).toMatch(/Not found/);
          expect(forged.text).toBe((await h.execute(other, press.verb, { ...press.data, ...answersFor(0), checkId: randomUUID() })).text);
        }
        const res = await h.execute(rv, press.verb, { ...press.data, ...answersFor(answered) });
        expect(res.text).toMatch(/Saved case LL\d+/);
        if (n === 1) {
          // A double click on the same card records once and shows the next case.
          const twice = await h.execute(rv, press.verb, { ...press.data, ...answersFor(answered) });
          expect(twice.text).toMatch(/already recorded; nothing was recorded twice/);
        }
        answered++;
        card = res.card;
      }
      expect(cardText(card)).toContain(`You have checked ${mine} of your ${mine} cases`);
    }
    const ms = performance.now() - started;
    console.log(`dip sample: 300 cases answered through /api/messages in ${Math.round(ms)} ms (${(ms / 300).toFixed(1)} ms a case)`);
    expect(await h.db.dipCheck.count({ where: { sampleId, status: "answered" } })).toBe(300);
    expect(await h.db.history.count({ where: { entityType: "dip_check", action: "answer" } })).toBe(300);
  }, 300_000);

  it("results: compliance per item and per team, cases needing action sent to their team managers, a chart", async () => {
    // Southwark §4: "All quality activity will be judged as either less than good, or good or better."
    const res = await h.execute(qa, "dipSample.results", { sampleId });
    const text = res.text;
    const expected = (pred: (n: number) => boolean) => Array.from({ length: 300 }, (_, n) => n).filter(pred).length;
    const smart = expected((n) => n % 4 !== 0);
    const voice = expected((n) => n % 5 !== 0);
    expect(text).toContain(`${items[0]!.text}: ${smart} of 300 (${Math.round((100 * smart) / 300)}%)`);
    expect(text).toContain(`${items[1]!.text}: ${voice} of 300 (${Math.round((100 * voice) / 300)}%)`);
    expect(text).toContain(`${items[2]!.text}: 300 of 300 (100%)`);
    const good = expected((n) => n % 3 !== 0);
    expect(text).toMatch(new RegExp(`Good or better\\n${good} of 300 \\(${Math.round((100 * good) / 300)}%\\)`));
    // The chart: one ColumnSet bar per item and per team, the filled share as a weighted width.
    const json = JSON.stringify(res.card);
    expect(json).toContain(`"width":${Math.round((100 * voice) / 300)}`);
    const teams = await h.db.dipCheck.groupBy({ by: ["teamId"], where: { sampleId }, _count: { _all: true } });
    for (const t of teams) expect(text).toMatch(new RegExp(`${t.teamId}: ${t._count._all} of ${t._count._all} cases checked`));

    const needing = await h.db.dipCheck.findMany({ where: { sampleId, needsAction: true } });
    expect(needing).toHaveLength(expected((n) => n % 25 === 0));
    await h.drainOutbox();
    for (const c of needing) {
      const tm = await h.db.staff.findFirstOrThrow({
        where: { teamId: c.teamId, roles: { has: "TEAM_MANAGER" } },
        orderBy: { name: "asc" },
      });
      const got = h.connector
        .cardsTo(h.conversationOf(tm as StaffRef))
        .filter((x) => cardText(x).includes(`case ${c.caseRef} needs action`));
      expect(got, c.caseRef).toHaveLength(1);
      expect(cardText(got[0])).toContain("Add a contingency review");
    }
    const practitioner = await h.one("PRACTITIONER", "CP");
    expect((await h.execute(practitioner, "dipSample.results", { sampleId })).text).toMatch(/Not allowed/);
  });

  it("exports the results as XLSX, cell for cell", async () => {
    const r = await h.execute(qa, "dipSample.export", { sampleId });
    const name = /Workbook: (\S+\.xlsx)/.exec(r.text)![1]!;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(`reports-out/${name}`);
    const cases = wb.getWorksheet("Cases")!;
    expect(cases.rowCount).toBe(301);
    const itemsSheet = wb.getWorksheet("Items")!;
    expect(itemsSheet.getRow(2).values).toEqual([undefined, items[0]!.text, 225, 300, 75]);
    const teams = wb.getWorksheet("Teams")!;
    expect(teams.rowCount - 1).toBe((await h.db.dipCheck.groupBy({ by: ["teamId"], where: { sampleId } })).length);
  });

  it("appears in the monthly report apart from the full audits", async () => {
    const report = cardText((await h.say(qa, "report 2026-12")).cards[0]);
    expect(report).toMatch(
      /Dip samples \(not counted in the audit figures above\):\nChild protection plans\n300 checked this month \(of 300\) · items compliant 765 of 900 \(85%\) · good or better 200 of 300 \(67%\) · needing action 12/,
    );
    expect(report).toMatch(/Cases allocated\n0/);
  });

  it("closing the sample records once", async () => {
    const closed = await h.execute(qa, "dipSample.close", { sampleId });
    expect(closed.text).toMatch(/Status\nClosed/);
    expect((await h.execute(qa, "dipSample.close", { sampleId })).text).toMatch(/Already done/);
  });

  it("keeps a reviewer off their own team's cases unless nobody else was chosen, and then says so on their cards (Bexley Children's Social Care Quality Assurance Framework, §1.3: “The file to be audited is for a child or young person within another team.”)", async () => {
    const [cin, lc] = reviewers as [StaffRef, StaffRef];
    const create = (ids: string[]) =>
      h.execute(qa, "dipSample.create", {
        checklistId: "cp-plans",
        planType: "all",
        teamId: "CIN",
        size: "6",
        batchSize: "3",
        reviewers: ids.join(","),
        seed: "own",
      });
    const latest = () =>
      h.db.dipSample.findFirstOrThrow({ where: { title: "Child protection plans · CIN" }, orderBy: { createdAt: "desc" } });
    await create([cin.id, lc.id]);
    const both = await h.db.dipCheck.findMany({ where: { sampleId: (await latest()).id } });
    expect(both).toHaveLength(6);
    expect(both.map((c) => c.reviewerId)).toEqual(both.map(() => lc.id));
    await h.execute(qa, "dipSample.close", { sampleId: (await latest()).id });

    const before = h.connector.cardsTo(h.conversationOf(cin)).length;
    await create([cin.id]);
    const sample = await latest();
    const alone = await h.db.dipCheck.findMany({ where: { sampleId: sample.id } });
    expect(alone.map((c) => c.reviewerId)).toEqual(alone.map(() => cin.id));
    await h.drainOutbox();
    const notice = h.connector
      .cardsTo(h.conversationOf(cin))
      .slice(before)
      .find((c) => /Child protection plans · CIN/.test(cardText(c)));
    expect(cardText(notice)).toContain("6 cases are of your own team: no reviewer from another team was chosen for them.");
    const card = await h.execute(cin, "dipSample.next", { sampleId: sample.id });
    expect(card.text).toMatch(/Independence\nA case of your own team: no reviewer from another team was chosen for it\./);
  });
});
