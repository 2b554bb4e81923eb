// The moderator's form: re-scale the areas, feedback (good practice / areas to develop), whether
// each audit action was completed, further actions with timescales, and agree or disagree with the
// auditor's grade. Saved as a draft page by page; submitted once.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { cancelJobs } from "../jobs";
import { AlreadyDone, ValidationFailed } from "../errors";
import { getGradeScale, loadAuditTool, type GradeScale } from "../catalogue";
import { addWorkingDays } from "../workingTime";
import type { Prisma } from "../../generated/prisma/client";
import { can } from "../stateMachine";
import { cardData, moderationFieldLabels, publishModeration } from "./card";
import { finalise } from "./finalise";
import { parseGrade } from "./grades";
import { LIMITS, load, moderationTransition, pageOf, refusal, run, type ActionCheck, type ModerationRow } from "./model";
import { moderationMachine } from "./states";

export type FormValues = Record<string, string>;

/** The saved draft with this page's inputs laid over it, and the page to show next. */
function keepFormValues(m: ModerationRow, raw: FormValues, goTo?: string): FormValues {
  const out: FormValues = { ...((m.draft ?? {}) as FormValues) };
  out.page = String(pageOf(goTo ?? raw.page ?? out.page));
  for (const [k, v] of Object.entries(raw)) {
    if (/^(area_\d+|action_[0-9a-f-]+|new\d_(what|days)|feedbackGood|feedbackDevelop|decision|proposed)$/.test(k) && typeof v === "string")
      out[k] = v.slice(0, LIMITS.feedback);
  }
  void m;
  return out;
}

async function asModerator(tx: Tx, actor: Actor, id: string): Promise<ModerationRow> {
  const m = await load(tx, id);
  if (m.moderatorId !== actor.id) await refusal(tx, actor, m, "Only the allocated moderator can do this.");
  if (!can(moderationMachine, "agree", m.status)) throw new AlreadyDone("This moderation has already been submitted.");
  return m;
}

/** Saves this page's inputs into the draft; `goTo` turns to another page (Next / Back). */
export async function saveDraft(ctx: AppContext, actor: Actor, id: string, raw: FormValues, goTo?: string) {
  return run(ctx, async (tx) => {
    const m = await asModerator(tx, actor, id);
    const draft = keepFormValues(m, raw, goTo);
    await tx.moderation.update({ where: { id }, data: { draft } });
    return cardData(tx, ctx, { ...m, draft }, actor, goTo ? "" : "Draft saved. Nothing has been sent yet.");
  });
}

interface Parsed {
  rescale: Record<string, number>;
  feedbackGood: string;
  feedbackDevelop: string;
  checks: ActionCheck[];
  newActions: { what: string; days: number }[];
  agree: boolean;
  proposed?: { grade: number; band: string };
}

/**
 * The form is filled in with the auditor's scores: an area is re-scaled only when the moderator
 * changed its score (an unchanged pre-filled score is the auditor's, not a re-scaling).
 */
