// Submitted data of the dip sample cards. Ids in card data only name the sample or the case check;
// who acts always comes from the authenticated activity. The new-sample form is lenient so it can
// be re-shown with what was typed (the service checks the rules).
import { z } from "zod";

const sampleId = z.string().uuid("This card does not name a valid dip sample.");

export const sampleRefSchema = z.object({ sampleId });

export const newSampleSchema = z.object({
  checklistId: z.string().max(60).optional(),
  planType: z.string().max(40).optional(),
  teamId: z.string().max(40).optional(),
  openedFrom: z.string().max(20).optional(),
  openedTo: z.string().max(20).optional(),
  size: z.union([z.string().max(10), z.number()]).optional(),
  batchSize: z.union([z.string().max(10), z.number()]).optional(),
  reviewers: z.string().max(4000).optional(),
  seed: z.string().max(64).optional(),
});

/** One case's answers: item_<id> ("yes" / "no"), judgement, needsAction ("true" / "false"), note. */
export const checkAnswerSchema = z
  .object({
    checkId: z.string().uuid("This card does not name a valid case check."),
    judgement: z.string().max(20).optional(),
    needsAction: z.string().max(10).optional(),
    note: z.string().max(5000).optional(),
  })
  .catchall(z.string().max(20));
