// Multi-agency audits end to end, as the Bexley Children's Social Care Quality Assurance Framework,
// §1.4 describes them: led by the partnership's practice review and learning manager; partner
// agencies' people (guests of the tenant, marked as partners in the directory) on the audit team;
// practitioners involved over the period invited with managers copied; the multi-agency audit tool
// completed in advance; the reflective practice discussion (date, attendance); recommendations
// assigned to agencies and tracked to done. A partner sees nothing but what they are invited to.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, cardActions, inputOf, type Harness, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { randomUUID } from "node:crypto";
import { importStaffCsv } from "../../services/directory/import";
import { staffWithRole } from "../../services/directory/staff";
import { loadAuditors } from "../../services/audit/allocation/auditors";
import { moderatorCandidates } from "../../services/moderation/eligibility";

const clock = new ManualClock("2027-01-04T10:00:00Z");
let h: Harness;
let lead: StaffRef;
let nurse: StaffRef;
let officer: StaffRef;
let sergeant: StaffRef;
let auditId = "";
let caseRef = "";

const byEmail = async (email: string) => (await h.db.staff.findUniqueOrThrow({ where: { email } })) as StaffRef;
const lastCard = (s: StaffRef, needle: RegExp) =>
  h.connector
    .cardsTo(h.conversationOf(s))
    .filter((c) => needle.test(cardText(c)))
    .at(-1);

beforeAll(async () => {
  h = await startHarness({ clock });
  // “Multi-agency audits are led by the partnership's practice review and learning manager” (§1.4).
  lead = (await h.db.staff.create({
    data: {
      email: "lee.learning@council.example",
      name: "Lee Learning",
      roles: ["PRACTICE_REVIEW_LEARNING_MANAGER"],
      aadObjectId: randomUUID(),
    },
  })) as StaffRef;
});
afterAll(async () => {
  await h?.close();
});

describe("partner agencies in the directory", () => {
  it("imports partner agencies' guests, marked as partners with no council role (“other agencies may be invited to be a part of the audit team”)", async () => {
    const csv = [
      "email,name,job_title,roles,team_id,team_name,service_area,line_manager_email,start_date,nqsw,case_holding,aad_object_id,partner_agency",
      "nia.nurse@health.example,Nia Nurse,Designated Nurse,,,,,,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1a01,Health",
      "sam.sergeant@police.example,Sam Sergeant,Sergeant,,,,,,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1a02,Police",
      "pat.officer@police.example,Pat Officer,Police Constable,,,,,sam.sergeant@police.example,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1a03,Police",
    ].join("\n");
    await importStaffCsv(h.db, csv);
    [nurse, officer, sergeant] = (await Promise.all(
      ["nia.nurse@health.example", "pat.officer@police.example", "sam.sergeant@police.example"].map(byEmail),
    )) as [StaffRef, StaffRef, StaffRef];
    const rows = await h.db.staff.findMany({ where: { partnerAgency: { not: null } } });
    expect(rows.map((r) => [r.email, r.partnerAgency, r.roles])).toEqual(
      expect.arrayContaining([
        ["nia.nurse@health.example", "Health", []],
        ["pat.officer@police.example", "Police", []],
      ]),
    );
    await expect(importStaffCsv(h.db, "email,name,roles,partner_agency\nx@health.example,X,DIRECTOR,Health\n")).rejects.toThrow(
      /holds no council role/,
    );
  });

  it("a partner sees only multi-agency audits: every other command is refused", async () => {
    for (const s of [nurse, officer, sergeant]) await h.install(s);
    const help = await h.say(nurse, "help");
    expect(cardText(help.cards[0])).toMatch(/Multi-agency audits you are invited to/);
    expect(cardText(help.cards[0])).not.toMatch(/my audits|survey|practice day/i);
    for (const words of ["my audits", "my actions", "practice day", "survey", "supervision", "report"]) {
      const r = await h.say(nurse, words);
      expect(cardText(r.cards[0]), words).toMatch(/Not allowed/);
    }
    const none = await h.say(nurse, "multi-agency");
    expect(cardText(none.cards[0])).toMatch(/not invited to any multi-agency audit/);
    expect(cardText(none.cards[0])).not.toMatch(/Set up a multi-agency audit/);
  });
  it("a partner appears in no council staff picker, even with a council role on their record by mistake (§1.4: partners take part in “the audit team”, nothing else)", async () => {
    const misfiled = await h.db.staff.create({
      data: {
        email: "dee.detective@police.example",
        name: "Dee Detective",
        roles: ["DEPUTY_TEAM_MANAGER", "MODERATOR"],
        teamId: "CIN",
        partnerAgency: "Police",
        aadObjectId: randomUUID(),
      },
    });
    const qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
    const observers = await h.say(qa, "observations");
    expect(JSON.stringify(observers.cards[0])).not.toContain(misfiled.id);
    const dipForm = await h.execute(qa, "dipSample.new", {});
    expect(JSON.stringify(dipForm.card)).not.toContain(misfiled.id);
    const asReviewer = await h.execute(qa, "dipSample.create", {
      checklistId: "cp-plans",
      size: "5",
      batchSize: "5",
      reviewers: misfiled.id,
    });
    expect(asReviewer.text).toMatch(/Choose one or more reviewers/);
    expect((await loadAuditors(h.db)).map((s) => s.id)).not.toContain(misfiled.id);
    expect((await moderatorCandidates(h.db)).map((s) => s.id)).not.toContain(misfiled.id);
    expect((await staffWithRole(h.db, "DEPUTY_TEAM_MANAGER")).map((s) => s.id)).not.toContain(misfiled.id);
    await h.db.staff.update({ where: { id: misfiled.id }, data: { active: false } });
  });
});