function parseSubmission(m: ModerationRow, scale: GradeScale, raw: FormValues, auditorScores: Map<number, number | null>): Parsed {
  const errors: Record<string, string> = {};
  const rescale: Record<string, number> = {};
  for (const a of loadAuditTool().areas) {
    const v = (raw[`area_${a.number}`] ?? "").trim();
    if (v === "") continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 10) errors[`area_${a.number}`] = "A whole number from 0 to 10.";
    else if (auditorScores.get(a.number) !== n) rescale[String(a.number)] = n;
  }
  const checks: ActionCheck[] = [];
  for (const a of m.audit.actions.filter((x) => !x.moderationId)) {
    const v = raw[`action_${a.id}`];
    if (v !== "yes" && v !== "no") errors[`action_${a.id}`] = "Say whether this action was completed.";
    else checks.push({ actionId: a.id, completed: v === "yes" });
  }
  const newActions: { what: string; days: number }[] = [];
  for (let i = 1; i <= LIMITS.newActions; i++) {
    const what = (raw[`new${i}_what`] ?? "").trim();
    const daysRaw = (raw[`new${i}_days`] ?? "").trim();
    if (!what && !daysRaw) continue;
    const days = Number(daysRaw);
    if (!what) errors[`new${i}_what`] = "Say what needs doing.";
    else if (what.length > LIMITS.action) errors[`new${i}_what`] = `At most ${LIMITS.action} characters.`;
    if (!Number.isInteger(days) || days < 1 || days > LIMITS.maxActionDays)
      errors[`new${i}_days`] = `A timescale of 1–${LIMITS.maxActionDays} working days.`;
    else if (what) newActions.push({ what, days });
  }
  const feedbackGood = (raw.feedbackGood ?? "").trim();
  const feedbackDevelop = (raw.feedbackDevelop ?? "").trim();
  if (!feedbackGood) errors.feedbackGood = "Record the good practice you found.";
  if (!feedbackDevelop) errors.feedbackDevelop = "Record the areas to develop.";
  if (feedbackGood.length > LIMITS.feedback) errors.feedbackGood = `At most ${LIMITS.feedback} characters.`;
  if (feedbackDevelop.length > LIMITS.feedback) errors.feedbackDevelop = `At most ${LIMITS.feedback} characters.`;
  let proposed: { grade: number; band: string } | undefined;
  if (raw.decision !== "agree" && raw.decision !== "disagree") errors.decision = "Say whether you agree with the auditor's grade.";
  else if (raw.decision === "disagree") {
    try {
      proposed = parseGrade(scale, raw.proposed, "proposed");
      if (proposed.grade === m.audit.grade && proposed.band === m.audit.gradeBand)
        errors.proposed = "That is the auditor's grade: choose the grade you think is right.";
    } catch (err) {
      if (err instanceof ValidationFailed) Object.assign(errors, err.fieldErrors);
      else throw err;
    }
  }
  if (Object.keys(errors).length)
    throw new ValidationFailed("Some answers need attention. Your answers were kept as a draft.", errors, moderationFieldLabels(m));
  return { rescale, feedbackGood, feedbackDevelop, checks, newActions, agree: raw.decision === "agree", proposed };
}

export async function submitModeration(ctx: AppContext, actor: Actor, id: string, raw: FormValues) {
  const scale = await run(ctx, async (tx) => getGradeScale((await asModerator(tx, actor, id)).audit.gradeScaleId));
  let parsed: Parsed;
  const current = await run(ctx, (tx) => load(tx, id));
  // The last page submits; the areas come from the draft the earlier pages saved.
  const all = keepFormValues(current, raw);
  const answers = await run(ctx, (tx) =>
    tx.auditAnswer.findMany({ where: { auditId: current.auditId }, select: { area: true, score: true } }),
  );
  try {
    parsed = parseSubmission(current, scale, all, new Map(answers.map((a) => [a.area, a.score])));
  } catch (err) {
    if (err instanceof ValidationFailed) await saveDraft(ctx, actor, id, raw);
    throw err;
  }
  return run(ctx, async (tx) => {
    const m = await asModerator(tx, actor, id);
    const now = ctx.clock.now();
    await moderationTransition(tx, m, parsed.agree ? "agree" : "disagree", {
      actorId: actor.id,
      historyAction: "submitted",
      data: {
        rescale: parsed.rescale,
        feedbackGood: parsed.feedbackGood,
        feedbackDevelop: parsed.feedbackDevelop,
        actionChecks: parsed.checks as unknown as Prisma.InputJsonValue,
        agree: parsed.agree,
        submittedAt: now,
        draft: all,
        proposedGrade: parsed.proposed?.grade ?? null,
        proposedBand: parsed.proposed?.band ?? null,
        proposedById: parsed.proposed ? actor.id : null,
      },
      after: {
        agree: parsed.agree,
        proposed: parsed.proposed,
        rescale: parsed.rescale,
        checks: parsed.checks,
        newActions: parsed.newActions.length,
      },
    });
    for (const a of parsed.newActions)
      await tx.action.create({
        data: {
          auditId: m.auditId,
          moderationId: m.id,
          assigneeId: m.audit.practitionerId,
          createdById: actor.id,
          description: a.what,
          dueAt: addWorkingDays(now, a.days, ctx.config.TIMEZONE),
        },
      });
    await cancelJobs(tx, `moderation:${m.id}`);
    if (parsed.agree) await finalise(tx, ctx, await load(tx, id), { grade: m.audit.grade ?? 0, band: m.audit.gradeBand ?? "" }, actor.id);
    await publishModeration(tx, ctx, id);
    return cardData(tx, ctx, await load(tx, id), actor);
  });
}
