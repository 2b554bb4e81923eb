// Moderation: the QA team's `moderate` sampling card, the moderator's shared card and its buttons.
import { z } from "zod";
import { defineRoute, type Command } from "../router";
import { renderCard } from "../../cards/render";
import type { CardData } from "../../cards/schemas/cardData";
import { ValidationFailed } from "../../services/errors";
import {
  acceptGrade,
  decideApproval,
  moderationCardFor,
  myModerations,
  proposeGrade,
  reassign,
  saveDraft,
  submitModeration,
} from "../../services/moderation/moderation";
import { sampleForModeration, samplingOverview, DEFAULT_RETURN_WORKING_DAYS } from "../../services/moderation/sampling";
import {
  acceptGradeSchema,
  approveSchema,
  moderationFormSchema,
  moderationIdSchema,
  proposeGradeSchema,
  reassignSchema,
  sampleSchema,
} from "../../cards/schemas/moderation";

const card = (data: CardData<"moderation">) => ({ card: renderCard("moderation", data) });

/** The sampling card: the overview's counts and the last run's loads as FactSet text. */
function sampleCard(
  o: { eligible: number; open: number; overdue: number },
  run: { result: string; error: string; byModerator: { name: string; count: number }[]; percent: number; returnDays: number },
) {
  return renderCard("moderation-sample", {
    ...run,
    eligible: String(o.eligible),
    open: String(o.open),
    overdue: String(o.overdue),
    byModerator: run.byModerator.map((m) => ({ name: m.name, count: String(m.count) })),
  });
}

export const moderationCommands: Command[] = [
  {
    words: "moderate",
    verb: "moderation.start",
    description: "Sample completed audits for moderation and allocate moderators",
    button: "Moderate",
  },
  { words: "my moderations", verb: "moderation.mine", description: "Moderations waiting for you" },
];

export function moderationRoutes() {
  return [
    defineRoute({
      verb: "moderation.start",
      capability: "moderation.sample",
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        const o = await samplingOverview(app, actor);
        return {
          card: sampleCard(o, {
            result: "",
            byModerator: [],
            error: "",
            percent: 10,
            returnDays: DEFAULT_RETURN_WORKING_DAYS,
          }),
        };
      },
    }),
    defineRoute({
      verb: "moderation.sample",
      capability: "moderation.sample",
      schema: sampleSchema,
      async handle({ app, actor, data }) {
        try {
          const r = await sampleForModeration(app, actor, { fraction: data.percent / 100, returnWorkingDays: data.returnDays });
          const o = await samplingOverview(app, actor);
          return {
            card: sampleCard(o, {
              result: `Sampled ${r.sampled} of ${r.eligible} audits and allocated them${r.unallocated ? `; ${r.unallocated} had no eligible moderator` : ""}.`,
              byModerator: r.byModerator,
              error: "",
              percent: data.percent,
              returnDays: data.returnDays,
            }),
          };
        } catch (err) {
          if (!(err instanceof ValidationFailed)) throw err;
          const o = await samplingOverview(app, actor);
          return {
            card: sampleCard(o, {
              result: "",
              byModerator: [],
              error: err.message,
              percent: data.percent,
              returnDays: data.returnDays,
            }),
          };
        }
      },
    }),
    defineRoute({
      verb: "moderation.mine",
      capability: "moderation.moderate",
      schema: z.object({}).passthrough(),
      handle: async ({ app, actor }) => ({ card: renderCard("moderation-list", await myModerations(app, actor)) }),
    }),
    defineRoute({
      verb: "moderation.refresh",
      capability: "moderation.act",
      schema: moderationIdSchema,
      handle: async ({ app, actor, data }) => card(await moderationCardFor(app, actor, data.id)),
    }),
    defineRoute({
      verb: "moderation.save",
      capability: "moderation.act",
      schema: moderationFormSchema,
      handle: async ({ app, actor, data }) => card(await saveDraft(app, actor, data.id, data as Record<string, string>)),
    }),
    defineRoute({
      verb: "moderation.page",
      capability: "moderation.act",
      schema: moderationFormSchema,
      handle: async ({ app, actor, data }) =>
        card(await saveDraft(app, actor, data.id, data as Record<string, string>, String(data.goTo ?? ""))),
    }),
    defineRoute({
      verb: "moderation.submit",
      capability: "moderation.act",
      schema: moderationFormSchema,
      async handle({ app, actor, data }) {
        try {
          return card(await submitModeration(app, actor, data.id, data as Record<string, string>));
        } catch (err) {
          if (!(err instanceof ValidationFailed)) throw err;
          const problems = Object.entries(err.fieldErrors).map(([k, v]) => `${k}: ${v}`);
          return card(await moderationCardFor(app, actor, data.id, [err.message, ...problems].join(" ")));
        }
      },
    }),
    defineRoute({
      verb: "moderation.proposeGrade",
      capability: "moderation.act",
      schema: proposeGradeSchema,
      handle: async ({ app, actor, data }) => card(await proposeGrade(app, actor, data)),
    }),
    defineRoute({
      verb: "moderation.acceptGrade",
      capability: "moderation.act",
      schema: acceptGradeSchema,
      handle: async ({ app, actor, data }) => card(await acceptGrade(app, actor, data)),
    }),
    defineRoute({
      verb: "moderation.approve",
      capability: "moderation.act",
      schema: approveSchema,
      handle: async ({ app, actor, data }) => card(await decideApproval(app, actor, data)),
    }),
    defineRoute({
      verb: "moderation.reassign",
      capability: "moderation.sample",
      schema: reassignSchema,
      handle: async ({ app, actor, data }) => card(await reassign(app, actor, data)),
    }),
  ];
}
