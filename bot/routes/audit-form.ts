// The audit itself (steps 3–7): my audits, the paged form with drafts, submit, read-only view,
// my actions / mark done, and the auditor's follow-up. Routes only translate; rules are in services.
import { defineRoute, showRoute, command, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { actionDoneSchema, auditOpenSchema, auditPageSchema, auditRefSchema, auditSubmitSchema } from "../../cards/schemas/audit";
import { myAudits } from "../../services/audit/lists";
import { PageInvalid, reviewWithErrors, saveAuditPage, viewAudit } from "../../services/audit/form";
import { AuditIncomplete, submitAudit } from "../../services/audit/submit";
import { FollowUpInvalid, markActionDone, myActions, recordFollowUp } from "../../services/audit/actions";
import { openAudit, submittedMessage } from "../../services/audit/viewer";

export const commands: Command[] = [
  command("my audits", "audits.mine", "Audits you carry out, audits of your cases, your team's audits", { button: "My audits" }),
  command("my actions", "actions.mine", "Actions from audits that you need to do", { button: "My actions" }),
];

export function routes() {
  return [
    showRoute("audits.mine", "audits.mine", "audit-list", myAudits),
    defineRoute({
      verb: "audit.open",
      capability: "audits.mine",
      schema: auditOpenSchema,
      async handle({ app, actor, data }) {
        const opened = await openAudit(app, actor, data.auditId, data.page);
        return { card: opened.kind === "view" ? renderCard("audit-view", opened.card) : renderCard("audit-page", { ...opened.card }) };
      },
    }),
    defineRoute({
      verb: "audit.page.save",
      capability: "audits.mine",
      schema: auditPageSchema,
      async handle({ app, actor, data }) {
        const { auditId, page, version, nav, ...inputs } = data;
        const r = await saveAuditPage(app, actor, { auditId, page, version, nav, data: inputs });
        if (!r.closed) return { card: renderCard("audit-page", { ...r.card }) };
        return { card: renderCard("audit-saved", { auditId: r.card.auditId, caseRef: r.card.caseRef, message: r.card.message }) };
      },
      reshow: async (_req, err) => (err instanceof PageInvalid ? { card: renderCard("audit-page", { ...err.card }) } : undefined),
    }),
    defineRoute({
      verb: "audit.submit",
      capability: "audits.mine",
      schema: auditSubmitSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("message", submittedMessage(await submitAudit(app, actor, data.auditId, data.version))) };
      },
      async reshow({ app, data }, err) {
        if (!(err instanceof AuditIncomplete)) return undefined;
        return { card: renderCard("audit-page", { ...(await reviewWithErrors(app, data.auditId, err.problems)) }) };
      },
    }),
    defineRoute({
      verb: "audit.view",
      capability: "audits.mine",
      schema: auditRefSchema,
      handle: async ({ app, actor, data }) => ({ card: renderCard("audit-view", await viewAudit(app, actor, data.auditId)) }),
    }),
    showRoute("actions.mine", "actions.mine", "action-list", myActions),
    defineRoute({
      verb: "action.done",
      capability: "actions.mine",
      schema: actionDoneSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("action-card", await markActionDone(app, actor, data.actionId, (data.note ?? "").trim())) };
      },
    }),
    defineRoute({
      verb: "audit.followUp.save",
      capability: "audits.mine",
      schema: auditRefSchema,
      handle: async ({ app, actor, data }) => ({
        card: renderCard("audit-followup", await recordFollowUp(app, actor, data.auditId, data)),
      }),
      reshow: async (_req, err) =>
        err instanceof FollowUpInvalid ? { card: renderCard("audit-followup", { ...err.card, recorded: false }) } : undefined,
    }),
  ];
}
