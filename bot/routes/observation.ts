// Practice observations: the QA team or a head of service schedules; the practitioner agrees or
// proposes a date; the observer accepts it and records the form; the practitioner reflects. Thin:
// validate with the card's zod schema, call the service with the authenticated actor, render.
import { byId, cardRoute, command, noData, reply, replyWith, route, saveOrSubmit, type Command } from "../router";
import {
  acceptProposedDate,
  agreeDate,
  myObservations,
  observationHome,
  proposeDate,
  scheduleFormData,
  scheduleObservation,
} from "../../services/observation/programme";
import { addReflection, openObservation, saveObservationForm } from "../../services/observation/record";
import { observationCardFor } from "../../services/observation/cards";
import {
  changeSchema,
  observationFormSchema,
  observationRefSchema,
  proposeSchema,
  reflectSchema,
  scheduleSchema,
} from "../../cards/schemas/observation";
import { changeObservation } from "../../services/observation/change";

export const commands: Command[] = [
  command("observations", "observation.home", "Practice observations: yours, or (QA team, heads of service) schedule one", {
    button: "Observations",
  }),
  command("schedule observation", "observation.schedule.form", "Schedule a practice observation (QA team, heads of service)"),
];

export function routes() {
  const [mine, schedule, observe] = ["observations.mine", "observations.schedule", "observations.observe"] as const;
  return [
    cardRoute("observation.mine", mine, noData, "observation-list", async ({ app, actor }) => ({
      items: await myObservations(app, actor),
    })),
    route("observation.home", mine, noData, async ({ app, actor }) => replyWith(await observationHome(app, actor))),
    cardRoute("observation.schedule.form", schedule, noData, "observation-schedule", ({ app }) => scheduleFormData(app)),
    cardRoute(
      "observation.schedule.run",
      schedule,
      scheduleSchema,
      "observation",
      async ({ app, actor, data }) => {
        const o = await scheduleObservation(app, actor, data);
        return {
          ...observationCardFor(o, actor),
          heading: "Practice observation scheduled",
          info: `${o.practitionerName} and ${o.observerName} have been told; the practitioner agrees the date or proposes another.`,
        };
      },
      async ({ app, data }, err) => reply("observation-schedule", await scheduleFormData(app, data, err.fieldErrors, err.message)),
    ),
    route("observation.open", mine, observationRefSchema, async ({ app, actor, data }) =>
      replyWith(await openObservation(app, actor, data.observationId)),
    ),
    cardRoute("observation.agree", mine, observationRefSchema, "observation", byId("observationId", agreeDate)),
    cardRoute("observation.propose", mine, proposeSchema, "observation", async ({ app, actor, data }) => {
      const r = await proposeDate(app, actor, data.observationId, data.proposedDate.trim(), data.note);
      return r.card;
    }),
    cardRoute("observation.acceptDate", observe, observationRefSchema, "observation", byId("observationId", acceptProposedDate)),
    // Until recorded, the observer (or the QA team) moves the date or cancels, with a reason.
    ...(["reschedule", "cancel"] as const).map((kind) =>
      cardRoute(`observation.${kind}`, observe, changeSchema, "observation", ({ app, actor, data }) =>
        changeObservation(app, actor, data.observationId, { kind, newDate: data.newDate, reason: data.reason }),
      ),
    ),
    // Save keeps a draft; Record completes the observation.
    ...saveOrSubmit(["observation.save", "observation.record"], observe, observationFormSchema, async ({ app, actor, data }, record) => {
      const { observationId, ...raw } = data;
      return replyWith(await saveObservationForm(app, actor, observationId, raw, { record }));
    }),
    cardRoute("observation.reflect", mine, reflectSchema, "observation-outcome", ({ app, actor, data }) =>
      addReflection(app, actor, data.observationId, data.reflection),
    ),
  ];
}
