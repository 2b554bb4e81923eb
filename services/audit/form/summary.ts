// What the audit holds so far: the review page before submitting, and submit's own checks.
import type { AppContext } from "../../context";
import type { Tx } from "../../db";
import { loadAuditTool } from "../../catalogue";
import type { AuditWithCase } from "../access";
import { actionRows } from "../actions";
import { FEEDBACK_KINDS, feedbackSummary } from "../feedback";
import type { FieldDef } from "../fields";
import { resolveGrade, scaleFor } from "../grading";
import type { AuditDraft } from "./layout";

export async function reviewFields(tx: Tx, ctx: AppContext, audit: AuditWithCase): Promise<FieldDef[]> {
  const s = await auditSummary(tx, ctx, audit);
  return [
    {
      kind: "heading",
      id: "h-review",
      label: "Check before you submit",
      note: "Submitting sends the actions to the people who must do them. The audit cannot be changed afterwards.",
    },
    { kind: "info", id: "r-health", label: `Health check: ${s.healthAnswered} of ${s.healthTotal} answered` },
    {
      kind: "info",
      id: "r-areas",
      label: `Areas rated: ${s.areasScored} of ${s.areasTotal}${s.missingAreas.length ? ` (missing: ${s.missingAreas.join(", ")})` : ""}`,
    },
    ...s.feedback.map((f): FieldDef => ({ kind: "info", id: `r-fb-${f.kind}`, label: `Feedback (${f.kind}): ${f.summary}` })),
    { kind: "info", id: "r-grade", label: `Overall rating: ${s.gradeText}` },
    { kind: "info", id: "r-actions", label: `Actions: ${s.actions} (${s.immediate} immediate)` },
  ];
}

export async function auditSummary(tx: Tx, ctx: AppContext, audit: AuditWithCase) {
  const tool = loadAuditTool();
  const draft = (audit.draft ?? {}) as AuditDraft;
  const answers = await tx.auditAnswer.findMany({ where: { auditId: audit.id }, orderBy: { area: "asc" } });
  const feedback = await tx.feedback.findMany({ where: { auditId: audit.id } });
  const scored = new Set(answers.filter((a) => a.score !== null).map((a) => a.area));
  const scale = scaleFor(ctx.config, audit.gradeScaleId);
  const outcome = draft.outcome ?? {};
  const g = resolveGrade(scale, outcome);
  const rows = actionRows(outcome);
  return {
    healthAnswered: Object.entries(draft.health ?? {}).filter(([k, v]) => k.startsWith("hc_") && v).length,
    healthTotal: tool.caseFileHealthCheck.items.length,
    areasScored: scored.size,
    areasTotal: tool.areas.length,
    missingAreas: tool.areas.filter((a) => !scored.has(a.number)).map((a) => a.number),
    feedback: FEEDBACK_KINDS.map((kind) => {
      const rows = feedback.filter((f) => f.kind === kind).sort((x, y) => x.member - y.member);
      const obtained = rows.filter((f) => f.obtained).length;
      return {
        kind,
        summary:
          feedbackSummary(rows.find((f) => f.obtained) ?? rows[0]) + (rows.length > 1 ? ` (${obtained} of ${rows.length} people)` : ""),
        recorded: rows.length > 0,
      };
    }),
    gradeText: g.band ? `${g.grade} (${g.band.label})` : "not given yet",
    band: g.band,
    grade: g.grade,
    actions: rows.length,
    immediate: rows.filter((r) => r.immediate).length,
    answers,
    scale,
  };
}
