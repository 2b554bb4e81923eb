// On the day and after (Halton Children and Young People's Services Quality Assurance Framework,
// "The audit"): pairs of auditors, "working to a structured pro forma", record judgements about the
// quality of practice over the previous six months — "clear evaluative statements … but they do not
// give numerical grades" — and agree areas to explore with the social worker; "their written analysis
// and recommendations … are quality assured by the lead manager". "Where poor practice is identified
// the lead manager is responsible for ensuring that a clear recommendation and timescale for what
// must be done is immediately conveyed to the relevant senior manager."
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { AlreadyDone, NotFound, ValidationFailed } from "../errors";
import { cancelJobs, scheduleJob } from "../jobs";
import { deliveryOf } from "../messageKinds";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import type { Actor } from "../permissions";
import { transition } from "../stateMachine";
import { firstInChainWithRole } from "../directory/staff";
import { addWorkingDays, isoDate, localDate, parseIsoDate } from "../workingTime";
import { addMonths } from "../dates";
import { questions } from "../choices";
import { addCalendarDaysIso, dayLabel, isoOf } from "./shared";
import { areaLabel, noticeData, REMIND_JOB } from "./days";
import { SENIOR_ROLES } from "./plan";
import { practiceDayCaseMachine, practiceDayRecommendationMachine } from "./states";
import {
  DAY_CASE_MISSING,
  RECOMMENDATION_MISSING,
  requireAssignee,
  requireCaseWorker,
  requireLead,
  requirePair,
  requirePairOrLead,
  requireRecipient,
} from "./access";

export const FOLLOW_UP_JOB = "practiceDay.followUp";

/** The structured pro forma: evaluative statements in words, never a numerical grade. */
export const PRO_FORMA = questions({
  livedExperience: "The child's lived experience: what has life been like for the child, and how well does the record show it?",
  qualityImpact: "The quality and impact of practice: what difference has the work made?",
  assessmentToActions: "How far are the analysis and conclusions of assessments reflected in the agreed actions?",
  education: "Is there evidence of positive educational outcomes for the child?",
  evaluation: "Your evaluative statement on the quality of practice (in words: no numerical grade)",
  areasToExplore: "Areas to explore with the social worker in the afternoon meeting",
  recommendation: "Your recommendation for the line manager (optional)",
});
export type ProFormaId = (typeof PRO_FORMA)[number]["id"];
const REQUIRED: ProFormaId[] = ["livedExperience", "qualityImpact", "assessmentToActions", "evaluation", "areasToExplore"];
export const ANSWER_MAX = 2000;

async function dayCaseOf(db: Tx | AppContext["db"], id: string) {
  const c = await db.practiceDayCase.findUnique({ where: { id }, include: { day: true } });
  if (!c) throw new NotFound(DAY_CASE_MISSING);
  return c;
}

async function pairOf(db: Tx | AppContext["db"], dayId: string, pairNo: number) {
  return db.practiceDayVolunteer.findMany({ where: { dayId, pairNo }, select: { staffId: true } });
}

// ------------------------------------------------------------------ the worker confirms attendance

export async function confirmAttendance(ctx: AppContext, actor: Actor, dayCaseId: string) {
  return ctx.db.$transaction(async (tx) => {
    const c = await dayCaseOf(tx, dayCaseId);
    await requireCaseWorker(tx, actor, c);
    await transition(tx, practiceDayCaseMachine, "confirm", {
      id: c.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.practiceDayCase.updateMany({ where: { id: c.id, status: { in: from } }, data: { status: to, confirmedAt: ctx.clock.now() } }),
      alreadyDone: "You have already confirmed. Nothing was recorded twice.",
    });
    await cancelJobs(tx, `practiceDay:${c.id}:remind`);
    return noticeData(c.day, { ...c, status: "confirmed" }, ctx.config, 0);
  });
}

