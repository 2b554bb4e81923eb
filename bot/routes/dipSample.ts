// Dip samples: the QA team or a head of service draws and allocates a sample; reviewers answer it
// case after case in one card ("Save and next"); results, XLSX and closing. Thin: validate with the
// card's zod schema, call the service with the authenticated actor, render.
import path from "node:path";
import { byId, cardRoute, command, noData, reply, replyWith, route, showRoute, type Command } from "../router";
import { createDipSample, newSampleFormData } from "../../services/dipSample/sample";
import { answerCheck, nextCheckCard } from "../../services/dipSample/check";
import { closeDipSample, exportDipSample, resultsForActor } from "../../services/dipSample/results";
import { dipSampleHome } from "../../services/dipSample/mine";
import { checkAnswerSchema, newSampleSchema, sampleRefSchema } from "../../cards/schemas/dipSample";

export const commands: Command[] = [
  command("dip samples", "dipSample.home", "Dip samples: your cases to check, or (QA team) samples and results"),
  command("dip sample", "dipSample.home", "Same as dip samples"),
];

/** The reviewer's answers: the card's `item_<id>` inputs. */
const itemAnswers = (data: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(data)
      .filter(([k]) => k.startsWith("item_"))
      .map(([k, v]) => [k.slice(5), String(v)]),
  );

// The file name only: where the server keeps it is nobody's business in a chat.
const workbookWritten = (file: string) => ({
  title: "Dip sample workbook written",
  text: `Workbook: ${path.basename(file)} (sheets Summary, Items, Teams, Cases).\n\nIt is on the Assure server; ask the QA team to share it.`,
});

export function routes() {
  const manage = "dipSamples.manage";
  return [
    showRoute("dipSample.home", "dipSamples.mine", "dip-sample-list", dipSampleHome),
    cardRoute("dipSample.new", manage, noData, "dip-sample-new", ({ app }) => newSampleFormData(app)),
    cardRoute(
      "dipSample.create",
      manage,
      newSampleSchema,
      "dip-sample-results",
      async ({ app, actor, data }) => resultsForActor(app, actor, await createDipSample(app, actor, data)),
      async ({ app, data }, err) => reply("dip-sample-new", await newSampleFormData(app, data, err.fieldErrors, err.message)),
    ),
    route("dipSample.next", "dipSamples.review", sampleRefSchema, async ({ app, actor, data }) =>
      replyWith(await nextCheckCard(app, actor, data.sampleId)),
    ),
    route(
      "dipSample.answer",
      "dipSamples.review",
      checkAnswerSchema,
      async ({ app, actor, data: { checkId, judgement, needsAction, note, ...rest } }) =>
        replyWith(await answerCheck(app, actor, checkId, { answers: itemAnswers(rest), judgement, needsAction, note })),
    ),
    cardRoute("dipSample.results", manage, sampleRefSchema, "dip-sample-results", byId("sampleId", resultsForActor)),
    cardRoute("dipSample.close", manage, sampleRefSchema, "dip-sample-results", byId("sampleId", closeDipSample)),
    cardRoute("dipSample.export", manage, sampleRefSchema, "message", async ({ app, actor, data }) =>
      workbookWritten(await exportDipSample(app, actor, data.sampleId)),
    ),
  ];
}
