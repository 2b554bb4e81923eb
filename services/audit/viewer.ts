// Who sees which card of an audit, and what the auditor is told once it is submitted. The
// deadlines quoted come from the audit tool (Bexley Children's Social Care Quality Assurance
// Framework, §1.3 steps 6–7 and "Inadequate Audits"), so the card says what the scheduler does.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { loadAuditTool } from "../catalogue";
import { countOf } from "../words";
import { findAudit, mayView } from "./access";
import { openAuditForm, viewAudit, type PageCard } from "./form";
import type { submitAudit } from "./submit";

export type OpenedAudit = { kind: "form"; card: PageCard } | { kind: "view"; card: Awaited<ReturnType<typeof viewAudit>> };

/**
 * "Open" on an audit: its auditor gets the form (at `page`, or where they left off); anyone else
 * who may read it (a manager of the team, the practitioner, the QA team) the read-only view.
 */
export async function openAudit(ctx: AppContext, actor: Actor, auditId: string, page?: string): Promise<OpenedAudit> {
  const audit = await findAudit(ctx.db, auditId);
  if (audit.auditorId !== actor.id && (await mayView(ctx.db, actor, audit)))
    return { kind: "view", card: await viewAudit(ctx, actor, auditId) };
  return { kind: "form", card: await openAuditForm(ctx, actor, auditId, page, audit) };
}

/** The confirmation after submitting: what happens next, with the audit tool's own deadlines. */
export function submittedMessage(r: Awaited<ReturnType<typeof submitAudit>>): { title: string; text: string } {
  const { followUp, inadequate } = loadAuditTool().outcome;
  const next = `You will be asked to follow up in ${countOf(followUp.workingDays, "working day")}.`;
  const told = r.inadequate
    ? ` Graded inadequate: the worker, managers and the QA team have been told, with immediate tasks due within ${countOf(inadequate.immediateTasksWithinHours, "hour")}.`
    : "";
  return {
    title: `Audit submitted: case ${r.caseRef}`,
    text: `Overall rating ${r.grade}. ${countOf(r.actions, "action")} sent to the people who will do them. ${next}${told}`,
  };
}
