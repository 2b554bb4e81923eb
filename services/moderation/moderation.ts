// Moderation of completed audits (Bexley Children's Social Care Quality Assurance Framework, §1.3, fig 1.4). The moderator re-scales the areas,
// records feedback (good practice / areas to develop), checks whether each audit action was
// completed, adds actions with timescales and agrees or disagrees with the auditor's grade.
// Agree → the audit is finalised. Disagree → moderator and auditor agree a grade (either proposes,
// the other accepts), the moderator's manager approves it in Teams, and the audit keeps both
// grades ("moderated down from Good to Requires Improvement"). Still inadequate or actions
// outstanding → worker, TM and SM get a card with tasks due within 24 hours; the Head of QA is told
// of inadequate moderations. One shared card per moderation, rendered per viewer.
import { typedNumber } from "../../cards/schemas/cardData";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { may, type Actor } from "../permissions";
import { recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { AlreadyDone, Conflict, NotFound, NotPermitted, ValidationFailed } from "../errors";
import { bandById, bandForGrade, compareBands, getGradeScale, isInadequateBand, loadAuditTool, type GradeScale } from "../catalogue";
import { firstInChainWithRole, staffWithRole } from "../directory/staff";
import { addWorkingDays } from "../workingTime";
import { casUpdate, fmtDate, fmtDateTime, notify, refreshUserIds, showCardTo } from "../sharedCard";
import type { Prisma } from "../../generated/prisma/client";
import { sendOutcome } from "../audit/outcome";
import { zeroToTen } from "../audit/fields";

export const OVERDUE_JOB = "moderation.overdue";
export const TASKS_JOB = "moderation.tasksDue";
export const LIMITS = { feedback: 2000, action: 500, maxActionDays: 60, newActions: 3, chaseEveryWorkingDays: 2 } as const;
export const overdueJobKey = (id: string, n: number) => `moderation:${id}:overdue:${n}`;
export const cardKeyOf = (id: string) => `moderation:${id}`;
/** Areas per page of the moderator's form: 19 areas make 3 pages of at most 7, then the judgement page. */
export const AREAS_PER_PAGE = 7;

/** The form's pages: the areas in groups, then feedback, actions and judgement. */
export function modPageCount(): number {
  return Math.ceil(loadAuditTool().areas.length / AREAS_PER_PAGE) + 1;
}

/** A page number from a card's data or the saved draft, clamped to the form's pages (1 when unknown). */
function pageOf(v: unknown): number {
  const n = Number(v);
  return Number.isInteger(n) ? Math.min(Math.max(n, 1), modPageCount()) : 1;
}

type ModerationRow = Prisma.ModerationGetPayload<{ include: { audit: { include: { case: true; actions: true } } } }>;
interface ActionCheck {
  actionId: string;
  completed: boolean;
}

async function load(tx: Tx, id: string): Promise<ModerationRow> {
  const m = await tx.moderation.findUnique({
    where: { id },
    include: { audit: { include: { case: true, actions: { orderBy: { createdAt: "asc" } } } } },
  });
  if (!m) throw new NotFound("That moderation does not exist.");
  return m;
}

const run = <T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>) => ctx.db.$transaction(fn, { timeout: 20_000 });

// ---------------------------------------------------------------- grades

export function gradeLabel(scale: GradeScale, grade: number | null | undefined, bandId: string | null | undefined): string {
  if (grade === null || grade === undefined) return "not graded";
  const band = (bandId && bandById(scale, bandId)) || bandForGrade(scale, grade);
  return scale.input === "score" ? `${band?.label ?? "?"} (${grade})` : (band?.label ?? String(grade));
}

/** The grades a moderator or auditor may propose, as "grade|bandId" values. */
export function gradeChoices(scale: GradeScale): { title: string; value: string }[] {
  if (scale.input === "band") return scale.bands.map((b) => ({ title: b.label, value: `${b.value}|${b.id}` }));
  const out: { title: string; value: string }[] = [];
  const r = scale.scoreRange!;
  for (let v = r.min; v <= r.max + 1e-9; v += r.step) {
    const b = bandForGrade(scale, v);
    if (b) out.push({ title: `${v} — ${b.label}`, value: `${v}|${b.id}` });
  }
  for (const b of scale.bands.filter((x) => x.judgementOnly && x.max !== undefined))
    out.push({ title: `${b.max} — ${b.label}`, value: `${b.max}|${b.id}` });
  return out;
}

