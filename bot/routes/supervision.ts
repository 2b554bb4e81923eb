import { z } from "zod";
import { defineRoute, type RouteRequest } from "../router";
import { renderCard } from "../../cards/render";
import { reviewedActionIds, sessionFormSchema, sessionRefSchema } from "../../cards/schemas/supervision";
import type { ValidationFailed } from "../../services/errors";
import {
  SESSION_CARD,
  openSession,
  recordSupervisionHeld,
  rescheduleSupervision,
  supervisionView,
  type SessionForm,
} from "../../services/supervision/sessions";

type Form = z.infer<typeof sessionFormSchema>;
const formOf = (d: Form): SessionForm => ({
  heldOn: d.heldOn,
  durationMinutes: d.durationMinutes,
  kind: d.kind,
  newDate: d.newDate,
  reviewed: reviewedActionIds(d),
});

export function supervisionRoutes() {
  return [
    defineRoute({
      verb: "supervision.show",
      capability: "supervision.mine",
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        return { card: renderCard("supervision-schedule", { ...(await supervisionView(app, actor)) }) };
      },
    }),
    defineRoute({
      verb: "supervision.open",
      capability: "supervision.mine",
      schema: sessionRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard(SESSION_CARD, await openSession(app, actor, data.sessionId)) };
      },
    }),
    defineRoute({
      verb: "supervision.record",
      capability: "supervision.record",
      schema: sessionFormSchema,
      handle: async ({ app, actor, data }) => ({
        card: renderCard(SESSION_CARD, await recordSupervisionHeld(app, actor, data.sessionId, formOf(data))),
      }),
      reshow,
    }),
    defineRoute({
      verb: "supervision.reschedule",
      capability: "supervision.record",
      schema: sessionFormSchema,
      handle: async ({ app, actor, data }) => ({
        card: renderCard(SESSION_CARD, await rescheduleSupervision(app, actor, data.sessionId, formOf(data))),
      }),
      reshow,
    }),
  ];
}

/** The same card again with what the user typed and a message next to each wrong field. */
async function reshow({ app, actor, data }: RouteRequest<Form>, err: ValidationFailed) {
  return { card: renderCard(SESSION_CARD, await openSession(app, actor, data.sessionId, { form: formOf(data), errors: err.fieldErrors })) };
}
