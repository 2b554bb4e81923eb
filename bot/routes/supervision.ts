import { z } from "zod";
import { defineRoute } from "../router";
import { renderCard } from "../../cards/render";
import { reviewedActionIds, sessionFormSchema, sessionRefSchema } from "../../cards/schemas/supervision";
import { ValidationFailed } from "../../services/errors";
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
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard(SESSION_CARD, await recordSupervisionHeld(app, actor, data.sessionId, formOf(data))) };
        } catch (err) {
          if (!(err instanceof ValidationFailed)) throw err;
          return { card: await reshow(app, actor, data, err.fieldErrors) };
        }
      },
    }),
    defineRoute({
      verb: "supervision.reschedule",
      capability: "supervision.record",
      schema: sessionFormSchema,
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard(SESSION_CARD, await rescheduleSupervision(app, actor, data.sessionId, formOf(data))) };
        } catch (err) {
          if (!(err instanceof ValidationFailed)) throw err;
          return { card: await reshow(app, actor, data, err.fieldErrors) };
        }
      },
    }),
  ];
}

/** The same card again with what the user typed and a message next to each wrong field. */
async function reshow(
  app: Parameters<typeof openSession>[0],
  actor: Parameters<typeof openSession>[1],
  data: Form,
  errors: Record<string, string>,
) {
  return renderCard(SESSION_CARD, await openSession(app, actor, data.sessionId, { form: formOf(data), errors }));
}
