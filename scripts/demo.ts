// `npm run demo`: plays a whole QA month through /api/messages and the fake Bot Connector on the
// embedded database (PGlite in memory; no DATABASE_URL needed), with the real service and a
// ManualClock so deadlines pass without sleeping. Each step prints one line; the run ends with the
// month's at-a-glance numbers, the XLSX path and a summary of counts. Exit 0, or 1 with the failed step.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startHarness, cardText, cardActions, versionOf, type Harness, type StaffRef } from "../test/support/harness";
import { auditPageAnswers, type SampleAudit } from "../test/support/auditPages";
import { ERROR_CARD_TITLES } from "../bot/teamsBot";
import { ManualClock } from "../services/clock";
import { runDueJobs } from "../services/jobs";
import { buildJobHandlers } from "../services/jobHandlers";
import { pageIds } from "../services/audit/form";
import { planSupervision } from "../services/supervision/plan";
import { buildMonthlyView } from "../services/reports";
import { writeReportFiles } from "../services/reports/files";
import { bandById, getGradeScale } from "../services/catalogue";
import { roleLabel } from "../services/directory/roles";
import { STATUS_LABELS } from "../services/audit/lists";
import { fmtDateTime } from "../services/viewerCards";
import type { Role } from "../generated/prisma/enums";
import { demoObservationsAndDips } from "./demoQualityActivity";
import { demoMultiAgency, demoPracticeDay } from "./demoPartnership";

type Card = Record<string, unknown>;
const MONTH = "2026-12";
const START = "2026-12-01T09:00:00Z"; // a Tuesday, in working hours
const FRIDAY_7PM = "2026-12-04T19:00:00Z"; // Europe/London is on GMT in December

export interface DemoResult {
  allocated: number;
  auditors: number;
  submitted: number;
  inadequate: number;
  inadequateRecipients: number;
  followUps: number;
  moderations: number;
  moderatedGradeChanges: number;
  escalationStage: number;
  supervisionReminders: number;
  report: { allocated: number; returned: number; notCompleted: number; moderated: number };
  xlsx: string;
  cardsByKind: Record<string, number>;
  auditsByStatus: Record<string, number>;
}

export interface DemoOptions {
  clock: ManualClock;
  outDir?: string;
  print?: (line: string) => void;
}

class DemoStepFailed extends Error {}

/** Fails the step when the bot answered with an error card or without the expected words. */
function expectOk(step: string, res: { text: string; card?: unknown }, expected?: RegExp): string {
  const first = res.text.split("\n")[0] ?? "";
  if (ERROR_CARD_TITLES.includes(first)) throw new DemoStepFailed(`${step}: the bot answered "${res.text.replace(/\n/g, " | ")}"`);
  if (/need attention|Nothing from this page was saved/.test(res.text))
    throw new DemoStepFailed(`${step}: the page was refused: ${res.text.replace(/\n/g, " | ").slice(0, 400)}`);
  if (expected && !expected.test(res.text))
    throw new DemoStepFailed(`${step}: expected ${expected} in the reply, got "${res.text.replace(/\n/g, " | ").slice(0, 400)}"`);
  return res.text;
}

function check(step: string, ok: boolean, detail: string) {
  if (!ok) throw new DemoStepFailed(`${step}: ${detail}`);
}

type Outcome = SampleAudit & Required<Pick<SampleAudit, "grade" | "score" | "childFeedback" | "actions">>;
/** What the demo's auditors write where the form asks for words. */
const DEMO_WORDING: SampleAudit = {
  evidence: "case note 03/11/26 and plan review",
  familyListens: "7",
  overallImpact: "The plan is making a difference for the child",
};

