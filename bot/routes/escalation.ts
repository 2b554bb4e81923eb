// Escalations: the `escalate` form, the shared escalation card's buttons, and the overview.
import { byId, cardRoute, command, fromCard, noData, reply, showRoute, type Command } from "../router";
import type { ValidationFailed } from "../../services/errors";
import type { Actor } from "../../services/permissions";
import {
  acknowledge,
  answerMoreTime,
  bypass,
  confirmResolution,
  escalateNow,
  escalationCardFor,
  escalationsFor,
  openEscalations,
  raiseEscalation,
  referToCafcass,
  requestMoreTime,
  respond,
  typesFor,
} from "../../services/escalation/escalation";
import {
  answerSchema,
  bypassSchema,
  escalateNowSchema,
  escalationIdSchema,
  raiseEscalationSchema,
  requestTimeSchema,
  respondSchema,
} from "../../cards/schemas/escalation";

/** The `escalate` form: the reference asked for depends on the kinds of escalation the actor may raise. */
function newEscalationData(
  actor: Actor,
  values: Partial<Record<"caseRef" | "type" | "concern" | "informal", string>> = {},
  err?: ValidationFailed,
) {
  const fe = err?.fieldErrors ?? {};
  const types = typesFor(actor);
  // A fostering IRO's escalation names a foster carer, not a child's case (both by reference only).
  const carers = types.filter((t) => t.subject).length;
  return {
    refLabel:
      carers === 0
        ? "Case ID (case-management number, never a name)"
        : carers === types.length
          ? "Foster carer's reference (from the case system, never a name)"
          : "Case ID, or the foster carer's reference for a fostering escalation (never a name)",
    error: err ? [err.message, ...Object.values(fe)].join(" ") : "",
    caseRef: values.caseRef ?? "",
    type: values.type ?? "",
    concern: values.concern ?? "",
    informal: values.informal ?? "",
    caseRefError: fe.caseRef ?? (carers === types.length && carers ? "Enter the foster carer's reference." : "Enter the case ID."),
    typeError: fe.type ?? "Choose the kind of escalation.",
    concernError: fe.concern ?? "Say what the concern is.",
    informalError: fe.informal ?? "Say what was tried informally first.",
    types: types.map((t) => ({ title: t.label, value: t.id })),
  };
}

export const commands: Command[] = [
  command("escalate", "escalation.new", "Raise a formal escalation about a case", { button: "Escalate" }),
  command("escalations", "escalations.list", "Open escalations you raised, own or follow (all of them, for those who oversee them)"),
];

export function routes() {
  const act = "escalation.act";
  return [
    cardRoute("escalation.new", "escalation.raise", noData, "escalation-new", async ({ actor }) => newEscalationData(actor)),
    cardRoute(
      "escalation.raise",
      "escalation.raise",
      raiseEscalationSchema,
      "escalation",
      async ({ app, actor, data }) => escalationCardFor(app, actor, (await raiseEscalation(app, actor, data)).id),
      async ({ actor, data }, err) => reply("escalation-new", newEscalationData(actor, data, err)),
    ),
    cardRoute("escalation.refresh", act, escalationIdSchema, "escalation", byId("id", escalationCardFor)),
    cardRoute("escalation.acknowledge", act, escalationIdSchema, "escalation", fromCard(acknowledge)),
    cardRoute("escalation.respond", act, respondSchema, "escalation", fromCard(respond)),
    cardRoute("escalation.requestTime", act, requestTimeSchema, "escalation", fromCard(requestMoreTime)),
    cardRoute("escalation.answerTime", act, answerSchema, "escalation", fromCard(answerMoreTime)),
    cardRoute("escalation.escalateNow", act, escalateNowSchema, "escalation", ({ app, actor, data }) =>
      escalateNow(app, actor, { ...data, reason: data.escalateReason }),
    ),
    cardRoute("escalation.bypass", act, bypassSchema, "escalation", fromCard(bypass)),
    cardRoute("escalation.cafcass", act, escalationIdSchema, "escalation", fromCard(referToCafcass)),
    cardRoute("escalation.confirm", act, answerSchema, "escalation", fromCard(confirmResolution)),
    showRoute("escalations.overview", "escalations.overview", "escalation-list", openEscalations),
    showRoute("escalations.list", act, "escalation-list", escalationsFor),
  ];
}
