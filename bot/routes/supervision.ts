import { z } from "zod";
// Supervision: the schedule, a session's card, recording it as held or moving it.
import { byId, cardRoute, command, reply, showRoute, type Command, type RouteRequest } from "../router";
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

export const commands: Command[] = [
  command("supervision", "supervision.show", "Your supervision schedule; for managers, overdue sessions", { button: "Supervision" }),
  command("my supervision", "supervision.show", "Your supervision schedule"),
];

export function routes() {
  return [
    showRoute("supervision.show", "supervision.mine", "supervision-schedule", async (app, actor) => ({
      ...(await supervisionView(app, actor)),
    })),
    cardRoute("supervision.open", "supervision.mine", sessionRefSchema, SESSION_CARD, byId("sessionId", openSession)),
    // Recording a session as held and moving it: the same form, the same answer on a wrong field.
    ...(
      [
        ["supervision.record", recordSupervisionHeld],
        ["supervision.reschedule", rescheduleSupervision],
      ] as const
    ).map(([verb, save]) =>
      cardRoute(
        verb,
        "supervision.record",
        sessionFormSchema,
        SESSION_CARD,
        ({ app, actor, data }) => save(app, actor, data.sessionId, formOf(data)),
        reshow,
      ),
    ),
  ];
}

/** The same card again with what the user typed and a message next to each wrong field. */
async function reshow({ app, actor, data }: RouteRequest<Form>, err: ValidationFailed) {
  return reply(SESSION_CARD, await openSession(app, actor, data.sessionId, { form: formOf(data), errors: err.fieldErrors }));
}
