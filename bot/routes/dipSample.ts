// Dip samples: the QA team or a head of service draws and allocates a sample; reviewers answer it
// case after case in one card ("Save and next"); results, XLSX and closing. Thin: validate with the
// card's zod schema, call the service with the authenticated actor, render.
import path from "node:path";
import { z } from "zod";
import { defineRoute, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { ValidationFailed } from "../../services/errors";
import { may } from "../../services/permissions";
import { createDipSample, newSampleFormData } from "../../services/dipSample/sample";
import { answerCheck, nextCheckCard } from "../../services/dipSample/check";
import { closeDipSample, exportDipSample, recentSamples, resultsForActor } from "../../services/dipSample/results";
import { reviewerSamples } from "../../services/dipSample/mine";
import { checkAnswerSchema, newSampleSchema, sampleRefSchema } from "../../cards/schemas/dipSample";

export const dipSampleCommands: Command[] = [
  { words: "dip samples", verb: "dipSample.home", description: "Dip samples: your cases to check, or (QA team) samples and results" },
  { words: "dip sample", verb: "dipSample.home", description: "Same as dip samples" },
];

export function dipSampleRoutes() {
  return [
    defineRoute({
      verb: "dipSample.home",
      capability: "dipSamples.mine",
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        const mine = (await reviewerSamples(app, actor)).map((s) => ({ ...s, verb: "dipSample.next", button: "Continue" }));
        const managed = may(actor, "dipSamples.manage")
          ? (await recentSamples(app)).map((s) => ({ ...s, verb: "dipSample.results", button: "Results" }))
          : [];
        return {
          card: renderCard("dip-sample-list", {
            items: [...mine, ...managed].slice(0, 10),
            canCreate: may(actor, "dipSamples.manage"),
            empty: "No dip sample cases are waiting for you.",
          }),
        };
      },
    }),
    defineRoute({
      verb: "dipSample.new",
      capability: "dipSamples.manage",
      schema: z.object({}).passthrough(),
      async handle({ app }) {
        return { card: renderCard("dip-sample-new", await newSampleFormData(app)) };
      },
    }),
    defineRoute({
      verb: "dipSample.create",
      capability: "dipSamples.manage",
      schema: newSampleSchema,
      async handle({ app, actor, data }) {
        try {
          const id = await createDipSample(app, actor, data);
          return { card: renderCard("dip-sample-results", await resultsForActor(app, actor, id)) };
        } catch (err) {
          if (err instanceof ValidationFailed)
            return { card: renderCard("dip-sample-new", await newSampleFormData(app, data, err.fieldErrors, err.message)) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "dipSample.next",
      capability: "dipSamples.review",
      schema: sampleRefSchema,
      async handle({ app, actor, data }) {
        const c = await nextCheckCard(app, actor, data.sampleId);
        return { card: renderCard(c.template, c.data) };
      },
    }),
    defineRoute({
      verb: "dipSample.answer",
      capability: "dipSamples.review",
      schema: checkAnswerSchema,
      async handle({ app, actor, data }) {
        const { checkId, judgement, needsAction, note, ...rest } = data;
        const answers = Object.fromEntries(
          Object.entries(rest)
            .filter(([k]) => k.startsWith("item_"))
            .map(([k, v]) => [k.slice(5), String(v)]),
        );
        const c = await answerCheck(app, actor, checkId, { answers, judgement, needsAction, note });
        return { card: renderCard(c.template, c.data) };
      },
    }),
    defineRoute({
      verb: "dipSample.results",
      capability: "dipSamples.manage",
      schema: sampleRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("dip-sample-results", await resultsForActor(app, actor, data.sampleId)) };
      },
    }),
    defineRoute({
      verb: "dipSample.close",
      capability: "dipSamples.manage",
      schema: sampleRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("dip-sample-results", await closeDipSample(app, actor, data.sampleId)) };
      },
    }),
    defineRoute({
      verb: "dipSample.export",
      capability: "dipSamples.manage",
      schema: sampleRefSchema,
      async handle({ app, actor, data }) {
        const file = await exportDipSample(app, actor, data.sampleId);
        return {
          card: renderCard("message", {
            title: "Dip sample workbook written",
            // The file name only: where the server keeps it is nobody's business in a chat.
            text: `Workbook: ${path.basename(file)} (sheets Summary, Items, Teams, Cases).\n\nIt is on the Assure server; ask the QA team to share it.`,
          }),
        };
      },
    }),
  ];
}
