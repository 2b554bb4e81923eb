// Multi-agency audits (Bexley framework §1.4): the lead sets them up and runs the reflective practice
// discussion; invitees (partner agencies' guests included) see only what they are invited to.
// Thin: validate with the card's zod schema, call the service, render.
import { z } from "zod";
import { defineRoute, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { ValidationFailed } from "../../services/errors";
import { answerAttendance, createAudit, inviteCardData, openInvitation, submitTool } from "../../services/multiAgency/audits";
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

export const multiAgencyCommands: Command[] = [
  {
    words: "multi-agency",
    verb: "multiAgency.home",
    description: "Multi-agency audits you are invited to (or lead)",
    button: "Multi-agency audits",
  },
];

export function multiAgencyRoutes() {
  // A validation problem on the lead's card re-shows it with the message.
  const leadCard = async (
    app: Parameters<typeof leadCardData>[0],
    actor: Parameters<typeof leadCardData>[1],
    auditId: string,
    run: () => ReturnType<typeof leadCardData>,
  ) => {
    try {
      return { card: renderCard("multi-agency", await run()) };
    } catch (err) {
      if (err instanceof ValidationFailed)
        return { card: renderCard("multi-agency", await leadCardData(app, actor, auditId, "", { card: err.message, ...err.fieldErrors })) };
      throw err;
    }
  };
  return [
    defineRoute({
      verb: "multiAgency.home",
      capability: "multiAgency.participate",
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        return { card: renderCard("multi-agency-home", await multiAgencyHome(app, actor)) };
      },
    }),
    defineRoute({
      verb: "multiAgency.create",
      capability: "multiAgency.lead",
      schema: createSchema,
      async handle({ app, actor, data }) {
        const typed = {
          caseRef: data.caseRef ?? "",
          focus: data.focus ?? "",
          toolDueOn: data.toolDueOn ?? "",
          team: data.team ?? "",
          practitioners: data.practitioners ?? "",
        };
        try {
          const a = await createAudit(app, actor, typed);
          return { card: renderCard("multi-agency", await leadCardData(app, actor, a.id, "Set up; invitations sent (managers copied).")) };
        } catch (err) {
          if (err instanceof ValidationFailed)
            return { card: renderCard("multi-agency-home", await multiAgencyHome(app, actor, typed, err.fieldErrors, err.message)) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "multiAgency.open",
      capability: "multiAgency.lead",
      schema: auditRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("multi-agency", await leadCardData(app, actor, data.auditId)) };
      },
    }),
    defineRoute({
      verb: "multiAgency.discussion.set",
      capability: "multiAgency.lead",
      schema: discussionSetSchema,
      async handle({ app, actor, data }) {
        return leadCard(app, actor, data.auditId, () => setDiscussion(app, actor, data.auditId, data.discussionOn ?? ""));
      },
    }),
    defineRoute({
      verb: "multiAgency.discussion.record",
      capability: "multiAgency.lead",
      schema: discussionRecordSchema,
      async handle({ app, actor, data }) {
        return leadCard(app, actor, data.auditId, () => recordDiscussion(app, actor, data.auditId, data.notes ?? ""));
      },
    }),
    defineRoute({
      verb: "multiAgency.recommendation.add",
      capability: "multiAgency.lead",
      schema: recommendationAddSchema,
      async handle({ app, actor, data }) {
        return leadCard(app, actor, data.auditId, () =>
          addRecommendation(app, actor, data.auditId, { text: data.text ?? "", ownerId: data.ownerId ?? "", dueOn: data.dueOn ?? "" }),
        );
      },
    }),
    defineRoute({
      verb: "multiAgency.invitation.open",
      capability: "multiAgency.participate",
      schema: invitationRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("multi-agency-invite", await openInvitation(app, actor, data.invitationId)) };
      },
    }),
    defineRoute({
      verb: "multiAgency.tool.submit",
      capability: "multiAgency.participate",
      schema: toolSchema,
      async handle({ app, actor, data }) {
        const { invitationId, ...rest } = data;
        const answers = Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === "string"));
        try {
          return { card: renderCard("multi-agency-invite", await submitTool(app, actor, invitationId, answers)) };
        } catch (err) {
          if (err instanceof ValidationFailed) {
            const inv = await app.db.multiAgencyInvitation.findUniqueOrThrow({ where: { id: invitationId } });
            return {
              card: renderCard(
                "multi-agency-invite",
                await inviteCardData(app.db, inv.auditId, inv.id, { errors: err.fieldErrors, answers }),
              ),
            };
          }
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "multiAgency.attendance",
      capability: "multiAgency.participate",
      schema: attendanceSchema,
      async handle({ app, actor, data }) {
        return {
          card: renderCard("multi-agency-invite", await answerAttendance(app, actor, data.invitationId, data.attending === "true")),
        };
      },
    }),
    defineRoute({
      verb: "multiAgency.recommendation.open",
      capability: "multiAgency.participate",
      schema: maRecRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("multi-agency-recommendation", await recommendationCard(app, actor, data.recId)) };
      },
    }),
    defineRoute({
      verb: "multiAgency.recommendation.done",
      capability: "multiAgency.participate",
      schema: recommendationDoneSchema,
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard("multi-agency-recommendation", await completeRecommendation(app, actor, data.recId, data.note ?? "")) };
        } catch (err) {
          if (err instanceof ValidationFailed && err.fieldErrors.note)
            return {
              card: renderCard("multi-agency-recommendation", {
                ...(await recommendationCard(app, actor, data.recId)),
                noteError: err.fieldErrors.note,
              }),
            };
          throw err;
        }
      },
    }),
  ];
}