/** Reminders until the worker confirms (or the day comes). */
export async function reminderJob(tx: Tx, ctx: AppContext, data: Record<string, unknown>) {
  const c = await tx.practiceDayCase.findUnique({ where: { id: String(data.dayCaseId) }, include: { day: true } });
  if (!c || c.status !== "selected") return;
  const now = ctx.clock.now();
  if (isoOf(c.day.heldOn) <= isoDate(localDate(now, ctx.config.TIMEZONE))) return;
  const n = c.remindersSent + 1;
  await tx.practiceDayCase.update({ where: { id: c.id }, data: { remindersSent: n } });
  const { notBefore, urgent } = deliveryOf(ctx, "practiceDay.reminder", now);
  await enqueueMessage(tx, {
    recipientId: c.workerId,
    idempotencyKey: `practiceDay:${c.id}:reminder:${n}`,
    cardKey: `practiceDay:${c.id}:notice`,
    payload: { template: "practice-day-notice", data: noticeData(c.day, c, ctx.config, n) },
    notBefore,
    urgent,
  });
  await scheduleJob(tx, {
    key: `practiceDay:${c.id}:remind`,
    name: REMIND_JOB,
    runAt: addWorkingDays(now, ctx.config.PRACTICE_DAY_REMINDER_DAYS, ctx.config.TIMEZONE),
    data: { dayCaseId: c.id },
  });
}

// ------------------------------------------------------------------ the pair's pro forma

export type Answers = Partial<Record<ProFormaId, string>> & { poorPractice?: string };

