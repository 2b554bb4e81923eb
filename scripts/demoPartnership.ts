// `npm run demo`, audit-of-practice days and multi-agency audits, through the bot's own verbs.
// A practice day (Halton Children and Young People's Services Quality Assurance Framework, "The
// audit"): the QA team sets the date, volunteers are paired into audit teams, cases are selected,
// workers confirm attendance, a pair's analyses are quality-assured by the lead manager and their
// recommendations go to line managers (one completed, one open). A multi-agency audit (Bexley
// Children's Social Care Quality Assurance Framework, §1.4): the practice review and learning manager
// invites partner agencies' guests and the practitioners, tools are completed, the reflective
// discussion is dated and confirmed, and recommendations are assigned to agencies (one done).
import { importStaffCsv } from "../services/directory/import";
import type { ManualClock } from "../services/clock";
import type { Harness, StaffRef } from "../test/support/harness";

const DAY = "2027-03-10"; // a Wednesday, more than five weeks after the demo month
const DISCUSSION = "2027-02-10";

function ok(step: string, text: string, expected: RegExp): string {
  if (!expected.test(text)) throw new Error(`${step}: expected ${expected}, got "${text.replace(/\n/g, " | ").slice(0, 300)}"`);
  return text;
}

const staff = async (h: Harness, id: string) => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;

export async function demoPracticeDay(h: Harness, clock: ManualClock, print: (line: string) => void) {
  const started = clock.now();
  const qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
  const lead = await h.one("HEAD_OF_QA");
  ok("practice day date", (await h.execute(qa, "practiceDay.schedule", { heldOn: DAY, lead: lead.id, theme: "none" })).text, /Date set/);
  const day = await h.db.practiceDay.findFirstOrThrow({ where: { heldOn: new Date(`${DAY}T00:00:00Z`) } });
  const volunteers = [
    ...(await h.staffWithRole("PRACTITIONER", "CIN")).slice(0, 2),
    await h.one("TEAM_MANAGER", "CP"),
    await h.one("SERVICE_MANAGER"),
  ];
  for (const v of volunteers)
    ok("volunteer", (await h.execute(v, "practiceDay.volunteer", { dayId: day.id })).text, /You have volunteered/);
  ok("audit teams", (await h.execute(qa, "practiceDay.agreeTeams", { dayId: day.id })).text, /Audit teams agreed/);
  await h.execute(qa, "practiceDay.select", { dayId: day.id });
  const cases = await h.db.practiceDayCase.findMany({ where: { dayId: day.id }, orderBy: [{ pairNo: "asc" }, { caseRef: "asc" }] });
  if (!cases.length) throw new Error("practice day: no case selected");
  let confirmed = 0;
  for (const c of cases) {
    const r = await h.execute(await staff(h, c.workerId), "practiceDay.confirm", { dayCaseId: c.id });
    if (/You have confirmed you will attend/.test(r.text)) confirmed++;
  }
  print(
    `Audit of practice day ${DAY}: ${volunteers.length} volunteers in audit teams; ${cases.length} cases selected across all areas of work; attendance confirmed for ${confirmed}`,
  );

  clock.set(`${DAY}T10:00:00Z`);
  const assured = cases.filter((c) => c.managerId && c.pairNo === cases[0]!.pairNo).slice(0, 2);
  const member = await staff(
    h,
    (await h.db.practiceDayVolunteer.findFirstOrThrow({ where: { dayId: day.id, pairNo: assured[0]!.pairNo } })).staffId,
  );
  const recs: string[] = [];
  for (const [i, c] of assured.entries()) {
    const analysis = {
      livedExperience: "The child's wishes are recorded at each visit.",
      qualityImpact: "School attendance has improved since the plan.",
      assessmentToActions: i ? "Actions follow from the assessment." : "Plan actions do not follow from the assessment analysis.",
      evaluation: i ? "Good practice, clearly recorded." : "Requires improvement: drift after the review.",
      areasToExplore: "How the plan was updated after the review.",
      poorPractice: i ? "false" : "true",
    };
    ok(
      "analysis",
      (await h.execute(member, "practiceDay.analysis.submit", { dayCaseId: c.id, ...analysis })).text,
      /Sent to the lead manager/,
    );
    ok(
      "assure",
      (
        await h.execute(lead, "practiceDay.assure", {
          dayCaseId: c.id,
          recommendation: i ? "Share the plan's review notes with the family." : "Hold a strategy discussion and update the plan.",
          dueOn: "2027-03-24",
          poorPractice: analysis.poorPractice,
        })
      ).text,
      /./,
    );
    recs.push((await h.db.practiceDayRecommendation.findFirstOrThrow({ where: { dayCaseId: c.id } })).id);
  }
  const first = await h.db.practiceDayRecommendation.findUniqueOrThrow({ where: { id: recs[0]! } });
  ok(
    "recommendation complete",
    (
      await h.execute(await staff(h, first.assigneeId), "practiceDay.recommendation.complete", {
        recId: first.id,
        note: "Strategy discussion held; plan updated.",
      })
    ).text,
    /Completed: Strategy discussion held/,
  );
  const open = await h.db.practiceDayRecommendation.count({ where: { dayId: day.id, completedAt: null } });
  print(
    `  ${assured.length} analyses quality-assured by ${lead.name}; poor practice sent to the senior manager at once; recommendations: 1 completed, ${open} open`,
  );
  clock.set(started);
  return { practiceDayCases: cases.length, confirmed };
}

