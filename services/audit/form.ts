// Step 3, the collaborative audit form, paged so every card stays small: case file health check
// (with the practitioner's self-assessment), the 19 areas of practice a few at a time, feedback
// (child, family, network), grade & actions, review & submit. Every page submit saves a draft in
// the database (AuditAnswer rows, Feedback rows, Audit.draft), so the auditor can resume on any
// device. Audit.version guards against two devices overwriting each other silently. The pages are
// in form/; this file opens the form and shows an audit read-only.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { loadAuditTool } from "../catalogue";
import { fmtDateTime } from "../viewerCards";
import { findAudit, findAuditWithAnswers, requireAuditor, requireView, type AuditWithCase } from "./access";
import { pageCard, type PageCard } from "./form/card";
import { pageAreas, pageIds, type AuditDraft } from "./form/layout";
import { requireEditable } from "./form/save";
import { auditSummary } from "./form/summary";

export { AREA_TEXT_MAX, AREAS_PER_PAGE, areaFields, EVIDENCE_MAX, PAGE_TEXT_BUDGET_BYTES, pageIds } from "./form/layout";
export type { AuditDraft, Nav } from "./form/layout";
export type { PageCard } from "./form/card";
export { PageInvalid, saveAuditPage } from "./form/save";
export { auditSummary } from "./form/summary";

/** Start or resume: the page last saved (or the first), from the database. */
export async function openAuditForm(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  page?: string,
  /** The audit as the caller just read it (saves a second read). */
  loaded?: AuditWithCase,
): Promise<PageCard> {
  const named = page && pageIds().includes(page) ? page : undefined;
  // A page named by the button: its answers come with the audit (one read instead of two).
  const { audit, answers } =
    loaded?.id === auditId
      ? { audit: loaded, answers: undefined }
      : named
        ? await findAuditWithAnswers(ctx.db, auditId, pageAreas(named))
        : { audit: await findAudit(ctx.db, auditId), answers: undefined };
  await requireAuditor(ctx.db, actor, audit);
  requireEditable(audit);
  const draft = (audit.draft ?? {}) as AuditDraft;
  const wanted = named ?? draft.page ?? "health";
  // Reads only: no transaction (each read sees committed data, as it would inside one).
  return pageCard(ctx.db, ctx, audit, wanted, { known: answers });
}

/** Page to show again with the submit errors (fields live on other pages, so as a list). */
export async function reviewWithErrors(ctx: AppContext, auditId: string, errors: string[]): Promise<PageCard> {
  const audit = await findAudit(ctx.db, auditId);
  return ctx.db.$transaction((tx) =>
    pageCard(tx, ctx, audit, "review", { errorSummary: errors, message: "The audit is not complete yet. Nothing was submitted." }),
  );
}

// ------------------------------------------------------------------ read-only view

export async function viewAudit(ctx: AppContext, actor: Actor, auditId: string) {
  const audit = await findAudit(ctx.db, auditId);
  await requireView(ctx.db, actor, audit);
  return ctx.db.$transaction(async (tx) => {
    const s = await auditSummary(tx, ctx, audit);
    const tool = loadAuditTool();
    const staff = await tx.staff.findMany({
      where: { id: { in: [audit.auditorId, audit.practitionerId] } },
      select: { id: true, name: true },
    });
    const name = (id: string) => staff.find((x) => x.id === id)?.name ?? "";
    const actions = await tx.action.findMany({ where: { auditId }, orderBy: { createdAt: "asc" } });
    const assignees = await tx.staff.findMany({
      where: { id: { in: actions.map((a) => a.assigneeId) } },
      select: { id: true, name: true },
    });
    const band = audit.gradeBand ? s.scale.bands.find((b) => b.id === audit.gradeBand) : undefined;
    return {
      auditId,
      caseRef: audit.case.caseRef,
      status: audit.status.replace(/_/g, " "),
      auditor: name(audit.auditorId),
      practitioner: name(audit.practitionerId),
      grade: audit.grade !== null && band ? `${audit.grade} (${band.label})` : "not graded yet",
      readOnly: actor.id !== audit.auditorId,
      areas: tool.areas.map((a) => {
        const ans = s.answers.find((x) => x.area === a.number);
        return {
          title: `${a.number}. ${a.title.slice(0, 90)}${a.title.length > 90 ? "…" : ""}`,
          score: ans?.score === null || ans?.score === undefined ? "–" : String(ans.score),
        };
      }),
      feedback: s.feedback.map((f) => ({ title: f.kind, value: f.summary })),
      actions: actions.map((a) => ({
        title: `${assignees.find((x) => x.id === a.assigneeId)?.name ?? ""}, by ${fmtDateTime(a.dueAt, ctx.config.TIMEZONE)}${a.immediate ? " (immediate)" : ""}`,
        value: `${a.description} [${a.status}]`,
      })),
    };
  });
}