function parseGrade(scale: GradeScale, value: string | undefined, field: string): { grade: number; band: string } {
  const hit = gradeChoices(scale).find((c) => c.value === value);
  if (!hit) throw new ValidationFailed("Choose a grade from the list.", { [field]: "Choose a grade from the list." });
  const [g, b] = hit.value.split("|");
  return { grade: Number(g), band: b! };
}

/** "moderated down from Good to Requires Improvement" (bands compared by rank). */
export function movementText(scale: GradeScale, from: { grade: number; band: string }, to: { grade: number; band: string }): string {
  const a = bandById(scale, from.band);
  const b = bandById(scale, to.band);
  if (!a || !b) return `moderated from ${from.grade} to ${to.grade}`;
  const c = compareBands(a, b);
  if (c < 0) return `moderated down from ${a.label} to ${b.label}`;
  if (c > 0) return `moderated up from ${a.label} to ${b.label}`;
  return from.grade === to.grade
    ? `moderation agreed the grade ${a.label}`
    : `moderated from ${from.grade} to ${to.grade}, still ${a.label}`;
}

// ---------------------------------------------------------------- who is who

/** Moderator and auditor agree a grade; the TM stands in when the auditor has left. */
async function partiesOf(tx: Tx, m: ModerationRow): Promise<string[]> {
  const auditor = await tx.staff.findUnique({ where: { id: m.audit.auditorId }, select: { active: true } });
  const other = auditor?.active ? m.audit.auditorId : (m.audit.managerId ?? m.audit.auditorId);
  return [m.moderatorId, other];
}

/** The moderator's line manager approves the agreed grade; the Head of QA may approve too. */
async function approversOf(tx: Tx, m: ModerationRow): Promise<string[]> {
  const mod = await tx.staff.findUnique({ where: { id: m.moderatorId }, select: { lineManagerId: true } });
  const ids = new Set<string>();
  if (mod?.lineManagerId) ids.add(mod.lineManagerId);
  for (const s of await staffWithRole(tx, "HEAD_OF_QA")) ids.add(s.id);
  ids.delete(m.moderatorId);
  return [...ids];
}

async function viewersOf(tx: Tx, m: ModerationRow): Promise<string[]> {
  const ids = new Set<string>([m.moderatorId]);
  if (["agreeing", "awaiting_approval", "finalised"].includes(m.status) && m.agree === false)
    for (const p of await partiesOf(tx, m)) ids.add(p);
  if (m.status === "awaiting_approval" || (m.status === "finalised" && m.approvedAt)) for (const a of await approversOf(tx, m)) ids.add(a);
  // Everyone who was ever shown this card keeps seeing its current state (e.g. a replaced moderator).
  const shown = await tx.outboxMessage.findMany({ where: { cardKey: cardKeyOf(m.id), kind: "send" }, select: { recipientId: true } });
  for (const s of shown) ids.add(s.recipientId);
  return [...ids];
}

// ---------------------------------------------------------------- the card, per viewer

