// Allocation (QA team), accept / swap (the auditor) and the self-assessment (the practitioner).
// Thin: parse the card, call one use case with the authenticated actor, render the card; a refused
// input comes back on the same card with what the person typed (`reshow`).
import { z } from "zod";
import {
  byId,
  cardRoute,
  command,
  fromCard,
  noData,
  parseInput,
  reply,
  route,
  saveOrSubmit,
  showRoute,
  type Command,
  type RouteRequest,
} from "../router";
import type { ValidationFailed } from "../../services/errors";
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

type SelfAssessment = RouteRequest<z.infer<typeof selfAssessmentSchema>>;
const saveAnswers = async ({ app, actor, data: { auditId, ...answers } }: SelfAssessment, submit: boolean) =>
  reply("audit-self-assessment", await saveSelfAssessment(app, actor, auditId, answers, { submit }));
/** The self-assessment again with what was typed and each answer's problem. */
const answersAgain = async ({ app, actor, data: { auditId, ...answers } }: SelfAssessment, err: ValidationFailed) =>
  reply("audit-self-assessment", await selfAssessmentCardWithErrors(app, actor, auditId, answers, err.fieldErrors));

export function routes() {
  const [allocate, respond, answer] = ["audits.allocate", "audits.allocation.respond", "audits.selfAssessment.answer"] as const;
  const allocateMonthRoute = (verb: string, dryRun: boolean) =>
    cardRoute(
      verb,
      allocate,
      allocateFormRawSchema,
      "audit-allocation-summary",
      async ({ app, actor, data }) => {
        const d = parseInput(allocateFormSchema, data, "Some settings need attention.");
        const summary = await allocateMonth(app, actor, {
          month: d.month ?? "",
          theme: d.theme,
          target: d.target,
          seed: d.seed || undefined,
          dryRun,
        });
        return summaryCardData(summary, app.config);
      },
      async ({ app, data }, err) => reply("audit-allocate", allocateFormData(app, data, err.fieldErrors, err.message)),
    );

  return [
    cardRoute("audit.allocate.form", allocate, allocateFormRawSchema, "audit-allocate", async ({ app }) => allocateFormData(app)),
    allocateMonthRoute("audit.allocate.preview", true),
    allocateMonthRoute("audit.allocate.run", false),
    cardRoute(
      "audit.allocation.accept",
      respond,
      acceptSchema,
      "audit-allocation",
      ({ app, actor, data }) => acceptAllocation(app, actor, data.auditId, { meetingDate: data.meetingDate }),
      async ({ app, actor, data }, { fieldErrors: { meetingDate: meetingDateError } }) =>
        meetingDateError
          ? reply(
              "audit-allocation",
              await allocationCardFor(app, actor, data.auditId, { meetingDateError, meetingDate: data.meetingDate }),
            )
          : undefined,
    ),
    cardRoute(
      "audit.allocation.swap",
      respond,
      swapRawSchema,
      "audit-status",
      async ({ app, actor, data }) => {
        const { reason } = parseInput(z.object({ reason: swapReasonSchema }), data, "Please give a reason.");
        return (await requestSwap(app, actor, data.auditId, reason)).status;
      },
      // The person's own card again, with their text and the rule next to the field.
      async ({ app, actor, data }, err) =>
        reply(
          "audit-allocation",
          await allocationCardFor(app, actor, data.auditId, { error: err.fieldErrors.reason ?? err.message, reason: data.reason }),
        ),
    ),
    showRoute("audit.notCompleted.form", allocate, "audit-not-completed", async () => notCompletedFormData()),
    cardRoute(
      "audit.notCompleted.record",
      allocate,
      notCompletedSchema,
      "audit-status",
      fromCard(recordNotCompleted),
      async ({ data }, err) => reply("audit-not-completed", notCompletedFormData(data, err.fieldErrors, err.message)),
    ),
    // The caller's own list, or the one self-assessment waiting: no object id is read from card data.
    route("audit.selfAssessment.mine", answer, noData, async ({ app, actor }) => {
      const items = await pendingSelfAssessments(app, actor);
      if (items.length !== 1) return reply("audit-self-assessment-list", { items });
      return reply("audit-self-assessment", await selfAssessmentCard(app, actor, items[0]!.auditId));
    }),
    cardRoute("audit.selfAssessment.open", answer, auditRefSchema, "audit-self-assessment", byId("auditId", selfAssessmentCard)),
    ...saveOrSubmit(["audit.selfAssessment.save", "audit.selfAssessment.submit"], answer, selfAssessmentSchema, saveAnswers, answersAgain),
  ];
}