export async function analysisCard(
  ctx: AppContext,
  actor: Actor,
  dayCaseId: string,
  extra: { answers?: Answers; errors?: Record<string, string>; error?: string; notice?: string } = {},
) {
  const c = await dayCaseOf(ctx.db, dayCaseId);
  const pair = await pairOf(ctx.db, c.dayId, c.pairNo);
  await requirePairOrLead(ctx.db, actor, c, pair);
  const isPair = pair.some((p) => p.staffId === actor.id);
  const isLead = c.day.leadManagerId === actor.id;
  const saved = (c.analysis ?? {}) as Answers;
  const a = { ...saved, ...extra.answers };
  const names = await ctx.db.staff.findMany({
    where: { id: { in: [...pair.map((p) => p.staffId), c.workerId] } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  // "judgements about the quality of practice over the previous six months"
  const from = isoDate(addMonths(parseIsoDate(isoOf(c.day.heldOn)), -6));
  const editable = isPair && (c.status === "selected" || c.status === "confirmed");
  const errors = extra.errors ?? {};
  return {
    dayCaseId: c.id,
    caseRef: c.caseRef,
    area: areaLabel(c.planType),
    team: c.teamId,
    worker: nameOf.get(c.workerId) ?? "",
    pair: pair.map((p) => nameOf.get(p.staffId) ?? "").join(" and "),
    date: dayLabel(c.day.heldOn),
    period: `${dayLabel(new Date(`${from}T00:00:00Z`))} to ${dayLabel(c.day.heldOn)}`,
    status:
      c.status === "assured"
        ? "Quality-assured by the lead manager"
        : c.status === "analysed"
          ? "Written analysis sent to the lead manager"
          : "Draft: only your pair sees it until you send it",
    editable,
    readOnly: !editable,
    assure: isLead && c.status === "analysed",
    questions: PRO_FORMA.map((q) => ({ id: q.id, label: q.label, value: a[q.id] ?? "", error: errors[q.id] ?? "" })),
    poorPractice: a.poorPractice === "true" ? "true" : "false",
    poorPracticeText: a.poorPractice === "true" ? "Yes: poor practice found" : "No",
    dueOn: addCalendarDaysIso(isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE)), 28),
    recommendation: a.recommendation ?? "",
    error: extra.error ?? "",
    notice: extra.notice ?? "",
    dueOnError: errors.dueOn ?? "",
    recommendationError: errors.recommendation ?? "",
  };
}

/** The pair saves a draft or sends the written analysis to the lead manager. */
export async function saveAnalysis(ctx: AppContext, actor: Actor, dayCaseId: string, answers: Answers, submit: boolean) {
  const c = await dayCaseOf(ctx.db, dayCaseId);
  const pair = await pairOf(ctx.db, c.dayId, c.pairNo);
  await requirePair(ctx.db, actor, c, pair);
  const today = isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));
  const clean: Answers = { poorPractice: answers.poorPractice === "true" ? "true" : "false" };
  const errors: Record<string, string> = {};
  for (const q of PRO_FORMA) {
    const v = (answers[q.id] ?? "").trim();
    if (v.length > ANSWER_MAX) errors[q.id] = `At most ${ANSWER_MAX} characters.`;
    if (v) clean[q.id] = v;
    else if (submit && REQUIRED.includes(q.id)) errors[q.id] = "Please write your judgement here before sending.";
  }
  if (submit && isoOf(c.day.heldOn) > today)
    errors.card = `The analysis is sent on or after the day (${dayLabel(c.day.heldOn)}); save it as a draft until then.`;
  if (Object.keys(errors).length)
    throw new ValidationFailed(errors.card ?? "Some answers need attention. Your draft was not saved.", errors);
  await ctx.db.$transaction(async (tx) => {
    if (!submit) {
      const r = await tx.practiceDayCase.updateMany({
        where: { id: c.id, status: { in: ["selected", "confirmed"] } },
        data: { analysis: clean },
      });
      if (!r.count) throw new AlreadyDone("This analysis has already been sent to the lead manager.");
      return;
    }
    await transition(tx, practiceDayCaseMachine, "submitAnalysis", {
      id: c.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.practiceDayCase.updateMany({
          where: { id: c.id, status: { in: from } },
          data: {
            status: to,
            analysis: clean,
            poorPractice: clean.poorPractice === "true",
            submittedById: actor.id,
            submittedAt: ctx.clock.now(),
          },
        }),
      after: { poorPractice: clean.poorPractice === "true" },
      alreadyDone: "This analysis has already been sent to the lead manager. Nothing was sent twice.",
    });
    await cancelJobs(tx, `practiceDay:${c.id}:remind`);
    const { notBefore, urgent } = deliveryOf(ctx, "practiceDay.analysis");
    await enqueueMessage(tx, {
      recipientId: c.day.leadManagerId,
      idempotencyKey: `practiceDay:${c.id}:analysis`,
      payload: {
        template: "message",
        data: {
          title: `Analysis to quality-assure: case ${c.caseRef}`,
          text: `The audit pair has sent its written analysis of case ${c.caseRef}${clean.poorPractice === "true" ? " and found poor practice" : ""}. Type "practice day" to quality-assure it.`,
        },
      },
      notBefore,
      urgent,
    });
  });
  return analysisCard(ctx, actor, dayCaseId, { notice: submit ? "Sent to the lead manager." : "Draft saved." });
}

// ------------------------------------------------------------------ the lead manager's quality assurance

/**
 * The lead manager quality-assures the written analysis. A recommendation (with its timescale) goes
 * to the worker's line manager, who must confirm completion; when poor practice was found it also
 * goes to the relevant senior manager at once (urgent: not held by quiet hours).
 */
