// Moderation: the QA team's `moderate` sampling card, the moderator's shared card and its buttons.
import { defineRoute, noData, showRoute, command, type Command } from "../router";
import { renderCard } from "../../cards/render";
import type { CardData } from "../../cards/schemas/cardData";
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

interface SampleRun {
  result?: string;
  error?: string;
  byModerator?: { name: string; count: number }[];
  percent: number;
  returnDays: number;
}

/** The sampling card: the overview's counts and the last run's loads as FactSet text. */
function sampleCard(
  o: { eligible: number; open: number; overdue: number },
  { result = "", error = "", byModerator = [], percent, returnDays }: SampleRun,
) {
  return renderCard("moderation-sample", {
    result,
    error,
    percent,
    returnDays,
    eligible: String(o.eligible),
    open: String(o.open),
    overdue: String(o.overdue),
    byModerator: byModerator.map((m) => ({ name: m.name, count: String(m.count) })),
  });
}

export const commands: Command[] = [
  command("moderate", "moderation.start", "Sample completed audits for moderation and allocate moderators", { button: "Moderate" }),
  command("my moderations", "moderation.mine", "Moderations waiting for you"),
];

export function routes() {
  return [
    defineRoute({
      verb: "moderation.start",
      capability: "moderation.sample",
      schema: noData,
      async handle({ app, actor }) {
        return { card: sampleCard(await samplingOverview(app, actor), { percent: 10, returnDays: DEFAULT_RETURN_WORKING_DAYS }) };
      },
    }),
    defineRoute({
      verb: "moderation.sample",
      capability: "moderation.sample",
      schema: sampleSchema,
      async handle({ app, actor, data }) {
        const r = await sampleForModeration(app, actor, { fraction: data.percent / 100, returnWorkingDays: data.returnDays });
        const unallocated = r.unallocated ? `; ${r.unallocated} had no eligible moderator` : "";
        const result = `Sampled ${r.sampled} of ${r.eligible} audits and allocated them${unallocated}.`;
        return { card: sampleCard(await samplingOverview(app, actor), { ...data, result, byModerator: r.byModerator }) };
      },
      reshow: async ({ app, actor, data }, err) => ({
        card: sampleCard(await samplingOverview(app, actor), { ...data, error: err.message }),
      }),
    }),
    showRoute("moderation.mine", "moderation.moderate", "moderation-list", myModerations),
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
      handle: async ({ app, actor, data }) => card(await submitModeration(app, actor, data.id, data as Record<string, string>)),
      async reshow({ app, actor, data }, err) {
        const problems = Object.entries(err.fieldErrors).map(([k, v]) => `${k}: ${v}`);
        return card(await moderationCardFor(app, actor, data.id, [err.message, ...problems].join(" ")));
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