/** Partner agencies' guests and the partnership's practice review and learning manager, as the directory import takes them. */
const PARTNERSHIP_CSV = [
  "email,name,job_title,roles,team_id,team_name,service_area,line_manager_email,start_date,nqsw,case_holding,aad_object_id,partner_agency",
  "lee.learning@partnership.example,Lee Learning,Practice Review and Learning Manager,PRACTICE_REVIEW_LEARNING_MANAGER,,,,,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1b00,",
  "nia.nurse@health.example,Nia Nurse,Designated Nurse,,,,,,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1b01,Health",
  "sam.sergeant@police.example,Sam Sergeant,Sergeant,,,,,,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1b02,Police",
  "pat.officer@police.example,Pat Officer,Police Constable,,,,,sam.sergeant@police.example,,no,no,5b0c1d2e-3f40-4a51-8b62-7c8d9e0f1b03,Police",
].join("\n");

export async function demoMultiAgency(h: Harness, print: (line: string) => void) {
  await importStaffCsv(h.db, PARTNERSHIP_CSV);
  const byEmail = async (email: string) => (await h.db.staff.findUniqueOrThrow({ where: { email } })) as StaffRef;
  const [lead, nurse, officer] = await Promise.all(
    ["lee.learning@partnership.example", "nia.nurse@health.example", "pat.officer@police.example"].map(byEmail),
  );
  const c = await h.db.case.findFirstOrThrow({
    where: { teamId: "CP", worker: { lineManagerId: { not: null } } },
    orderBy: { caseRef: "asc" },
  });
  ok(
    "multi-agency audit",
    (
      await h.execute(lead!, "multiAgency.create", {
        caseRef: c.caseRef,
        focus: "learning-from-practice",
        toolDueOn: "2027-01-29",
        team: nurse!.email,
        practitioners: officer!.email,
      })
    ).text,
    /invitations sent \(managers copied\)/,
  );
  const audit = await h.db.multiAgencyAudit.findFirstOrThrow({ where: { caseRef: c.caseRef }, include: { invitations: true } });
  const practitioners = audit.invitations.filter((i) => i.part === "practitioner");
  for (const inv of practitioners)
    ok(
      "audit tool",
      (
        await h.execute(await staff(h, inv.staffId), "multiAgency.tool.submit", {
          invitationId: inv.id,
          involvement: inv.agency === "Police" ? "Two callouts in March." : "Allocated worker throughout the period.",
          learning: "Share callouts with the school nurse.",
        })
      ).text,
      /Audit tool sent/,
    );
  ok(
    "discussion date",
    (await h.execute(lead!, "multiAgency.discussion.set", { auditId: audit.id, discussionOn: DISCUSSION })).text,
    /Discussion date set/,
  );
  let attending = 0;
  for (const inv of audit.invitations) {
    const yes = inv.part !== "manager" || attending % 2 === 0;
    await h.execute(await staff(h, inv.staffId), "multiAgency.attendance", { invitationId: inv.id, attending: String(yes) });
    if (yes) attending++;
  }
  await h.execute(lead!, "multiAgency.discussion.record", {
    auditId: audit.id,
    notes: "Police callouts did not reach the school nurse before the strategy discussion.",
  });
  const council = audit.invitations.find((i) => i.part === "manager" && i.agency !== "Police")!;
  for (const [ownerId, text] of [
    [nurse!.id, "School nurses are told of police callouts to children on their caseload."],
    [council.staffId, "Strategy discussions invite the school nurse."],
  ])
    ok(
      "recommendation",
      (await h.execute(lead!, "multiAgency.recommendation.add", { auditId: audit.id, text, ownerId, dueOn: "2027-04-30" })).text,
      /open/,
    );
  const rec = await h.db.multiAgencyRecommendation.findFirstOrThrow({ where: { auditId: audit.id, ownerId: nurse!.id } });
  ok(
    "recommendation done",
    (await h.execute(nurse!, "multiAgency.recommendation.done", { recId: rec.id, note: "Notification agreed with the police." })).text,
    /Done: Notification agreed/,
  );
  const agencies = [...new Set(audit.invitations.map((i) => i.agency))];
  print(
    `Multi-agency audit of case ${c.caseRef}, led by ${lead!.name} (practice review and learning manager): ${audit.invitations.length} invited from ${agencies.join(", ")} (managers copied); ${practitioners.length} audit tools completed`,
  );
  print(
    `  Reflective practice discussion ${DISCUSSION}: ${attending} of ${audit.invitations.length} confirmed attending; 2 recommendations assigned to Health and Children's social care, 1 done`,
  );
  return { multiAgencyInvited: audit.invitations.length };
}