describe("the lead sets up the audit", () => {
  it("invites the audit team and the practitioners involved over the last 12 months, managers copied (“Audits will generally cover a 12-month period”; “The operations team will copy invitations to managers”)", async () => {
    const c = await h.db.case.findFirstOrThrow({
      where: { teamId: "CP", worker: { lineManagerId: { not: null } } },
      include: { worker: true },
      orderBy: { caseRef: "asc" },
    });
    caseRef = c.caseRef;
    const { cards } = await h.say(lead, "multi-agency");
    expect(cardText(cards[0])).toMatch(/Set up a multi-agency audit/);
    const bad = await h.execute(lead, "multiAgency.create", {
      caseRef,
      focus: "learning-from-practice",
      toolDueOn: "2027-02-01",
      team: "nobody@health.example",
      practitioners: "",
    });
    expect(bad.text).toMatch(/Not in the directory: nobody@health.example/);
    expect(inputOf(bad.card, "caseRef")?.value).toBe(caseRef);
    const r = await h.execute(lead, "multiAgency.create", {
      caseRef,
      focus: "learning-from-practice",
      toolDueOn: "2027-02-01",
      team: nurse.email,
      practitioners: officer.email,
    });
    expect(r.text).toMatch(/invitations sent \(managers copied\)/);
    expect(r.text).toMatch(/Sun, 4 Jan 2026 to Mon, 4 Jan 2027/);
    const audit = await h.db.multiAgencyAudit.findFirstOrThrow({ include: { invitations: true } });
    auditId = audit.id;
    expect(audit.leadId).toBe(lead.id);
    const part = new Map(audit.invitations.map((i) => [i.staffId, [i.part, i.agency]]));
    expect(part.get(nurse.id)).toEqual(["team", "Health"]);
    expect(part.get(officer.id)).toEqual(["practitioner", "Police"]);
    expect(part.get(sergeant.id)).toEqual(["manager", "Police"]);
    // The case's allocated worker takes part "jointly with their line manager's input".
    expect(part.get(c.workerId!)).toEqual(["practitioner", "Children's social care"]);
    expect(part.get(c.worker!.lineManagerId!)?.[0]).toBe("manager");
  });

  it("a second audit the partner is not invited to stays invisible to them, even with forged ids", async () => {
    const other = await h.db.case.findFirstOrThrow({ where: { teamId: "CIC" }, orderBy: { caseRef: "asc" } });
    await h.execute(lead, "multiAgency.create", {
      caseRef: other.caseRef,
      focus: "impact-of-changes",
      toolDueOn: "2027-02-01",
      team: officer.email,
      practitioners: "",
    });
    const second = await h.db.multiAgencyAudit.findFirstOrThrow({ where: { caseRef: other.caseRef }, include: { invitations: true } });
    const list = await h.say(nurse, "multi-agency");
    expect(cardText(list.cards[0])).toContain(caseRef);
    expect(cardText(list.cards[0])).not.toContain(other.caseRef);
    const asLead = await h.execute(nurse, "multiAgency.open", { auditId: second.id });
    expect(asLead.text).toMatch(/Not allowed/);
    const forged = await h.execute(nurse, "multiAgency.invitation.open", { invitationId: second.invitations[0]!.id });
    expect(forged.text).toMatch(/Not found/);
    expect(forged.text).not.toContain(other.caseRef);
    // The QA team may lead audits of their own, but one they neither lead nor are invited to is, to
    // them, as if it did not exist.
    const qa = (await h.staffWithRole("QA_TEAM"))[0]!;
    await h.install(qa);
    const notTheirs = await h.execute(qa, "multiAgency.open", { auditId: second.id });
    expect(notTheirs.text).toMatch(/Not found/);
    expect(notTheirs.text).not.toContain(other.caseRef);
    expect(notTheirs.text).toBe((await h.execute(qa, "multiAgency.open", { auditId: randomUUID() })).text);
  });
});