export async function cardData(
  tx: Tx,
  ctx: AppContext,
  m: ModerationRow,
  viewer: Actor | { id: string; roles: Actor["roles"] },
  error = "",
) {
  const tz = ctx.config.TIMEZONE;
  const scale = getGradeScale(m.audit.gradeScaleId);
  const tool = loadAuditTool();
  const people = new Map(
    (
      await tx.staff.findMany({
        where: {
          id: {
            in: [
              m.moderatorId,
              m.audit.auditorId,
              m.audit.practitionerId,
              ...(m.proposedById ? [m.proposedById] : []),
              ...(m.approverId ? [m.approverId] : []),
            ],
          },
        },
        select: { id: true, name: true },
      })
    ).map((s) => [s.id, s.name]),
  );
  const name = (id: string | null | undefined) => (id ? (people.get(id) ?? "") : "");
  const isModerator = viewer.id === m.moderatorId;
  const form = isModerator && m.status === "allocated";
  const draft = (m.draft ?? {}) as Record<string, string>;
  const pageCount = modPageCount();
  const page = pageOf(draft.page);
  const lastPage = page === pageCount;
  const pageAreas = lastPage ? [] : tool.areas.slice((page - 1) * AREAS_PER_PAGE, page * AREAS_PER_PAGE);
  const answers = form ? await tx.auditAnswer.findMany({ where: { auditId: m.auditId } }) : [];
  const scores = new Map(answers.map((a) => [a.area, a.score]));
  const parties = m.status === "agreeing" ? await partiesOf(tx, m) : [];
  const approvers = m.status === "awaiting_approval" ? await approversOf(tx, m) : [];
  const viewers = await viewersOf(tx, m);
  const original = { grade: m.audit.grade ?? 0, band: m.audit.gradeBand ?? "" };
  const checks = (m.actionChecks ?? []) as unknown as ActionCheck[];
  const rescale = (m.rescale ?? {}) as Record<string, number>;
  const isQa = may(viewer, "moderation.sample");
  let reassignChoices: { title: string; value: string }[] = [];
  if (isQa && m.status === "allocated") {
    const { excludedModerators, moderatorCandidates } = await import("./sampling");
    const excluded = await excludedModerators(tx, m.audit);
    reassignChoices = (await moderatorCandidates(tx))
      .filter((c) => !excluded.has(c.id) && c.id !== m.moderatorId)
      .map((c) => ({ title: c.name, value: c.id }));
  }
  let statusText: string;
  switch (m.status) {
    case "allocated":
      statusText = isModerator
        ? `Please return by ${fmtDate(m.returnDate, tz)}`
        : `With ${name(m.moderatorId)}, due back ${fmtDate(m.returnDate, tz)}`;
      break;
    case "agreeing":
      statusText = `The moderator disagrees with the grade. ${name(m.proposedById)} proposes ${gradeLabel(scale, m.proposedGrade, m.proposedBand)}.`;
      break;
    case "awaiting_approval":
      statusText = `Agreed grade ${gradeLabel(scale, m.agreedGrade, m.agreedBand)}: waiting for approval.`;
      break;
    case "finalised":
      statusText = `Finalised on ${fmtDate(m.finalisedAt ?? ctx.clock.now(), tz)}: ${
        m.agree
          ? "the moderator agreed the grade"
          : movementText(scale, original, { grade: m.agreedGrade ?? original.grade, band: m.agreedBand ?? original.band })
      }.`;
      break;
    default:
      statusText = m.status;
  }
  if (!isModerator && m.status === "allocated" && !isQa)
    statusText = `This moderation is now with ${name(m.moderatorId)}. Nothing more is needed from you.`;
  return {
    id: m.id,
    v: m.version,
    error,
    caseRef: m.audit.case.caseRef,
    auditor: name(m.audit.auditorId),
    practitioner: name(m.audit.practitionerId),
    moderator: name(m.moderatorId),
    originalGrade: gradeLabel(scale, m.audit.grade, m.audit.gradeBand),
    statusText,
    form,
    page,
    pageCount,
    pageTitle: lastPage
      ? "Feedback, actions and your judgement"
      : `Re-scale areas ${pageAreas[0]?.number}–${pageAreas.at(-1)?.number} (0–10)`,
    areaPage: form && !lastPage,
    lastPage: form && lastPage,
    nextPage: Math.min(page + 1, pageCount),
    prevPage: Math.max(page - 1, 1),
    hasPrev: page > 1,
    scoreChoices: zeroToTen(),
    areas: form
      ? pageAreas.map((a) => ({
          id: `area_${a.number}`,
          label: `${a.number}. ${a.title} (auditor: ${scores.get(a.number) ?? "–"})`,
          value: String(draft[`area_${a.number}`] ?? scores.get(a.number) ?? ""),
        }))
      : [],
    feedbackGood: draft.feedbackGood ?? "",
    feedbackDevelop: draft.feedbackDevelop ?? "",
    auditActions:
      form && lastPage
        ? m.audit.actions
            .filter((a) => !a.moderationId)
            .map((a) => ({
              id: `action_${a.id}`,
              label: `${a.description} (due ${fmtDate(a.dueAt, tz)}) — completed?`,
              value: draft[`action_${a.id}`] ?? "",
            }))
        : [],
    newActions:
      form && lastPage
        ? Array.from({ length: LIMITS.newActions }, (_, i) => ({
            whatId: `new${i + 1}_what`,
            daysId: `new${i + 1}_days`,
            whatLabel: `Further action ${i + 1} (optional, max ${LIMITS.action} characters)`,
            what: draft[`new${i + 1}_what`] ?? "",
            days: typedNumber(draft[`new${i + 1}_days`]),
          }))
        : [],
    decision: draft.decision ?? "",
    proposed: draft.proposed ?? "",
    gradeChoices: gradeChoices(scale),
    summary:
      m.status !== "allocated"
        ? [
            {
              title: "Re-scaled areas",
              value: Object.keys(rescale).length
                ? Object.entries(rescale)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join(", ")
                : "–",
            },
            { title: "Good practice", value: m.feedbackGood || "–" },
            { title: "Areas to develop", value: m.feedbackDevelop || "–" },
            {
              title: "Audit actions completed",
              value: checks.length ? `${checks.filter((c) => c.completed).length} of ${checks.length}` : "none recorded",
            },
            { title: "Moderator's view", value: m.agree ? "Agrees with the grade" : "Disagrees with the grade" },
          ]
        : [],
    canAccept: m.status === "agreeing" && parties.includes(viewer.id) && viewer.id !== m.proposedById,
    canPropose: m.status === "agreeing" && parties.includes(viewer.id),
    canApprove: m.status === "awaiting_approval" && approvers.includes(viewer.id),
    canReassign: reassignChoices.length > 0,
    reassignChoices,
    refresh: {
      action: { type: "Action.Execute", verb: "moderation.refresh", data: { id: m.id } },
      userIds: await refreshUserIds(tx, viewers),
    },
  };
}

