// Practice observations: the QA team or a head of service schedules; the practitioner agrees or
// proposes a date; the observer accepts it and records the form; the practitioner reflects. Thin:
// validate with the card's zod schema, call the service with the authenticated actor, render.
import { z } from "zod";
import { defineRoute, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { ValidationFailed } from "../../services/errors";
import { may } from "../../services/permissions";
import {
  acceptProposedDate,
  agreeDate,
  myObservations,
  proposeDate,
  scheduleFormData,
  scheduleObservation,
} from "../../services/observation/programme";
import { addReflection, openObservation, saveObservationForm } from "../../services/observation/record";
import { observationCardData } from "../../services/observation/cards";
import {
  changeSchema,
  observationFormSchema,
  observationRefSchema,
  proposeSchema,
  reflectSchema,
  scheduleSchema,
} from "../../cards/schemas/observation";
import { changeObservation } from "../../services/observation/change";

export const observationCommands: Command[] = [
  {
    words: "observations",
    verb: "observation.home",
    description: "Practice observations: yours, or (QA team, heads of service) schedule one",
    button: "Observations",
  },
  {
    words: "schedule observation",
    verb: "observation.schedule.form",
    description: "Schedule a practice observation (QA team, heads of service)",
  },
];

export function observationRoutes() {
  const list = defineRoute({
    verb: "observation.mine",
    capability: "observations.mine",
    schema: z.object({}).passthrough(),
    async handle({ app, actor }) {
      return { card: renderCard("observation-list", { items: await myObservations(app, actor) }) };
    },
  });
  return [
    list,
    defineRoute({
      verb: "observation.home",
      capability: "observations.mine",
      schema: z.object({}).passthrough(),
      async handle(req) {
        if (may(req.actor, "observations.schedule")) return { card: renderCard("observation-schedule", await scheduleFormData(req.app)) };
        return list.handle(req);
      },
    }),
    defineRoute({
      verb: "observation.schedule.form",
      capability: "observations.schedule",
      schema: z.object({}).passthrough(),
      async handle({ app }) {
        return { card: renderCard("observation-schedule", await scheduleFormData(app)) };
      },
    }),
    defineRoute({
      verb: "observation.schedule.run",
      capability: "observations.schedule",
      schema: scheduleSchema,
      async handle({ app, actor, data }) {
        try {
          const o = await scheduleObservation(app, actor, data);
          return {
            card: renderCard("observation", {
              ...observationCardData(o, actor.id),
              heading: "Practice observation scheduled",
              info: `${o.practitionerName} and ${o.observerName} have been told; the practitioner agrees the date or proposes another.`,
            }),
          };
        } catch (err) {
          if (err instanceof ValidationFailed)
            return { card: renderCard("observation-schedule", await scheduleFormData(app, data, err.fieldErrors, err.message)) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "observation.open",
      capability: "observations.mine",
      schema: observationRefSchema,
      async handle({ app, actor, data }) {
        const c = await openObservation(app, actor, data.observationId);
        return { card: renderCard(c.template, c.data) };
      },
    }),
    defineRoute({
      verb: "observation.agree",
      capability: "observations.mine",
      schema: observationRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("observation", await agreeDate(app, actor, data.observationId)) };
      },
    }),
    defineRoute({
      verb: "observation.propose",
      capability: "observations.mine",
      schema: proposeSchema,
      async handle({ app, actor, data }) {
        const r = await proposeDate(app, actor, data.observationId, data.proposedDate.trim(), data.note);
        return { card: renderCard("observation", r.card) };
      },
    }),
    defineRoute({
      verb: "observation.acceptDate",
      capability: "observations.observe",
      schema: observationRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("observation", await acceptProposedDate(app, actor, data.observationId)) };
      },
    }),
    ...(["reschedule", "cancel"] as const).map((kind) =>
      defineRoute({
        verb: `observation.${kind}`,
        capability: "observations.observe",
        schema: changeSchema,
        async handle({ app, actor, data }) {
          const card = await changeObservation(app, actor, data.observationId, { kind, newDate: data.newDate, reason: data.reason });
          return { card: renderCard("observation", card) };
        },
      }),
    ),
    ...(["save", "record"] as const).map((kind) =>
      defineRoute({
        verb: `observation.${kind}`,
        capability: "observations.observe",
        schema: observationFormSchema,
        async handle({ app, actor, data }) {
          const { observationId, ...raw } = data;
          const c = await saveObservationForm(app, actor, observationId, raw, { record: kind === "record" });
          return { card: renderCard(c.template, c.data) };
        },
      }),
    ),
    defineRoute({
      verb: "observation.reflect",
      capability: "observations.mine",
      schema: reflectSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("observation-outcome", await addReflection(app, actor, data.observationId, data.reflection)) };
      },
    }),
  ];
}
