// Submitted data of the audit-of-practice day cards (Halton framework). Free text is limited here
// and checked again, with messages next to the field, by services/practiceDay.
import { z } from "zod";
import { isoDay, text } from "./common";

const id = z.string().uuid();
const optionalText = (max: number) => text(max).optional();

export const dayRefSchema = z.object({ dayId: id }).passthrough();
export const dayCaseRefSchema = z.object({ dayCaseId: id }).passthrough();
export const recRefSchema = z.object({ recId: id }).passthrough();

/** The schedule form: the date is checked by the service (with the message next to it). */
export const scheduleSchema = z.object({ heldOn: optionalText(20), lead: optionalText(40), theme: optionalText(80) }).passthrough();

/** The pair's pro forma: words only. A numerical grade is not a field of this form (the service keeps only these). */
export const analysisSchema = z
  .object({
    dayCaseId: id,
    livedExperience: optionalText(4000),
    qualityImpact: optionalText(4000),
    assessmentToActions: optionalText(4000),
    education: optionalText(4000),
    evaluation: optionalText(4000),
    areasToExplore: optionalText(4000),
    recommendation: optionalText(4000),
    poorPractice: z.enum(["true", "false"]).optional(),
  })
  .passthrough();

export const assureSchema = z
  .object({
    dayCaseId: id,
    recommendation: optionalText(4000),
    dueOn: z.union([z.literal(""), isoDay()]).optional(),
    poorPractice: z.enum(["true", "false"]).optional(),
  })
  .passthrough();

export const reportSchema = z.object({ dayId: id, findings: optionalText(8000), organisational: optionalText(8000) }).passthrough();
export const completeSchema = z.object({ recId: id, note: optionalText(4000) }).passthrough();