export async function publishModeration(tx: Tx, ctx: AppContext, id: string): Promise<void> {
  const m = await load(tx, id);
  const viewers = await viewersOf(tx, m);
  const staff = await tx.staff.findMany({ where: { id: { in: viewers } }, select: { id: true, roles: true } });
  for (const s of staff) {
    await showCardTo(tx, ctx, {
      recipientId: s.id,
      cardKey: cardKeyOf(m.id),
      version: m.version,
      template: "moderation",
      kind: "moderation.card",
      data: await cardData(tx, ctx, m, s),
    });
  }
}

export async function moderationCardFor(ctx: AppContext, actor: Actor, id: string, error = "") {
  return run(ctx, async (tx) => {
    const m = await load(tx, id);
    const viewers = await viewersOf(tx, m);
    if (!viewers.includes(actor.id) && !may(actor, "moderation.sample"))
      throw new NotPermitted("Only the moderator, the auditor and the approving manager can see this moderation.");
    return cardData(tx, ctx, m, actor, error);
  });
}

// ---------------------------------------------------------------- the moderator's submission

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
  if (m.moderatorId !== actor.id) throw new NotPermitted("Only the allocated moderator can do this.");
  if (m.status !== "allocated") throw new AlreadyDone("This moderation has already been submitted.");
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

function parseSubmission(m: ModerationRow, scale: GradeScale, raw: FormValues): Parsed {
  const errors: Record<string, string> = {};
  const rescale: Record<string, number> = {};
  for (const a of loadAuditTool().areas) {
    const v = (raw[`area_${a.number}`] ?? "").trim();
    if (v === "") continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 10) errors[`area_${a.number}`] = "A whole number from 0 to 10.";
    else rescale[String(a.number)] = n;
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
  if (Object.keys(errors).length) throw new ValidationFailed("Some answers need attention. Your answers were kept as a draft.", errors);
  return { rescale, feedbackGood, feedbackDevelop, checks, newActions, agree: raw.decision === "agree", proposed };
}

