// Escalations: the `escalate` form, the shared escalation card's buttons, and the overview.
import { defineRoute, noData, showRoute, command, type Command } from "../router";
import { renderCard } from "../../cards/render";
import type { ValidationFailed } from "../../services/errors";
import type { Actor } from "../../services/permissions";
import {
  acknowledge,
  answerMoreTime,
  bypass,
  confirmResolution,
  escalateNow,
  escalationCardFor,
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
  escalationIdSchema,
  raiseEscalationSchema,
  requestTimeSchema,
  respondSchema,
} from "../../cards/schemas/escalation";

const card = (data: Record<string, unknown>) => ({ card: renderCard("escalation", data) });

function newEscalationCard(
  actor: Actor,
  values: Partial<Record<"caseRef" | "type" | "concern" | "informal", string>> = {},
  err?: ValidationFailed,
) {
  const fe = err?.fieldErrors ?? {};
  const types = typesFor(actor);
  // A fostering IRO's escalation names a foster carer, not a child's case (both by reference only).
  const carers = types.filter((t) => t.subject).length;
  return renderCard("escalation-new", {
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
  });
}

export const commands: Command[] = [
  command("escalate", "escalation.new", "Raise a formal escalation about a case", { button: "Escalate" }),
  command("escalations", "escalations.overview", "Open escalations by age and stage"),
];

export function routes() {
  return [
    defineRoute({
      verb: "escalation.new",
      capability: "escalation.raise",
      schema: noData,
      async handle({ actor }) {
        return { card: newEscalationCard(actor) };
      },
    }),
    defineRoute({
      verb: "escalation.raise",
      capability: "escalation.raise",
      schema: raiseEscalationSchema,
      handle: async ({ app, actor, data }) => card(await escalationCardFor(app, actor, (await raiseEscalation(app, actor, data)).id)),
      reshow: async ({ actor, data }, err) => ({ card: newEscalationCard(actor, data, err) }),
    }),
    defineRoute({
      verb: "escalation.refresh",
      capability: "escalation.act",
      schema: escalationIdSchema,
      handle: async ({ app, actor, data }) => card(await escalationCardFor(app, actor, data.id)),
    }),
    defineRoute({
      verb: "escalation.acknowledge",
      capability: "escalation.act",
      schema: escalationIdSchema,
      handle: async ({ app, actor, data }) => card(await acknowledge(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.respond",
      capability: "escalation.act",
      schema: respondSchema,
      handle: async ({ app, actor, data }) => card(await respond(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.requestTime",
      capability: "escalation.act",
      schema: requestTimeSchema,
      handle: async ({ app, actor, data }) => card(await requestMoreTime(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.answerTime",
      capability: "escalation.act",
      schema: answerSchema,
      handle: async ({ app, actor, data }) => card(await answerMoreTime(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.escalateNow",
      capability: "escalation.act",
      schema: escalationIdSchema,
      handle: async ({ app, actor, data }) => card(await escalateNow(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.bypass",
      capability: "escalation.act",
      schema: bypassSchema,
      handle: async ({ app, actor, data }) => card(await bypass(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.cafcass",
      capability: "escalation.act",
      schema: escalationIdSchema,
      handle: async ({ app, actor, data }) => card(await referToCafcass(app, actor, data)),
    }),
    defineRoute({
      verb: "escalation.confirm",
      capability: "escalation.act",
      schema: answerSchema,
      handle: async ({ app, actor, data }) => card(await confirmResolution(app, actor, data)),
    }),
    showRoute("escalations.overview", "escalations.overview", "escalation-list", openEscalations),
  ];
}
