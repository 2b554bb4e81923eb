// Allocation (QA team), accept / swap (the auditor) and the self-assessment (the practitioner).
// Thin: parse the card, call one use case with the authenticated actor, render the card; a refused
// input comes back on the same card with what the person typed (`reshow`).
import { z } from "zod";
import { defineRoute, noData, parseInput, command, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { acceptAllocation, allocateMonth, allocationCardFor, requestSwap } from "../../services/audit/allocation";
import { allocateFormData, notCompletedFormData, summaryCardData } from "../../services/audit/allocationCards";
import { recordNotCompleted } from "../../services/audit/notCompleted";
import {
  pendingSelfAssessments,
  saveSelfAssessment,
  selfAssessmentCard,
  selfAssessmentCardWithErrors,
} from "../../services/audit/selfAssessment";
import {
  acceptSchema,
  allocateFormRawSchema,
  allocateFormSchema,
  auditRefSchema,
  notCompletedSchema,
  selfAssessmentSchema,
  swapRawSchema,
  swapReasonSchema,
} from "../../cards/schemas/allocation";

export const commands: Command[] = [
  command("allocate", "audit.allocate.form", "Allocate a month's case audits", { button: "Allocate audits" }),
  command("self assessment", "audit.selfAssessment.mine", "Your self-assessments before an audit meeting"),
  command("not completed", "audit.notCompleted.form", "Record that an allocated audit will not be completed, and why"),
];

export function routes() {
  const allocate = (dryRun: boolean) =>
    defineRoute({
      verb: dryRun ? "audit.allocate.preview" : "audit.allocate.run",
      capability: "audits.allocate",
      schema: allocateFormRawSchema,
      async handle({ app, actor, data }) {
        const d = parseInput(allocateFormSchema, data, "Some settings need attention.");
        const summary = await allocateMonth(app, actor, {
          month: d.month ?? "",
          theme: d.theme,
          target: d.target,
          seed: d.seed || undefined,
          dryRun,
        });
        return { card: renderCard("audit-allocation-summary", summaryCardData(summary, app.config)) };
      },
      reshow: async ({ app, data }, err) => ({
        card: renderCard("audit-allocate", allocateFormData(app, data, err.fieldErrors, err.message)),
      }),
    });

  return [
    defineRoute({
      verb: "audit.allocate.form",
      capability: "audits.allocate",
      schema: allocateFormRawSchema,
      handle: async ({ app }) => ({ card: renderCard("audit-allocate", allocateFormData(app)) }),
    }),
    allocate(true),
    allocate(false),
    defineRoute({
      verb: "audit.allocation.accept",
      capability: "audits.allocation.respond",
      schema: acceptSchema,
      async handle({ app, actor, data }) {
        return {
          card: renderCard("audit-allocation", await acceptAllocation(app, actor, data.auditId, { meetingDate: data.meetingDate })),
        };
      },
      async reshow({ app, actor, data }, err) {
        const meetingDateError = err.fieldErrors.meetingDate;
        if (!meetingDateError) return undefined;
        return {
          card: renderCard(
            "audit-allocation",
            await allocationCardFor(app, actor, data.auditId, { meetingDateError, meetingDate: data.meetingDate }),
          ),
        };
      },
    }),
    defineRoute({
      verb: "audit.allocation.swap",
      capability: "audits.allocation.respond",
      schema: swapRawSchema,
      async handle({ app, actor, data }) {
        const { reason } = parseInput(z.object({ reason: swapReasonSchema }), data, "Please give a reason.");
        return { card: renderCard("audit-status", (await requestSwap(app, actor, data.auditId, reason)).status) };
      },
      async reshow({ app, actor, data }, err) {
        // The person's own card again, with their text and the rule next to the field.
        const error = err.fieldErrors.reason ?? err.message;
        return { card: renderCard("audit-allocation", await allocationCardFor(app, actor, data.auditId, { error, reason: data.reason })) };
      },
    }),
    defineRoute({
      verb: "audit.notCompleted.form",
      capability: "audits.allocate",
      schema: noData,
      handle: async () => ({ card: renderCard("audit-not-completed", notCompletedFormData()) }),
    }),
    defineRoute({
      verb: "audit.notCompleted.record",
      capability: "audits.allocate",
      schema: notCompletedSchema,
      handle: async ({ app, actor, data }) => ({ card: renderCard("audit-status", await recordNotCompleted(app, actor, data)) }),
      reshow: async ({ data }, err) => ({
        card: renderCard("audit-not-completed", notCompletedFormData(data, err.fieldErrors, err.message)),
      }),
    }),
    defineRoute({
      verb: "audit.selfAssessment.mine",
      capability: "audits.selfAssessment.answer",
      // The caller's own list: no object id is read from card data.
      schema: noData,
      async handle({ app, actor }) {
        const items = await pendingSelfAssessments(app, actor);
        if (items.length === 1)
          return { card: renderCard("audit-self-assessment", await selfAssessmentCard(app, actor, items[0]!.auditId)) };
        return { card: renderCard("audit-self-assessment-list", { items }) };
      },
    }),
    defineRoute({
      verb: "audit.selfAssessment.open",
      capability: "audits.selfAssessment.answer",
      schema: auditRefSchema,
      handle: async ({ app, actor, data }) => ({
        card: renderCard("audit-self-assessment", await selfAssessmentCard(app, actor, data.auditId)),
      }),
    }),
    ...(["save", "submit"] as const).map((kind) =>
      defineRoute({
        verb: `audit.selfAssessment.${kind}`,
        capability: "audits.selfAssessment.answer",
        schema: selfAssessmentSchema,
        async handle({ app, actor, data }) {
          const { auditId, ...answers } = data;
          const card = await saveSelfAssessment(app, actor, auditId, answers, { submit: kind === "submit" });
          return { card: renderCard("audit-self-assessment", card) };
        },
        async reshow({ app, actor, data }, err) {
          const { auditId, ...answers } = data;
          return {
            card: renderCard("audit-self-assessment", await selfAssessmentCardWithErrors(app, actor, auditId, answers, err.fieldErrors)),
          };
        },
      }),
    ),
  ];
}
