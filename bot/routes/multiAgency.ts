// Multi-agency audits (Bexley framework §1.4): the lead sets them up and runs the reflective practice
// discussion; invitees (partner agencies' guests included) see only what they are invited to.
// Thin: validate with the card's zod schema, call the service, render.
import { byId, cardRoute, fieldAgain, command, reply, showRoute, type Command, type RouteRequest } from "../router";
import type { ValidationFailed } from "../../services/errors";
import { answerAttendance, createAudit, openInvitation, submitTool } from "../../services/multiAgency/audits";
import {
  addRecommendation,
  completeRecommendation,
  leadCardData,
  multiAgencyHome,
  recommendationCard,
  recordDiscussion,
  setDiscussion,
} from "../../services/multiAgency/lead";
import {
  attendanceSchema,
  auditRefSchema,
  createSchema,
  discussionRecordSchema,
  discussionSetSchema,
  invitationRefSchema,
  maRecRefSchema,
  recommendationAddSchema,
  recommendationDoneSchema,
  toolSchema,
} from "../../cards/schemas/multiAgency";

export const commands: Command[] = [
  command("multi-agency", "multiAgency.home", "Multi-agency audits you are invited to (or lead)", { button: "Multi-agency audits" }),
];

type Typed = Partial<Record<"caseRef" | "focus" | "toolDueOn" | "team" | "practitioners", string>>;
const typedAudit = (d: Typed) => ({
  caseRef: d.caseRef ?? "",
  focus: d.focus ?? "",
  toolDueOn: d.toolDueOn ?? "",
  team: d.team ?? "",
  practitioners: d.practitioners ?? "",
});

/** The practitioner's answers: every text input of the audit tool. */
const toolAnswers = (rest: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === "string"));

/** The lead's card again, with the message and each field's problem. */
const leadAgain = async ({ app, actor, data }: RouteRequest<{ auditId: string }>, err: ValidationFailed) =>
  reply("multi-agency", await leadCardData(app, actor, data.auditId, "", { card: err.message, ...err.fieldErrors }));

export function routes() {
  const [lead, participate] = ["multiAgency.lead", "multiAgency.participate"] as const;
  return [
    showRoute("multiAgency.home", participate, "multi-agency-home", (app, actor) => multiAgencyHome(app, actor)),
    cardRoute(
      "multiAgency.create",
      lead,
      createSchema,
      "multi-agency",
      async ({ app, actor, data }) => {
        const a = await createAudit(app, actor, typedAudit(data));
        return leadCardData(app, actor, a.id, "Set up; invitations sent (managers copied).");
      },
      async ({ app, actor, data }, err) =>
        reply("multi-agency-home", await multiAgencyHome(app, actor, typedAudit(data), err.fieldErrors, err.message)),
    ),
    cardRoute("multiAgency.open", lead, auditRefSchema, "multi-agency", byId("auditId", leadCardData)),
    cardRoute(
      "multiAgency.discussion.set",
      lead,
      discussionSetSchema,
      "multi-agency",
      ({ app, actor, data }) => setDiscussion(app, actor, data.auditId, data.discussionOn ?? ""),
      leadAgain,
    ),
    cardRoute(
      "multiAgency.discussion.record",
      lead,
      discussionRecordSchema,
      "multi-agency",
      ({ app, actor, data }) => recordDiscussion(app, actor, data.auditId, data.notes ?? ""),
      leadAgain,
    ),
    cardRoute(
      "multiAgency.recommendation.add",
      lead,
      recommendationAddSchema,
      "multi-agency",
      ({ app, actor, data }) =>
        addRecommendation(app, actor, data.auditId, { text: data.text ?? "", ownerId: data.ownerId ?? "", dueOn: data.dueOn ?? "" }),
      leadAgain,
    ),
    cardRoute("multiAgency.invitation.open", participate, invitationRefSchema, "multi-agency-invite", byId("invitationId", openInvitation)),
    cardRoute(
      "multiAgency.tool.submit",
      participate,
      toolSchema,
      "multi-agency-invite",
      ({ app, actor, data: { invitationId, ...rest } }) => submitTool(app, actor, invitationId, toolAnswers(rest)),
      async ({ app, actor, data: { invitationId, ...rest } }, err) =>
        reply(
          "multi-agency-invite",
          await openInvitation(app, actor, invitationId, { errors: err.fieldErrors, answers: toolAnswers(rest) }),
        ),
    ),
    cardRoute("multiAgency.attendance", participate, attendanceSchema, "multi-agency-invite", ({ app, actor, data }) =>
      answerAttendance(app, actor, data.invitationId, data.attending === "true"),
    ),
    cardRoute(
      "multiAgency.recommendation.open",
      participate,
      maRecRefSchema,
      "multi-agency-recommendation",
      byId("recId", recommendationCard),
    ),
    cardRoute(
      "multiAgency.recommendation.done",
      participate,
      recommendationDoneSchema,
      "multi-agency-recommendation",
      ({ app, actor, data }) => completeRecommendation(app, actor, data.recId, data.note ?? ""),
      fieldAgain("multi-agency-recommendation", "note", byId("recId", recommendationCard)),
    ),
  ];
}
