// The moderation's shared card, rendered per viewer: the moderator's form while allocated, then
// the agreeing, approval and final states; the QA team may reassign while it is allocated.
import { typedNumber } from "../../cards/schemas/cardData";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { may, type Actor } from "../permissions";
import { getGradeScale, loadAuditTool } from "../catalogue";
import { fmtDate, refreshUserIds, showCardTo } from "../viewerCards";
import { zeroToTen } from "../audit/fields";
import { excludedModerators, moderatorCandidates } from "./eligibility";
import { gradeChoices, gradeLabel, movementText } from "./grades";
import {
  approversOf,
  AREAS_PER_PAGE,
  cardKeyOf,
  LIMITS,
  load,
  modPageCount,
  pageOf,
  partiesOf,
  refusal,
  run,
  viewersOf,
  type ActionCheck,
  type ModerationRow,
} from "./model";
import type { ModerationStatus } from "./states";

/** At most this many characters of an action's text name it in a message ("Action 1 (Update the plan…)"). */
const SHORT_ACTION = 50;

/** The audit's actions the moderator says were completed or not, numbered as the form shows them. */
const actionsToCheck = (m: ModerationRow) => m.audit.actions.filter((a) => !a.moderationId);

/**
 * Each field of the moderator's form as its question reads on the card, for messages that name it
 * ("Action 1 (Update the safety plan…): Say whether this action was completed."): never its id.
 */
export function moderationFieldLabels(m: ModerationRow): Record<string, string> {
  const labels: Record<string, string> = {
    feedbackGood: "Good practice",
    feedbackDevelop: "Areas to develop",
    decision: "Do you agree with the auditor's grade?",
    proposed: "The grade you propose",
  };
  for (const a of loadAuditTool().areas) labels[`area_${a.number}`] = `Area ${a.number} (${a.title})`;
  actionsToCheck(m).forEach((a, i) => {
    const text = a.description.replace(/\s+/g, " ").trim();
    labels[`action_${a.id}`] = `Action ${i + 1} (${text.length > SHORT_ACTION ? `${text.slice(0, SHORT_ACTION - 1).trimEnd()}…` : text})`;
  });
  for (let i = 1; i <= LIMITS.newActions; i++) {
    labels[`new${i}_what`] = `Further action ${i}`;
    labels[`new${i}_days`] = `Further action ${i}: working days`;
  }
  return labels;
}

/**
 * Why the approver sent the agreed grade back, while that is the moderation's last step: the
 * parties see it on the card they agree the grade on again, not only in the note they were sent.
 */
async function sentBackNote(tx: Tx, id: string): Promise<string> {
  const last = await tx.history.findFirst({ where: { entityType: "moderation", entityId: id }, orderBy: { id: "desc" } });
  if (last?.action !== "grade_not_approved") return "";
  const reason = (last.after as { reason?: unknown } | null)?.reason;
  const by = last.actorId ? (await tx.staff.findUnique({ where: { id: last.actorId }, select: { name: true } }))?.name : undefined;
  return typeof reason === "string" && reason ? ` ${by ?? "The approver"} sent the agreed grade back: ${reason}` : "";
}

