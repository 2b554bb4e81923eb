// The audit itself (steps 3–7): my audits, the paged form with drafts, submit, read-only view,
// my actions / mark done, and the auditor's follow-up. Routes only translate; rules are in services.
import { byId, cardRoute, command, reply, route, showRoute, type Command } from "../router";
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
  const mine = "audits.mine";
  return [
    showRoute("audits.mine", mine, "audit-list", myAudits),
    route("audit.open", mine, auditOpenSchema, async ({ app, actor, data }) => {
      const opened = await openAudit(app, actor, data.auditId, data.page);
      return opened.kind === "view" ? reply("audit-view", opened.card) : reply("audit-page", { ...opened.card });
    }),
    route(
      "audit.page.save",
      mine,
      auditPageSchema,
      async ({ app, actor, data: { auditId, page, version, nav, ...inputs } }) => {
        const r = await saveAuditPage(app, actor, { auditId, page, version, nav, data: inputs });
        if (!r.closed) return reply("audit-page", { ...r.card });
        return reply("audit-saved", { auditId: r.card.auditId, caseRef: r.card.caseRef, message: r.card.message });
      },
      async (_req, err) => (err instanceof PageInvalid ? reply("audit-page", { ...err.card }) : undefined),
    ),
    cardRoute(
      "audit.submit",
      mine,
      auditSubmitSchema,
      "message",
      async ({ app, actor, data }) => submittedMessage(await submitAudit(app, actor, data.auditId, data.version)),
      async ({ app, data }, err) =>
        err instanceof AuditIncomplete ? reply("audit-page", { ...(await reviewWithErrors(app, data.auditId, err.problems)) }) : undefined,
    ),
    cardRoute("audit.view", mine, auditRefSchema, "audit-view", byId("auditId", viewAudit)),
    showRoute("actions.mine", "actions.mine", "action-list", myActions),
    cardRoute("action.done", "actions.mine", actionDoneSchema, "action-card", ({ app, actor, data }) =>
      markActionDone(app, actor, data.actionId, (data.note ?? "").trim()),
    ),
    cardRoute(
      "audit.followUp.save",
      mine,
      auditRefSchema,
      "audit-followup",
      ({ app, actor, data }) => recordFollowUp(app, actor, data.auditId, data),
      async (_req, err) => (err instanceof FollowUpInvalid ? reply("audit-followup", { ...err.card, recorded: false }) : undefined),
    ),
  ];
}