export async function submitModeration(ctx: AppContext, actor: Actor, id: string, raw: FormValues) {
  const scale = await run(ctx, async (tx) => getGradeScale((await asModerator(tx, actor, id)).audit.gradeScaleId));
  let parsed: Parsed;
  const current = await run(ctx, (tx) => load(tx, id));
  // The last page submits; the areas come from the draft the earlier pages saved.
  const all = keepFormValues(current, raw);
  try {
    parsed = parseSubmission(current, scale, all);
  } catch (err) {
    if (err instanceof ValidationFailed) await saveDraft(ctx, actor, id, raw);
    throw err;
  }
  return run(ctx, async (tx) => {
    const m = await asModerator(tx, actor, id);
    const now = ctx.clock.now();
    await casUpdate(
      tx.moderation.updateMany({
        where: { id, version: m.version, status: "allocated" },
        data: {
          rescale: parsed.rescale,
          feedbackGood: parsed.feedbackGood,
          feedbackDevelop: parsed.feedbackDevelop,
          actionChecks: parsed.checks as unknown as Prisma.InputJsonValue,
          agree: parsed.agree,
          submittedAt: now,
          draft: all,
          status: parsed.agree ? "finalised" : "agreeing",
          proposedGrade: parsed.proposed?.grade ?? null,
          proposedBand: parsed.proposed?.band ?? null,
          proposedById: parsed.proposed ? actor.id : null,
          version: { increment: 1 },
        },
      }),
    );
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
    await recordHistory(tx, {
      entityType: "moderation",
      entityId: m.id,
      action: "submitted",
      actorId: actor.id,
      after: {
        agree: parsed.agree,
        proposed: parsed.proposed,
        rescale: parsed.rescale,
        checks: parsed.checks,
        newActions: parsed.newActions.length,
      },
    });
    await cancelJobs(tx, `moderation:${m.id}`);
    if (parsed.agree) await finalise(tx, ctx, await load(tx, id), { grade: m.audit.grade ?? 0, band: m.audit.gradeBand ?? "" }, actor.id);
    await publishModeration(tx, ctx, id);
    return cardData(tx, ctx, await load(tx, id), actor);
  });
}

// ---------------------------------------------------------------- agreeing a grade

async function asParty(tx: Tx, actor: Actor, id: string): Promise<ModerationRow> {
  const m = await load(tx, id);
  const parties = await partiesOf(tx, m);
  if (!parties.includes(actor.id)) throw new NotPermitted("Only the moderator and the auditor agree the grade.");
  if (m.status !== "agreeing")
    throw new AlreadyDone(
      m.status === "allocated" ? "The moderator has not submitted the moderation yet." : "The grade has already been agreed.",
    );
  return m;
}