/** The auditor completes every page of the audit form through the bot; returns the review card. */
async function fillAudit(h: Harness, auditor: StaffRef, auditId: string, o: Outcome): Promise<Card> {
  const opened = await h.execute(auditor, "audit.open", { auditId });
  expectOk("open the audit form", opened);
  let card = opened.card;
  for (const page of pageIds()) {
    if (page === "review") break;
    const data = { auditId, page, version: versionOf(card), nav: "next", ...auditPageAnswers(card, page, { ...DEMO_WORDING, ...o }) };
    const res = await h.execute(auditor, "audit.page.save", data);
    expectOk(`audit form page ${page}`, res);
    card = res.card;
  }
  return card;
}

/** The moderation form, filled from the moderator's card. */
function moderationForm(card: unknown, decision: "agree" | "disagree", proposed?: string) {
  const submit = cardActions(card).find((a) => a.verb === "moderation.submit");
  if (!submit) throw new DemoStepFailed("moderation: the moderator's card has no form");
  const data: Record<string, unknown> = {
    ...submit.data,
    feedbackGood: "Clear analysis of risk and the child's voice is present.",
    feedbackDevelop: "The chronology needs updating.",
    decision,
  };
  for (let i = 1; i <= 19; i++) data[`area_${i}`] = i === 17 ? "4" : "5";
  for (const m of JSON.stringify(card).matchAll(/"id":"(action_[0-9a-f-]+)"/g)) data[m[1]!] = "yes";
  if (proposed) data.proposed = proposed;
  data.new1_what = "Share the updated plan with the family";
  data.new1_days = "5";
  return data;
}

