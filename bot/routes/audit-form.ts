// The audit itself (steps 3–7): my audits, the paged form with drafts, submit, read-only view,
// my actions / mark done, and the auditor's follow-up. Routes only translate; rules are in services.
import { countOf } from "../../services/words";
import { z } from "zod";
import { defineRoute } from "../router";
import { renderCard } from "../../cards/render";
import { actionDoneSchema, auditOpenSchema, auditPageSchema, auditRefSchema, auditSubmitSchema } from "../../cards/schemas/audit";
import { myAudits } from "../../services/audit/lists";
import { openAuditForm, PageInvalid, reviewWithErrors, saveAuditPage, viewAudit } from "../../services/audit/form";
import { AuditIncomplete, submitAudit } from "../../services/audit/submit";
import { FollowUpInvalid, markActionDone, myActions, recordFollowUp } from "../../services/audit/actions";
import { findAudit, mayView } from "../../services/audit/access";

export function auditFormRoutes() {
  return [
    defineRoute({
      verb: "audits.mine",
      capability: "audits.mine",
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        return { card: renderCard("audit-list", await myAudits(app, actor)) };
      },
    }),
    defineRoute({
      verb: "audit.open",
      capability: "audits.mine",
      schema: auditOpenSchema,
      async handle({ app, actor, data }) {
        const audit = await findAudit(app.db, data.auditId);
        // A manager who presses Open on a team audit gets the read-only view.
        if (audit.auditorId !== actor.id && (await mayView(app.db, actor, audit))) {
          return { card: renderCard("audit-view", await viewAudit(app, actor, data.auditId)) };
        }
        return { card: renderCard("audit-page", { ...(await openAuditForm(app, actor, data.auditId, data.page, audit)) }) };
      },
    }),
    defineRoute({
      verb: "audit.page.save",
      capability: "audits.mine",
      schema: auditPageSchema,
      async handle({ app, actor, data }) {
        const { auditId, page, version, nav, ...inputs } = data;
        try {
          const r = await saveAuditPage(app, actor, { auditId, page, version, nav, data: inputs });
          if (r.closed) {
            return { card: renderCard("audit-saved", { auditId: r.card.auditId, caseRef: r.card.caseRef, message: r.card.message }) };
          }
          return { card: renderCard("audit-page", { ...r.card }) };
        } catch (err) {
          if (err instanceof PageInvalid) return { card: renderCard("audit-page", { ...err.card }) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "audit.submit",
      capability: "audits.mine",
      schema: auditSubmitSchema,
      async handle({ app, actor, data }) {
        try {
          const r = await submitAudit(app, actor, data.auditId, data.version);
          return {
            card: renderCard("message", {
              title: `Audit submitted: case ${r.caseRef}`,
              text: `Overall rating ${r.grade}. ${countOf(r.actions, "action")} sent to the people who will do them. You will be asked to follow up in 5 working days.${r.inadequate ? " Graded inadequate: the worker, managers and the QA team have been told, with immediate tasks due within 24 hours." : ""}`,
            }),
          };
        } catch (err) {
          if (err instanceof AuditIncomplete)
            return { card: renderCard("audit-page", { ...(await reviewWithErrors(app, data.auditId, err.problems)) }) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "audit.view",
      capability: "audits.mine",
      schema: auditRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("audit-view", await viewAudit(app, actor, data.auditId)) };
      },
    }),
    defineRoute({
      verb: "actions.mine",
      capability: "actions.mine",
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        return { card: renderCard("action-list", await myActions(app, actor)) };
      },
    }),
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
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard("audit-followup", await recordFollowUp(app, actor, data.auditId, data)) };
        } catch (err) {
          if (err instanceof FollowUpInvalid) return { card: renderCard("audit-followup", { ...err.card, recorded: false }) };
          throw err;
        }
      },
    }),
  ];
}