export async function proposeGrade(ctx: AppContext, actor: Actor, p: { id: string; grade: string }) {
  return run(ctx, async (tx) => {
    const m = await asParty(tx, actor, p.id);
    const scale = getGradeScale(m.audit.gradeScaleId);
    const g = parseGrade(scale, p.grade, "grade");
    await casUpdate(
      tx.moderation.updateMany({
        where: { id: m.id, version: m.version, status: "agreeing" },
        data: { proposedGrade: g.grade, proposedBand: g.band, proposedById: actor.id, version: { increment: 1 } },
      }),
    );
    await recordHistory(tx, {
      entityType: "moderation",
      entityId: m.id,
      action: "grade_proposed",
      actorId: actor.id,
      before: { grade: m.proposedGrade, band: m.proposedBand, by: m.proposedById },
      after: { grade: g.grade, band: g.band },
    });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

export async function acceptGrade(ctx: AppContext, actor: Actor, p: { id: string; v?: number }) {
  return run(ctx, async (tx) => {
    const m = await asParty(tx, actor, p.id);
    if (m.proposedById === actor.id) throw new NotPermitted("You proposed this grade: the other person accepts it (or proposes another).");
    if (p.v !== undefined && p.v !== m.version)
      throw new Conflict("The proposed grade changed since your card was shown. Look at the new proposal before accepting.");
    await casUpdate(
      tx.moderation.updateMany({
        where: { id: m.id, version: m.version, status: "agreeing" },
        data: { agreedGrade: m.proposedGrade, agreedBand: m.proposedBand, status: "awaiting_approval", version: { increment: 1 } },
      }),
    );
    await recordHistory(tx, {
      entityType: "moderation",
      entityId: m.id,
      action: "grade_agreed",
      actorId: actor.id,
      after: { grade: m.proposedGrade, band: m.proposedBand, proposedBy: m.proposedById },
    });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

// ---------------------------------------------------------------- the manager's approval

export async function decideApproval(ctx: AppContext, actor: Actor, p: { id: string; approve: boolean }) {
  return run(ctx, async (tx) => {
    const m = await load(tx, p.id);
    const approvers = await approversOf(tx, m);
    if (!approvers.includes(actor.id))
      throw new NotPermitted("Only the moderator's manager (or the Head of QA) approves a moderated grade.");
    if (m.status !== "awaiting_approval")
      throw new AlreadyDone(
        m.status === "finalised" ? "This moderated grade has already been approved." : "Nothing is waiting for approval.",
      );
    const now = ctx.clock.now();
    await casUpdate(
      tx.moderation.updateMany({
        where: { id: m.id, version: m.version, status: "awaiting_approval" },
        data: p.approve
          ? { status: "finalised", approverId: actor.id, approvedAt: now, version: { increment: 1 } }
          : { status: "agreeing", agreedGrade: null, agreedBand: null, version: { increment: 1 } },
      }),
    );
    await recordHistory(tx, {
      entityType: "moderation",
      entityId: m.id,
      action: p.approve ? "grade_approved" : "grade_not_approved",
      actorId: actor.id,
      after: { grade: m.agreedGrade, band: m.agreedBand },
    });
    if (p.approve) await finalise(tx, ctx, await load(tx, m.id), { grade: m.agreedGrade ?? 0, band: m.agreedBand ?? "" }, actor.id);
    else
      for (const party of await partiesOf(tx, m))
        await notify(tx, ctx, {
          recipientId: party,
          idempotencyKey: `moderation:${m.id}:notapproved:${m.version}:${party}`,
          kind: "moderation.note",
          title: `Moderation of case ${m.audit.case.caseRef}: agreed grade not approved`,
          text: "Please agree the grade again on the moderation card.",
        });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

// ---------------------------------------------------------------- finalising and follow-up

async function finalise(tx: Tx, ctx: AppContext, m: ModerationRow, final: { grade: number; band: string }, actorId: string): Promise<void> {
  const now = ctx.clock.now();
  const scale = getGradeScale(m.audit.gradeScaleId);
  const original = { grade: m.audit.grade ?? 0, band: m.audit.gradeBand ?? "" };
  const text = movementText(scale, original, final);
  await tx.moderation.update({ where: { id: m.id }, data: { status: "finalised", finalisedAt: now } });
  await tx.audit.update({
    where: { id: m.auditId },
    data: { status: "finalised", finalisedAt: now, moderatedGrade: final.grade, moderatedBand: final.band, version: { increment: 1 } },
  });
  await recordHistory(tx, {
    entityType: "audit",
    entityId: m.auditId,
    action: "moderated",
    actorId,
    before: { status: m.audit.status, grade: original.grade, band: original.band },
    after: { status: "finalised", moderatedGrade: final.grade, moderatedBand: final.band, text, moderationId: m.id },
  });
  await recordHistory(tx, { entityType: "moderation", entityId: m.id, action: "finalised", actorId, after: { text } });
  const caseRef = m.audit.case.caseRef;
  const manager = m.audit.managerId ?? (await tx.staff.findUnique({ where: { id: m.audit.practitionerId } }))?.lineManagerId ?? null;
  // The learning loop: the practitioner and their manager receive the outcome again, as moderated.
  await sendOutcome(tx, ctx, m.auditId, { id: m.id, movement: text, feedbackGood: m.feedbackGood, feedbackDevelop: m.feedbackDevelop });

  const checks = (m.actionChecks ?? []) as unknown as ActionCheck[];
  const outstanding = m.audit.actions.filter((a) => checks.some((c) => c.actionId === a.id && !c.completed));
  const inadequate = isInadequateBand(scale, final.band);
  if (!inadequate && outstanding.length === 0) return;

  const hours = loadAuditTool().outcome.inadequate.immediateTasksWithinHours;
  const due = new Date(now.getTime() + hours * 3_600_000);
  const task = await tx.action.create({
    data: {
      auditId: m.auditId,
      moderationId: m.id,
      assigneeId: m.audit.practitionerId,
      createdById: actorId,
      description: inadequate
        ? `Immediate tasks after an inadequate moderation of case ${caseRef}${outstanding.length ? `, including: ${outstanding.map((a) => a.description).join("; ")}` : ""}`
        : `Complete the outstanding audit actions for case ${caseRef}: ${outstanding.map((a) => a.description).join("; ")}`,
      dueAt: due,
      immediate: true,
    },
  });
  await recordHistory(tx, {
    entityType: "action",
    entityId: task.id,
    action: "created",
    actorId,
    after: { dueAt: due, moderationId: m.id },
  });
  await scheduleJob(tx, { key: `moderation:${m.id}:tasks24h`, name: TASKS_JOB, runAt: due, data: { id: m.id, actionId: task.id } });
  const sm = await firstInChainWithRole(tx, m.audit.practitionerId, ["SERVICE_MANAGER"]);
  const why = inadequate ? `The moderated grade is ${gradeLabel(scale, final.grade, final.band)}` : "Audit actions are outstanding";
  const list = outstanding.length ? ` Outstanding: ${outstanding.map((a) => a.description).join("; ")}.` : "";
  for (const r of new Set([m.audit.practitionerId, ...(manager ? [manager] : []), ...(sm ? [sm.id] : [])]))
    await notify(tx, ctx, {
      recipientId: r,
      idempotencyKey: `moderation:${m.id}:tasks:${r}`,
      kind: "moderation.tasks",
      title: `Case ${caseRef}: tasks due within ${hours} hours`,
      text: `${why}.${list} The immediate tasks are due by ${fmtDateTime(due, ctx.config.TIMEZONE)}.`,
    });
  if (inadequate)
    for (const hq of await staffWithRole(tx, "HEAD_OF_QA"))
      await notify(tx, ctx, {
        recipientId: hq.id,
        idempotencyKey: `moderation:${m.id}:inadequate:${hq.id}`,
        kind: "moderation.inadequate",
        title: `Moderation graded inadequate: case ${caseRef}`,
        text: `Original grade ${gradeLabel(scale, original.grade, original.band)}; ${text}. Immediate tasks are due by ${fmtDateTime(due, ctx.config.TIMEZONE)}.`,
      });
}

/** Job: the 24-hour tasks are due; chase the worker and their manager if not done. */
export async function tasksDue(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const action = await tx.action.findUnique({ where: { id: String(data.actionId) } });
  if (!action || action.status !== "open") return;
  const m = await load(tx, String(data.id));
  const manager = m.audit.managerId ?? (await tx.staff.findUnique({ where: { id: m.audit.practitionerId } }))?.lineManagerId ?? null;
  await recordHistory(tx, { entityType: "action", entityId: action.id, action: "chased", after: { dueAt: action.dueAt } });
  for (const r of new Set([action.assigneeId, ...(manager ? [manager] : [])]))
    await notify(tx, ctx, {
      recipientId: r,
      idempotencyKey: `moderation:${m.id}:tasks-chase:${r}`,
      kind: "moderation.tasks",
      title: `Overdue: immediate tasks for case ${m.audit.case.caseRef}`,
      text: `"${action.description}" was due by ${fmtDateTime(action.dueAt, ctx.config.TIMEZONE)} and is not recorded as done.`,
    });
}

/** Job: the return date passed; chase the moderator and tell the QA officer who allocated it. */
export async function moderationOverdue(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const m = await tx.moderation.findUnique({
    where: { id: String(data.id) },
    include: { audit: { include: { case: true, actions: true } } },
  });
  if (!m || m.status !== "allocated") return;
  const n = Number(data.n ?? 1);
  const now = ctx.clock.now();
  await recordHistory(tx, { entityType: "moderation", entityId: m.id, action: "chased", after: { n, moderatorId: m.moderatorId } });
  await notify(tx, ctx, {
    recipientId: m.moderatorId,
    idempotencyKey: `moderation:${m.id}:chase:${n}:${m.moderatorId}`,
    kind: "moderation.note",
    title: `Moderation overdue: case ${m.audit.case.caseRef}`,
    text: `It was due back on ${fmtDate(m.returnDate, ctx.config.TIMEZONE)}. Please complete it on the moderation card, or tell the QA team if you cannot.`,
  });
  if (m.allocatedById) {
    const qa = await tx.staff.findUnique({ where: { id: m.allocatedById }, select: { id: true, roles: true } });
    if (qa)
      await showCardTo(tx, ctx, {
        recipientId: qa.id,
        cardKey: cardKeyOf(m.id),
        version: m.version,
        template: "moderation",
        kind: "moderation.card",
        data: await cardData(tx, ctx, m, qa, "Overdue: you can reassign it."),
      });
  }
  await scheduleJob(tx, {
    key: overdueJobKey(m.id, n + 1),
    name: OVERDUE_JOB,
    runAt: addWorkingDays(now, LIMITS.chaseEveryWorkingDays, ctx.config.TIMEZONE),
    data: { id: m.id, n: n + 1 },
  });
}

/** QA moves an allocated moderation to another eligible moderator; the history keeps both. */
export async function reassign(ctx: AppContext, actor: Actor, p: { id: string; moderatorId: string; returnWorkingDays?: number }) {
  if (!may(actor, "moderation.sample")) throw new NotPermitted("Only the QA team reassigns moderations.");
  return run(ctx, async (tx) => {
    const m = await load(tx, p.id);
    if (m.status !== "allocated") throw new AlreadyDone("This moderation has already been submitted; it cannot be reassigned.");
    const { excludedModerators, moderatorCandidates, DEFAULT_RETURN_WORKING_DAYS } = await import("./sampling");
    const excluded = await excludedModerators(tx, m.audit);
    const ok = (await moderatorCandidates(tx)).find((c) => c.id === p.moderatorId);
    if (!ok || excluded.has(p.moderatorId) || p.moderatorId === m.moderatorId)
      throw new ValidationFailed("Choose another moderator who did not audit or manage this case.", { moderatorId: "Not eligible." });
    const now = ctx.clock.now();
    const returnDate = addWorkingDays(now, p.returnWorkingDays ?? DEFAULT_RETURN_WORKING_DAYS, ctx.config.TIMEZONE);
    await casUpdate(
      tx.moderation.updateMany({
        where: { id: m.id, version: m.version, status: "allocated" },
        data: { moderatorId: p.moderatorId, returnDate, draft: {}, version: { increment: 1 } },
      }),
    );
    await recordHistory(tx, {
      entityType: "moderation",
      entityId: m.id,
      action: "reassigned",
      actorId: actor.id,
      before: { moderatorId: m.moderatorId, returnDate: m.returnDate },
      after: { moderatorId: p.moderatorId, returnDate },
    });
    await cancelJobs(tx, `moderation:${m.id}`);
    await scheduleJob(tx, {
      key: `${overdueJobKey(m.id, 1)}:r${m.version + 1}`,
      name: OVERDUE_JOB,
      runAt: returnDate,
      data: { id: m.id, n: 1 },
    });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

/** The actor's moderations still needing something from them. */
export async function myModerations(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db.moderation.findMany({
    where: { status: { not: "finalised" }, moderatorId: actor.id },
    include: { audit: { include: { case: true } } },
    orderBy: { returnDate: "asc" },
    take: 30,
  });
  return {
    total: rows.length,
    items: rows.map((m) => ({
      id: m.id,
      title: `${m.audit.case.caseRef} · ${m.status.replace("_", " ")}`,
      subtitle: `Due back ${fmtDate(m.returnDate, ctx.config.TIMEZONE)}`,
    })),
  };
}
