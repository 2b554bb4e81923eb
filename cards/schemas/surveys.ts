// Submitted data of the survey cards. Form answers (q_<id> inputs) pass through untouched: the
// form engine validates them against a schema built from the template, so an invalid page is
// shown again with its errors and the typed input rather than as a generic error.
import { z } from "zod";
import { isoDay, text } from "./common";

export const campaignRefSchema = z.object({ campaignId: z.uuid("That survey reference is not valid.") });

export const surveyPageSchema = z
  .object({
    campaignId: z.uuid("That survey reference is not valid."),
    page: z.coerce.number().int().min(0).max(200).default(0),
    nav: z.enum(["open", "back", "next", "save", "submit"]).default("open"),
  })
  .catchall(z.unknown());

const isoDate = isoDay();

export const openSurveySchema = z.object({
  templateId: z.string().regex(/^[a-z0-9-]+$/, "Please choose a form."),
  audience: z
    .string()
    .min(1, "Please choose who the survey is for.")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  opensOn: isoDate.describe("Opens on"),
  closesOn: isoDate.describe("Closes at the end of"),
  reminderEveryDays: z.coerce.number().int("Whole days, please.").min(0).max(60).default(7),
  /** The "repeat every year" toggle (valueOn "true"). */
  repeatYearly: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});

/** One action of a Health Check's next steps plan. */
export const nextStepSchema = z.object({
  campaignId: z.uuid("That survey reference is not valid."),
  description: text(1000).trim().min(1, "Say what will be done."),
  ownerId: z.uuid("Choose who owns this action."),
  dueOn: isoDate,
});