export async function assureAnalysis(
  ctx: AppContext,
  actor: Actor,
  dayCaseId: string,
  d: { recommendation?: string; dueOn?: string; poorPractice?: string },
) {
  const c = await dayCaseOf(ctx.db, dayCaseId);
  await requireLead(ctx.db, actor, c);
  const poor = d.poorPractice === "true";
  const text = (d.recommendation ?? "").trim();
  const today = isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));
  const errors: Record<string, string> = {};
  if (poor && text.length < 5) errors.recommendation = "Poor practice: write the recommendation, what must be done.";
  if (text.length > ANSWER_MAX) errors.recommendation = `At most ${ANSWER_MAX} characters.`;
  if (text && (!d.dueOn || d.dueOn < today)) errors.dueOn = "Give the timescale: a date from today.";
  if (Object.keys(errors).length) throw new ValidationFailed("The recommendation needs attention.", errors);
  await ctx.db.$transaction(async (tx) => {
    await transition(tx, practiceDayCaseMachine, "assure", {
      id: c.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.practiceDayCase.updateMany({
          where: { id: c.id, status: { in: from } },
          data: { status: to, assuredById: actor.id, assuredAt: ctx.clock.now(), poorPractice: poor },
        }),
      after: { poorPractice: poor, recommendation: !!text },
      alreadyDone: "This analysis is already quality-assured. Nothing was recorded twice.",
    });
    if (!text) return;
    const manager =
      c.managerId ?? (await tx.staff.findUnique({ where: { id: c.workerId }, select: { lineManagerId: true } }))?.lineManagerId;
    if (!manager) throw new ValidationFailed("The worker has no line manager in the directory: ask the QA team to add one.");
    const senior = poor ? await firstInChainWithRole(tx, c.workerId, SENIOR_ROLES) : null;
    const rec = await tx.practiceDayRecommendation.create({
      data: {
        dayId: c.dayId,
        dayCaseId: c.id,
        text,
        assigneeId: manager,
        seniorManagerId: senior?.id ?? null,
        poorPractice: poor,
        dueOn: new Date(`${d.dueOn}T00:00:00Z`),
        createdById: actor.id,
        createdAt: ctx.clock.now(),
      },
    });
    const data = recommendationCardData(rec, c.caseRef, c.day.heldOn, "manager");
    const routine = deliveryOf(ctx, "practiceDay.recommendation");
    await enqueueMessage(tx, {
      recipientId: manager,
      idempotencyKey: `practiceDay:rec:${rec.id}:manager`,
      cardKey: `practiceDay:rec:${rec.id}`,
      payload: { template: "practice-day-recommendation", data },
      ...routine,
    });
    if (senior) {
      const urgent = deliveryOf(ctx, "practiceDay.poorPractice");
      await enqueueMessage(tx, {
        recipientId: senior.id,
        idempotencyKey: `practiceDay:rec:${rec.id}:senior`,
        payload: { template: "practice-day-recommendation", data: recommendationCardData(rec, c.caseRef, c.day.heldOn, "senior") },
        ...urgent,
      });
    }
    await scheduleJob(tx, {
      key: `practiceDay:rec:${rec.id}:followUp`,
      name: FOLLOW_UP_JOB,
      runAt: new Date(new Date(`${d.dueOn}T09:00:00Z`).getTime() + 86_400_000),
      data: { recId: rec.id, n: 1 },
    });
  });
  return analysisCard(ctx, actor, dayCaseId, {
    notice: text
      ? poor
        ? "Quality-assured. The recommendation went to the line manager, and to the senior manager at once."
        : "Quality-assured. The recommendation went to the line manager."
      : "Quality-assured.",
  });
}

export function recommendationCardData(
  r: { id: string; text: string; dueOn: Date; poorPractice: boolean; status: string; completionNote: string | null },
  caseRef: string,
  heldOn: Date,
  audience: "manager" | "senior",
  followUp = 0,
) {
  const done = r.status === "completed";
  return {
    recId: r.id,
    caseRef,
    date: dayLabel(heldOn),
    text: r.text,
    dueOn: dayLabel(r.dueOn),
    poorPractice: r.poorPractice,
    title:
      followUp > 0 && !done
        ? `Follow-up ${followUp}: please confirm the recommendation for case ${caseRef} is complete`
        : r.poorPractice
          ? `Poor practice found: case ${caseRef}`
          : `Recommendation from the audit of practice day: case ${caseRef}`,
    intro:
      audience === "senior"
        ? "The lead manager found poor practice on the audit of practice day. This is what must be done, and by when; the line manager must confirm completion in writing."
        : "Please make sure this is done by the date below, then confirm completion in writing here.",
    canConfirm: audience === "manager" && !done,
    status: done ? `Completed: ${r.completionNote ?? ""}` : "Open: waiting for the line manager to confirm completion",
    noteError: "",
  };
}