export async function cardData(
  tx: Tx,
  ctx: AppContext,
  m: ModerationRow,
  viewer: Actor | { id: string; roles: Actor["roles"] },
  error = "",
  /** The form's problems by field id: shown next to each field, and listed by question under `error`. */
  errors: Record<string, string> = {},
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
  // Typed, so each status named below is checked against the machine's.
  const status = m.status as ModerationStatus;
  const isModerator = viewer.id === m.moderatorId;
  const form = isModerator && status === "allocated";
  const draft = (m.draft ?? {}) as Record<string, string>;
  const pageCount = modPageCount();
  const page = pageOf(draft.page);
  const lastPage = page === pageCount;
  const pageAreas = lastPage ? [] : tool.areas.slice((page - 1) * AREAS_PER_PAGE, page * AREAS_PER_PAGE);
  const answers = form || status !== "allocated" ? await tx.auditAnswer.findMany({ where: { auditId: m.auditId } }) : [];
  const scores = new Map(answers.map((a) => [a.area, a.score]));
  const parties = status === "agreeing" ? await partiesOf(tx, m) : [];
  const approvers = status === "awaiting_approval" ? await approversOf(tx, m) : [];
  const viewers = await viewersOf(tx, m);
  const original = { grade: m.audit.grade ?? 0, band: m.audit.gradeBand ?? "" };
  const checks = (m.actionChecks ?? []) as unknown as ActionCheck[];
  // Re-scaled: the areas whose score the moderator changed (a moderation saved before the form left
  // unchanged scores out may hold the auditor's own score for every area: those are not re-scaled).
  const rescaled = Object.entries((m.rescale ?? {}) as Record<string, number>)
    .filter(([area, v]) => scores.get(Number(area)) !== v)
    .sort(([x], [y]) => Number(x) - Number(y))
    .map(([area, v]) => `Area ${area}: ${scores.get(Number(area)) ?? "–"} → ${v}`);
  const isQa = may(viewer, "moderation.sample");
  let reassignChoices: { title: string; value: string }[] = [];
  if (isQa && status === "allocated") {
    const excluded = await excludedModerators(tx, m.audit);
    reassignChoices = (await moderatorCandidates(tx))
      .filter((c) => !excluded.has(c.id) && c.id !== m.moderatorId)
      .map((c) => ({ title: c.name, value: c.id }));
  }
  let statusText: string;
  switch (status) {
    case "allocated":
      statusText = isModerator
        ? `Please return by ${fmtDate(m.returnDate, tz)}`
        : `With ${name(m.moderatorId)}, due back ${fmtDate(m.returnDate, tz)}`;
      break;
    case "agreeing":
      statusText = `The moderator disagrees with the grade. ${name(m.proposedById)} proposes ${gradeLabel(scale, m.proposedGrade, m.proposedBand)}.${await sentBackNote(tx, m.id)}`;
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
  if (!isModerator && status === "allocated" && !isQa)
    statusText = `This moderation is now with ${name(m.moderatorId)}. Nothing more is needed from you.`;
  const labels = Object.keys(errors).length ? moderationFieldLabels(m) : {};
  return {
    id: m.id,
    v: m.version,
    error,
    problems: Object.entries(errors).map(([k, v]) => ({ text: `${labels[k] ?? "An answer"}: ${v}` })),
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
    feedbackGoodError: errors.feedbackGood ?? "",
    feedbackDevelopError: errors.feedbackDevelop ?? "",
    decisionError: errors.decision ?? "",
    proposedError: errors.proposed ?? "",
    auditActions:
      form && lastPage
        ? actionsToCheck(m).map((a, i) => ({
            id: `action_${a.id}`,
            label: `Action ${i + 1}: ${a.description} (due ${fmtDate(a.dueAt, tz)}) — completed?`,
            value: draft[`action_${a.id}`] ?? "",
            error: errors[`action_${a.id}`] ?? "",
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
            error: [errors[`new${i + 1}_what`], errors[`new${i + 1}_days`]].filter(Boolean).join(" "),
          }))
        : [],
    decision: draft.decision ?? "",
    proposed: draft.proposed ?? "",
    gradeChoices: gradeChoices(scale),
    summary:
      status !== "allocated"
        ? [
            {
              title: "Re-scaled areas",
              value: rescaled.length ? rescaled.join(", ") : "None: the moderator kept the auditor's scores",
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
    canAccept: status === "agreeing" && parties.includes(viewer.id) && viewer.id !== m.proposedById,
    canPropose: status === "agreeing" && parties.includes(viewer.id),
    canApprove: status === "awaiting_approval" && approvers.includes(viewer.id),
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

export async function moderationCardFor(ctx: AppContext, actor: Actor, id: string, error = "", errors: Record<string, string> = {}) {
  return run(ctx, async (tx) => {
    const m = await load(tx, id);
    const viewers = await viewersOf(tx, m);
    if (!viewers.includes(actor.id) && !may(actor, "moderation.sample"))
      await refusal(tx, actor, m, "Only the moderator, the auditor and the approving manager can see this moderation.");
    return cardData(tx, ctx, m, actor, error, errors);
  });
}