export async function runDemo(h: Harness, opts: DemoOptions): Promise<DemoResult> {
  const { clock } = opts;
  const print = opts.print ?? ((line: string) => console.log(line));
  const ctx = h.service.ctx;
  const scale = getGradeScale(ctx.config.GRADE_SCALE);
  const bandLabel = (id: string | null) => (id && bandById(scale, id)?.label) || "not graded";
  const jobs = async (step: string) => {
    const r = await runDueJobs(ctx, buildJobHandlers());
    check(step, r.failed === 0, `${r.failed} scheduled job(s) failed`);
    await h.drainOutbox();
    return r;
  };
  const staff = async (id: string) => (await h.db.staff.findUniqueOrThrow({ where: { id } })) as StaffRef;
  const everyone = (await h.db.staff.findMany({
    where: { active: true, aadObjectId: { not: null } },
    orderBy: { email: "asc" },
  })) as StaffRef[];
  /** The latest card in someone's chat whose text matches. */
  const latestCard = (s: StaffRef, re: RegExp) =>
    h.connector
      .cardsTo(h.conversationOf(s))
      .filter((c) => re.test(cardText(c)))
      .at(-1);
  const cardsMatching = (re: RegExp) => everyone.filter((s) => h.connector.cardsTo(h.conversationOf(s)).some((c) => re.test(cardText(c))));

  // 1. Everyone opens the bot.
  clock.set(START);
  for (const s of everyone) {
    const r = await h.install(s);
    check("install", r.status < 300, `installing for ${s.email} answered HTTP ${r.status}`);
  }
  print(`Everyone opens Assure in Teams: ${everyone.length} staff`);

  // 2. The QA team allocates the month by command and card.
  const qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
  const form = await h.say(qa, "allocate");
  expectOk("allocate command", { text: cardText(form.cards[0]) }, /Allocate case audits/);
  const preview = await h.execute(qa, "audit.allocate.preview", { month: MONTH, theme: "none", target: "30", seed: "demo-december" });
  expectOk("allocation preview", preview, /Preview: 2026-12/);
  const run = cardActions(preview.card).find((a) => a.verb === "audit.allocate.run");
  check("allocation preview", !!run, "the preview card has no Allocate button");
  expectOk("allocation run", await h.execute(qa, run!.verb, run!.data), /Allocated: 2026-12/);
  await h.drainOutbox();
  const audits = await h.db.audit.findMany({
    where: { cycle: { month: MONTH } },
    include: { case: true },
    orderBy: { case: { caseRef: "asc" } },
  });
  const auditorIds = [...new Set(audits.map((a) => a.auditorId))];
  print(`${qa.name} (QA team) allocates December 2026: ${audits.length} audits to ${auditorIds.length} auditors`);

  // 3. Auditors accept (all but three, which stay "allocated": not completed this month).
  const accepted = audits.slice(0, audits.length - 3);
  for (const a of accepted)
    expectOk("accept allocation", await h.execute(await staff(a.auditorId), "audit.allocation.accept", { auditId: a.id }), /ccepted/);
  print(`Auditors accept ${accepted.length} allocations; ${audits.length - accepted.length} are still waiting`);

  // 4. Practitioners submit self-assessments (for the audits that will be completed, and a few more).
  const toComplete = pickDistinctAuditors(accepted, 7);
  const selfAssessed = [...toComplete, ...accepted.filter((a) => !toComplete.includes(a)).slice(0, 5)];
  for (const a of selfAssessed) {
    const worker = await staff(a.practitionerId);
    const r = await h.execute(worker, "audit.selfAssessment.submit", {
      auditId: a.id,
      "difference-made-scale": "7",
      "difference-made-worked-well": "Direct work with the child is on file and in the plan.",
      "difference-made-move-up": "A network meeting with the grandparents.",
      "signs-of-safety-use-scale": "6",
      "signs-of-safety-use-worked-well": "Safety plan written with the family.",
      "signs-of-safety-use-move-up": "Words and pictures for the younger sibling.",
    });
    expectOk("self-assessment", r, /Submitted/);
  }
  print(`Practitioners submit ${selfAssessed.length} self-assessments`);

  // 5. Auditors complete audits through the paged form; grades include two Inadequate.
  const plans: Omit<Outcome, "actions">[] = [
    { grade: "1", score: "2", childFeedback: false },
    { grade: "2", score: "2", childFeedback: true },
    { grade: "4", score: "5", childFeedback: false },
    { grade: "5", score: "5", childFeedback: true },
    { grade: "6", score: "7", childFeedback: true },
    { grade: "6", score: "8", judgement: "outstanding", childFeedback: false },
    { grade: "3", score: "4", childFeedback: true },
  ];
  const submitted: { auditId: string; caseRef: string; grade: string; auditor: StaffRef; worker: StaffRef }[] = [];
  const submitAudit = async (a: (typeof audits)[number], plan: Omit<Outcome, "actions">) => {
    const auditor = await staff(a.auditorId);
    const worker = await staff(a.practitionerId);
    // Below Good (0–5), an immediate action to improve to Good is required (step 6).
    const belowGood = Number(plan.grade) < 6;
    const review = await fillAudit(h, auditor, a.id, {
      ...plan,
      actions: [
        // An inadequate audit's (0–2) immediate tasks are due within 24 hours: the next day.
        {
          what: "Update the chronology",
          who: worker.id,
          when:
            Number(plan.grade) <= 2 ? new Date(h.service.ctx.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10) : "2026-12-11",
          immediate: belowGood,
        },
        { what: "Review the plan with the family", who: worker.id, when: "2026-12-18" },
      ],
    });
    const submit = cardActions(review).find((x) => x.verb === "audit.submit");
    check("audit review", !!submit, `the review page of ${a.case.caseRef} has no Submit button`);
    expectOk("submit audit", await h.execute(auditor, "audit.submit", submit!.data), /submitted|inadequate/i);
    submitted.push({ auditId: a.id, caseRef: a.case.caseRef, grade: plan.grade, auditor, worker });
    const band = bandLabel((await h.db.audit.findUniqueOrThrow({ where: { id: a.id } })).gradeBand);
    print(
      `  ${auditor.name} audits case ${a.case.caseRef}: grade ${plan.grade} (${band}), child feedback ${plan.childFeedback ? "obtained" : "not obtained"}`,
    );
  };
  for (const [i, a] of toComplete.entries()) await submitAudit(a, plans[i]!);
  await h.drainOutbox();
  const inadequate = submitted.filter((s) => Number(s.grade) <= 2);
  let inadequateRecipients = 0;
  for (const s of inadequate) {
    const got = cardsMatching(new RegExp(`Audit graded inadequate: case ${s.caseRef}`));
    const roles = new Set(got.flatMap((x) => x.roles));
    check("inadequate chain", got.length >= 6, `only ${got.length} people got the inadequate card for ${s.caseRef}`);
    check(
      "inadequate chain",
      got.some((x) => x.id === s.worker.id),
      `the worker on ${s.caseRef} did not get the inadequate card`,
    );
    inadequateRecipients += got.length;
    print(
      `Inadequate chain for ${s.caseRef}: cards reach ${got.length} people (worker, ${(
        ["TEAM_MANAGER", "SERVICE_MANAGER", "HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "QA_TEAM"] as Role[]
      )
        .filter((r) => roles.has(r))
        .map(roleLabel)
        .join(", ")})`,
    );
  }
  print(`Auditors complete ${submitted.length} audits through the form (${inadequate.length} Inadequate)`);

  // 5b. The learning loop: each practitioner and their team manager receive the audit's outcome card.
  for (const s of submitted) {
    const manager = await staff(s.worker.lineManagerId!);
    const outcome = (p: StaffRef) => latestCard(p, new RegExp(`^Audit outcome: case ${s.caseRef}`));
    const grade = /Overall rating\s+(.+)/.exec(cardText(outcome(s.worker)))?.[1] ?? "";
    check(
      "outcome card",
      !!outcome(s.worker) && !!outcome(manager),
      `the outcome card of ${s.caseRef} did not reach the practitioner and team manager`,
    );
    check("outcome card", grade.startsWith(`${s.grade} (`), `the outcome card of ${s.caseRef} shows "${grade}", not grade ${s.grade}`);
    print(
      `  Outcome card for case ${s.caseRef}, grade ${grade}: received by ${s.worker.name} (practitioner) and ${manager.name} (${manager.roles.map(roleLabel).join(", ")})`,
    );
  }

  // 6. A practitioner marks an action done.
  const firstAction = await h.db.action.findFirstOrThrow({
    where: { auditId: submitted[2]!.auditId, assigneeId: submitted[2]!.worker.id },
    orderBy: { description: "asc" },
  });
  const actionCard = latestCard(submitted[2]!.worker, /^Action: case [\s\S]*(Update the chronology|Review the plan)/);
  check("action card", !!actionCard && cardActions(actionCard).some((a) => a.verb === "action.done"), "no action card with Mark done");
  expectOk(
    "mark action done",
    await h.execute(submitted[2]!.worker, "action.done", { actionId: firstAction.id, note: "Done on 02/12/26" }),
    /Marked done/,
  );
  print(`${submitted[2]!.worker.name} marks the action "${firstAction.description}" done`);

  // 6b. Friday 19:00, in quiet hours: an audit graded Inadequate. Its alert carries tasks due within
  // 24 hours, so it is delivered at once, not held to Monday morning like routine cards.
  clock.set(FRIDAY_7PM);
  const late = accepted.find((a) => !toComplete.includes(a))!;
  await submitAudit(late, { grade: "2", score: "2", childFeedback: false });
  await h.drainOutbox();
  const alerts = await h.db.outboxMessage.findMany({
    where: { status: "sent", sentAt: { gte: clock.now() }, payload: { path: ["template"], equals: "audit-inadequate" } },
    select: { recipientId: true, sentAt: true },
  });
  const alerted = everyone.filter((s) => alerts.some((x) => x.recipientId === s.id));
  const lastSent = Math.max(...alerts.map((x) => x.sentAt!.getTime()));
  check("Friday inadequate", alerted.length >= 6, `only ${alerted.length} people got the Friday evening inadequate alert`);
  check("Friday inadequate", lastSent - clock.now().getTime() < 60_000, "the Friday evening inadequate alert was held");
  inadequateRecipients += alerted.length;
  const submittedLate = submitted.at(-1)!;
  print(
    `Fri 4 Dec 19:00 (quiet hours): ${submittedLate.auditor.name} grades case ${late.case.caseRef} Inadequate; the alert reaches ${alerted.length} people at ${fmtDateTime(new Date(lastSent), ctx.config.TIMEZONE)}, the same evening, not Monday: ${alerted.map((s) => `${s.name} (${s.roles.map(roleLabel).join(", ")})`).join("; ")}`,
  );

  // 7. Five working days later: follow-up prompts.
  clock.set("2026-12-14T10:00:00Z");
  await jobs("follow-up");
  const followUpCards = submitted.filter((s) => latestCard(s.auditor, /Audit follow-up/));
  check(
    "follow-up",
    followUpCards.length === submitted.length,
    `${followUpCards.length} of ${submitted.length} auditors got a follow-up prompt`,
  );
  const fu = latestCard(submitted[0]!.auditor, /Audit follow-up/)!;
  const press = cardActions(fu).find((a) => a.verb === "audit.followUp.save");
  if (press) {
    const acts = await h.db.action.findMany({ where: { auditId: submitted[0]!.auditId } });
    const data: Record<string, unknown> = { ...press.data };
    for (const a of acts) data[`fu_${a.id}`] = "Manager confirms the work is under way";
    expectOk("follow-up", await h.execute(submitted[0]!.auditor, press.verb, data), /Follow-up recorded/);
  }
  print(`Clock moves to Mon 14 Dec, 5 working days after the last audit: ${followUpCards.length} auditors get follow-up prompts`);

  // 8. The QA team samples for moderation.
  const start = await h.say(qa, "moderate");
  expectOk("moderate command", { text: cardText(start.cards[0]) });
  const sample = await h.execute(qa, "moderation.sample", { percent: "100", returnDays: "10" });
  expectOk("moderation sample", sample, /Sampled/);
  await h.drainOutbox();
  const moderations = await h.db.moderation.findMany({ include: { audit: { include: { case: true } } } });
  check("moderation sample", moderations.length > 0, "nothing was sampled");
  print(`QA team samples moderation: ${moderations.length} of ${submitted.length} completed audits go to moderators`);

  // 9. A moderator disagrees with a Good grade; the auditor accepts the agreed grade; a manager approves.
  const target = moderations.find((m) => m.audit.gradeBand === "good");
  check("moderation", !!target, "no Good audit was sampled");
  const m = target!;
  const caseRef = m.audit.case.caseRef;
  const moderator = await staff(m.moderatorId);
  const modCard = (s: StaffRef) => latestCard(s, new RegExp(`^Moderation · case ${caseRef}`));
  expectOk(
    "moderation disagree",
    await h.execute(
      moderator,
      "moderation.submit",
      moderationForm((await h.execute(moderator, "moderation.page", { id: m.id, goTo: "4" })).card, "disagree", "4|requires-improvement"),
    ),
    /proposes/,
  );
  await h.drainOutbox();
  const auditor = await staff(m.audit.auditorId);
  const acc = cardActions(modCard(auditor)).find((a) => a.verb === "moderation.acceptGrade");
  check("moderation", !!acc, "the auditor's moderation card has no Accept button");
  expectOk("accept agreed grade", await h.execute(auditor, "moderation.acceptGrade", acc!.data), /waiting for approval/);
  await h.drainOutbox();
  const approver = everyone.find((s) => cardActions(modCard(s)).some((a) => a.verb === "moderation.approve"));
  check("moderation approval", !!approver, "no manager was asked to approve");
  expectOk("approve", await h.execute(approver!, "moderation.approve", { id: m.id, approve: true }), /moderated down/);
  await h.drainOutbox();
  const moderated = await h.db.audit.findUniqueOrThrow({ where: { id: m.auditId } });
  print(
    `Moderation of ${caseRef}: ${moderator.name} disagrees, ${auditor.name} accepts Requires Improvement (4), ${approver!.name} approves: Good → ${bandLabel(moderated.moderatedBand)}`,
  );

  // 10. An IRO raises an escalation; it climbs a stage when the deadline passes.
  const iro = await h.one("IRO");
  const cla = await h.db.case.findFirstOrThrow({ where: { planType: "CHILD_LOOKED_AFTER" }, orderBy: { caseRef: "asc" } });
  const raised = await h.execute(iro, "escalation.raise", {
    caseRef: cla.caseRef,
    type: "iro-cla",
    concern: "The care plan has not been reviewed since the placement move.",
    informal: "Discussed with the social worker and team manager on 4 Dec.",
  });
  expectOk("raise escalation", raised, /Stage 1 of 4/);
  await h.drainOutbox();
  const esc = await h.db.escalation.findFirstOrThrow({ where: { raiserId: iro.id }, orderBy: { createdAt: "desc" } });
  print(`${iro.name} (IRO) raises an escalation on case ${cla.caseRef}: Stage 1, deadline ${esc.stageDeadline.toISOString().slice(0, 10)}`);
  clock.set(new Date(esc.stageDeadline.getTime() + 60_000));
  await jobs("escalation timeout");
  const climbed = await h.db.escalation.findUniqueOrThrow({ where: { id: esc.id } });
  check("escalation timeout", climbed.stage === 2, `the escalation is at stage ${climbed.stage}, expected 2`);
  const owner = await staff(climbed.stageOwnerIds[0]!);
  check("escalation timeout", !!latestCard(owner, /Stage 2 of 4/), `${owner.name} did not get the Stage 2 card`);
  print(`No response by the deadline: the escalation climbs to Stage 2 (${owner.name}, ${owner.roles.map(roleLabel).join(", ")})`);

  // 11. Supervision: sessions booked from the rules, reminders before they are due.
  const cpStaff = await h.db.staff.findMany({ where: { teamId: "CP", active: true }, select: { id: true } });
  const planned = await planSupervision(ctx, { staffIds: cpStaff.map((s) => s.id), teamIds: ["CP"] });
  clock.set(new Date(clock.now().getTime() + 3 * 86_400_000 + 2 * 3_600_000));
  await jobs("supervision reminders");
  const reminders = await h.db.outboxMessage.count({
    where: { idempotencyKey: { startsWith: "supervision:", contains: ":reminder:" }, status: "sent" },
  });
  check("supervision reminders", reminders > 0, "no supervision reminder was delivered");
  print(`Supervision planned for team CP (${planned.sessions} sessions booked); ${reminders} reminder cards go out`);

  // Practice observations and dip samples (scripts/demoQualityActivity.ts).
  await demoObservationsAndDips(h, clock, print);
  // Audit-of-practice days and multi-agency audits (scripts/demoPartnership.ts).
  await demoPracticeDay(h, clock, print);
  await demoMultiAgency(h, print);

  // 12. The month at a glance: through the bot, then the numbers and the XLSX.
  const hos = await h.one("HEAD_OF_SERVICE");
  const glance = await h.say(hos, `report ${MONTH}`);
  expectOk("report command", { text: cardText(glance.cards[0]) }, /Audit at a glance — December 2026/);
  const view = await buildMonthlyView(h.db, ctx, { month: MONTH }, clock.now(), { areaTrends: true });
  const files = await writeReportFiles(view, opts.outDir ?? "reports-out");
  const r = view.report;
  print(`Audit at a glance — ${r.monthLabel}`);
  print(
    `  How much: allocated ${r.howMuch.allocated}, returned ${r.howMuch.targetVsActual.text} of target, moderated ${r.howMuch.moderated}, in progress ${r.howMuch.inProgress}, not completed ${r.howMuch.notCompleted}`,
  );
  print(
    `  How well: ${r.howWell.grades.map((g) => `${g.label} ${g.share.text}`).join("; ")}; moderated up ${r.howWell.movedUp}, down ${r.howWell.movedDown}`,
  );
  print(
    `  Better off: children seen to benefit ${r.betterOff.seenToBenefit.text}; family feedback from ${r.betterOff.familyFeedback ?? "fewer than the minimum group of"} families`,
  );
  print(`  Actions: ${r.actions.open} open, ${r.actions.overdue} overdue`);
  print(`Report written: ${path.resolve(files.xlsx)}`);

  // Summary.
  const sent = await h.db.outboxMessage.findMany({ where: { status: "sent" }, select: { payload: true, kind: true } });
  const cardsByKind: Record<string, number> = {};
  for (const s of sent) {
    const t = (s.payload as { template?: string }).template ?? "text";
    const key = s.kind === "update" ? `${t} (update)` : t;
    cardsByKind[key] = (cardsByKind[key] ?? 0) + 1;
  }
  const statuses = await h.db.audit.groupBy({ by: ["status"], where: { cycle: { month: MONTH } }, _count: { _all: true } });
  const auditsByStatus = Object.fromEntries(statuses.map((s) => [s.status, s._count._all]));
  // Printed in words: a card's template name without hyphens, an audit status as the cards name it.
  const fmt = (o: Record<string, number>, label: (k: string) => string) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${label(k)} ${v}`)
      .join(", ");
  const kindLabel = (k: string) => k.replace(/-/g, " ").replace(" (update)", " (updated in place)");
  const statusLabel = (k: string) => (STATUS_LABELS[k] ?? k.replace(/_/g, " ")).split(":")[0]!;
  print(`Summary: cards delivered: ${fmt(cardsByKind, kindLabel)}`);
  print(`Summary: audits by status: ${fmt(auditsByStatus, statusLabel)}`);

  return {
    allocated: audits.length,
    auditors: auditorIds.length,
    submitted: submitted.length,
    inadequate: submitted.filter((s) => Number(s.grade) <= 2).length,
    inadequateRecipients,
    followUps: followUpCards.length,
    moderations: moderations.length,
    moderatedGradeChanges: (
      await h.db.audit.findMany({
        where: { cycle: { month: MONTH }, NOT: { moderatedGrade: null } },
        select: { grade: true, moderatedGrade: true },
      })
    ).filter((a) => a.moderatedGrade !== a.grade).length,
    escalationStage: climbed.stage,
    supervisionReminders: reminders,
    report: {
      allocated: r.howMuch.allocated,
      returned: r.howMuch.returned,
      notCompleted: r.howMuch.notCompleted,
      moderated: r.howMuch.moderated,
    },
    xlsx: files.xlsx,
    cardsByKind,
    auditsByStatus,
  };
}

/** Up to n audits, each with a different auditor where possible. */
function pickDistinctAuditors<T extends { auditorId: string }>(audits: T[], n: number): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (const a of audits) if (out.length < n && !seen.has(a.auditorId) && (seen.add(a.auditorId), true)) out.push(a);
  for (const a of audits) if (out.length < n && !out.includes(a)) out.push(a);
  return out;
}

async function main() {
  const started = Date.now();
  const clock = new ManualClock(START);
  console.log("Starting Assure on an embedded database with the demo directory (60 staff, 300 cases)…");
  const h = await startHarness({ clock, seed: true });
  let code = 0;
  try {
    await runDemo(h, { clock });
    console.log(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } catch (err) {
    code = 1;
    console.error(`DEMO FAILED — ${err instanceof DemoStepFailed ? err.message : (err as Error).stack}`);
  } finally {
    await h.close().catch(() => undefined);
  }
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
