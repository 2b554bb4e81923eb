// Moderation: the QA team's `moderate` sampling card, the moderator's shared card and its buttons.
import { byId, cardRoute, command, fromCard, reply, showRoute, type Command } from "../router";
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

interface SampleRun {
  result?: string;
  error?: string;
  byModerator?: { name: string; count: number }[];
  percent: number;
  returnDays: number;
}

/** The sampling card's data: the overview's counts and the last run's loads as FactSet text. */
function sampleCardData(
  o: { eligible: number; open: number; overdue: number },
  { result = "", error = "", byModerator = [], percent, returnDays }: SampleRun,
) {
  return {
    result,
    error,
    percent,
    returnDays,
    eligible: String(o.eligible),
    open: String(o.open),
    overdue: String(o.overdue),
    byModerator: byModerator.map((m) => ({ name: m.name, count: String(m.count) })),
  };
}

export const commands: Command[] = [
  command("moderate", "moderation.start", "Sample completed audits for moderation and allocate moderators", { button: "Moderate" }),
  command("my moderations", "moderation.mine", "Moderations waiting for you"),
];

export function routes() {
  const [sample, act] = ["moderation.sample", "moderation.act"] as const;
  /** A form of the moderation card: the whole card's inputs are the moderator's answers. */
  const answers = (data: Record<string, unknown>) => data as Record<string, string>;
  return [
    showRoute("moderation.start", sample, "moderation-sample", async (app, actor) =>
      sampleCardData(await samplingOverview(app, actor), { percent: 10, returnDays: DEFAULT_RETURN_WORKING_DAYS }),
    ),
    cardRoute(
      "moderation.sample",
      sample,
      sampleSchema,
      "moderation-sample",
      async ({ app, actor, data }) => {
        const r = await sampleForModeration(app, actor, { fraction: data.percent / 100, returnWorkingDays: data.returnDays });
        const unallocated = r.unallocated ? `; ${r.unallocated} had no eligible moderator` : "";
        const result = `Sampled ${r.sampled} of ${r.eligible} audits and allocated them${unallocated}.`;
        return sampleCardData(await samplingOverview(app, actor), { ...data, result, byModerator: r.byModerator });
      },
      async ({ app, actor, data }, err) =>
        reply("moderation-sample", sampleCardData(await samplingOverview(app, actor), { ...data, error: err.message })),
    ),
    showRoute("moderation.mine", "moderation.moderate", "moderation-list", myModerations),
    cardRoute("moderation.refresh", act, moderationIdSchema, "moderation", byId("id", moderationCardFor)),
    cardRoute("moderation.save", act, moderationFormSchema, "moderation", ({ app, actor, data }) =>
      saveDraft(app, actor, data.id, answers(data)),
    ),
    cardRoute("moderation.page", act, moderationFormSchema, "moderation", ({ app, actor, data }) =>
      saveDraft(app, actor, data.id, answers(data), String(data.goTo ?? "")),
    ),
    cardRoute(
      "moderation.submit",
      act,
      moderationFormSchema,
      "moderation",
      ({ app, actor, data }) => submitModeration(app, actor, data.id, answers(data)),
      async ({ app, actor, data }, err) => reply("moderation", await moderationCardFor(app, actor, data.id, err.message, err.fieldErrors)),
    ),
    cardRoute("moderation.proposeGrade", act, proposeGradeSchema, "moderation", fromCard(proposeGrade)),
    cardRoute("moderation.acceptGrade", act, acceptGradeSchema, "moderation", fromCard(acceptGrade)),
    cardRoute("moderation.approve", act, approveSchema, "moderation", fromCard(decideApproval)),
    cardRoute("moderation.reassign", sample, reassignSchema, "moderation", fromCard(reassign)),
  ];
}