describe("audit tools, the reflective practice discussion and recommendations", () => {
  it("the practitioner completes the multi-agency audit tool in advance (“practitioners directly involved in the case are asked to complete a multi-agency audit tool”)", async () => {
    await h.drainOutbox();
    const invite = lastCard(officer, new RegExp(`You are invited to a multi-agency audit \\(case ${caseRef}\\)`))!;
    expect(cardText(invite)).toMatch(/discuss this with your line manager/);
    const copy = lastCard(sergeant, /Copy: a practitioner you manage is invited/);
    expect(copy).toBeDefined();
    const send = cardActions(invite).find((a) => a.verb === "multiAgency.tool.submit")!;
    const missing = await h.execute(officer, send.verb, { ...send.data, involvement: "Two callouts in March." });
    expect(missing.text).toMatch(/Please answer this before sending/);
    expect(inputOf(missing.card, "involvement")?.value).toBe("Two callouts in March.");
    const ok = await h.execute(officer, send.verb, {
      ...send.data,
      involvement: "Two callouts in March.",
      learning: "Share callouts with the school nurse.",
    });
    expect(ok.text).toMatch(/Audit tool sent/);
    const twice = await h.execute(officer, send.verb, { ...send.data, involvement: "x", learning: "y" });
    expect(twice.text).toMatch(/already sent/);
    // The audit team member has no tool to complete.
    const nurseInvite = lastCard(nurse, /You are on the audit team/)!;
    expect(cardActions(nurseInvite).map((a) => a.verb)).not.toContain("multiAgency.tool.submit");
  });

  it("sets the discussion date, and each person invited confirms whether they attend", async () => {
    const set = await h.execute(lead, "multiAgency.discussion.set", { auditId, discussionOn: "2027-02-10" });
    expect(set.text).toMatch(/Discussion date set/);
    await h.drainOutbox();
    const card = lastCard(officer, /Wed, 10 Feb 2027/)!;
    const yes = cardActions(card).find((a) => a.title === "I will attend")!;
    expect((await h.execute(officer, yes.verb, yes.data)).text).toMatch(/you are down to attend/);
    const sergeantCard = lastCard(sergeant, /Wed, 10 Feb 2027/)!;
    const no = cardActions(sergeantCard).find((a) => a.title === "I cannot attend")!;
    await h.execute(sergeant, no.verb, no.data);
    const view = await h.execute(lead, "multiAgency.open", { auditId });
    expect(view.text).toMatch(/Pat Officer \(Police\)\npractitioner · tool sent · attending/);
    expect(view.text).toMatch(/Sam Sergeant \(Police\)\nmanager \(copied\) · not attending/);
  });

  it("records the discussion and its recommendations, assigned to agencies and tracked to done", async () => {
    const early = await h.execute(lead, "multiAgency.recommendation.add", {
      auditId,
      text: "Too early",
      ownerId: nurse.id,
      dueOn: "2027-04-30",
    });
    expect(early.text).toMatch(/Record the discussion before its recommendations/);
    await h.execute(lead, "multiAgency.discussion.record", {
      auditId,
      notes: "Police callouts did not reach the school nurse before the strategy discussion.",
    });
    const add = await h.execute(lead, "multiAgency.recommendation.add", {
      auditId,
      text: "School nurses are told of police callouts to children on their caseload.",
      ownerId: nurse.id,
      dueOn: "2027-04-30",
    });
    expect(add.text).toMatch(/Health: Nia Nurse\nSchool nurses are told of police callouts .* · due Fri, 30 Apr 2027 · open/);
    await h.drainOutbox();
    const rec = lastCard(nurse, /Multi-agency audit recommendation/)!;
    expect(cardText(rec)).toMatch(/Agency\nHealth/);
    const done = await h.execute(nurse, "multiAgency.recommendation.done", {
      recId: cardActions(rec)[0]!.data.recId,
      note: "Notification agreed with the police.",
    });
    expect(done.text).toMatch(/Done: Notification agreed/);
    expect((await h.db.multiAgencyAudit.findUniqueOrThrow({ where: { id: auditId } })).status).toBe("closed");
  });
});