/** The line manager confirms completion in writing. */
export async function completeRecommendation(ctx: AppContext, actor: Actor, recId: string, note: string) {
  const text = note.trim();
  return ctx.db.$transaction(async (tx) => {
    const r = await tx.practiceDayRecommendation.findUnique({ where: { id: recId }, include: { day: true } });
    if (!r) throw new NotFound(RECOMMENDATION_MISSING);
    await requireAssignee(actor, r);
    if (text.length < 5 || text.length > ANSWER_MAX)
      throw new ValidationFailed("Please say in writing what was done.", { note: `5 to ${ANSWER_MAX} characters.` });
    await transition(tx, practiceDayRecommendationMachine, "complete", {
      id: r.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.practiceDayRecommendation.updateMany({
          where: { id: r.id, status: { in: from } },
          data: { status: to, completedAt: ctx.clock.now(), completionNote: text },
        }),
      after: { note: text },
      alreadyDone: "You have already confirmed this recommendation. Nothing was recorded twice.",
    });
    await cancelJobs(tx, `practiceDay:rec:${r.id}:followUp`);
    const c = r.dayCaseId ? await tx.practiceDayCase.findUnique({ where: { id: r.dayCaseId }, select: { caseRef: true } }) : null;
    const data = recommendationCardData({ ...r, status: "completed", completionNote: text }, c?.caseRef ?? "", r.day.heldOn, "manager");
    await enqueueCardUpdate(tx, {
      recipientId: actor.id,
      cardKey: `practiceDay:rec:${r.id}`,
      idempotencyKey: `practiceDay:rec:${r.id}:completed`,
      payload: { template: "practice-day-recommendation", data },
    });
    return data;
  });
}

/** "When this is not forthcoming, it is followed up assiduously": every few days after the due date until confirmed. */
export async function followUpJob(tx: Tx, ctx: AppContext, data: Record<string, unknown>) {
  const r = await tx.practiceDayRecommendation.findUnique({ where: { id: String(data.recId) }, include: { day: true } });
  if (!r || r.status !== "open") return;
  const n = Number(data.n ?? 1);
  const c = r.dayCaseId ? await tx.practiceDayCase.findUnique({ where: { id: r.dayCaseId }, select: { caseRef: true } }) : null;
  await enqueueMessage(tx, {
    recipientId: r.assigneeId,
    idempotencyKey: `practiceDay:rec:${r.id}:followUp:${n}`,
    cardKey: `practiceDay:rec:${r.id}`,
    payload: { template: "practice-day-recommendation", data: recommendationCardData(r, c?.caseRef ?? "", r.day.heldOn, "manager", n) },
    ...deliveryOf(ctx, "practiceDay.followUp"),
  });
  await scheduleJob(tx, {
    key: `practiceDay:rec:${r.id}:followUp`,
    name: FOLLOW_UP_JOB,
    runAt: addWorkingDays(ctx.clock.now(), ctx.config.PRACTICE_DAY_FOLLOW_UP_DAYS, ctx.config.TIMEZONE),
    data: { recId: r.id, n: n + 1 },
  });
}

/** The recommendation card as it stands, for the line manager it went to (or the senior manager told of it). */
export async function recommendationCard(ctx: AppContext, actor: Actor, recId: string) {
  const r = await ctx.db.practiceDayRecommendation.findUnique({ where: { id: recId }, include: { day: true } });
  if (!r) throw new NotFound(RECOMMENDATION_MISSING);
  await requireRecipient(actor, r);
  const c = r.dayCaseId ? await ctx.db.practiceDayCase.findUnique({ where: { id: r.dayCaseId }, select: { caseRef: true } }) : null;
  return recommendationCardData(r, c?.caseRef ?? "", r.day.heldOn, r.assigneeId === actor.id ? "manager" : "senior");
}
