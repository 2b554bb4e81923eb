// Submitted data of the allocation and self-assessment cards. Ids in card data only name the
// object; who acts always comes from the authenticated activity.
import { z } from "zod";
import { isoDay } from "./common";

/** Longest reason an auditor may give for a swap (the card and requestSwap both hold to it). */
export const SWAP_REASON_MAX = 500;

const auditId = z.string().uuid("This card does not name a valid audit.");

/** The allocate form (and the "Allocate these" button of a preview). */
export const allocateFormSchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Choose a month (YYYY-MM).")
    .optional(),
  theme: z.string().max(60).optional().default(""),
  target: z.coerce
    .number({ error: "The target is a whole number of audits, from 1 to 1000." })
    .int("The target is a whole number.")
    .min(1, "At least 1 audit.")
    .max(1000, "At most 1000 audits.")
    .optional(),
  seed: z.string().trim().max(64, "A seed is at most 64 characters.").optional().default(""),
});
/** Lenient at the edge so the form can be re-shown with the person's input and the errors. */
export const allocateFormRawSchema = z.object({
  month: z.string().optional(),
  theme: z.string().optional(),
  target: z.union([z.string(), z.number()]).optional(),
  seed: z.string().optional(),
});

export const acceptSchema = z.object({
  auditId,
  meetingDate: z.union([z.literal(""), isoDay()]).optional(),
});

/** The swap reason rule, shown to the user next to the field. */
export const swapReasonSchema = z
  .string({ error: "Please give a reason." })
  .trim()
  .min(5, `Please say why you cannot do this audit (5 to ${SWAP_REASON_MAX} characters).`)
  .max(SWAP_REASON_MAX, `Please keep the reason to ${SWAP_REASON_MAX} characters.`);
export const swapRawSchema = z.object({ auditId, reason: z.string().optional().default("") });

export const auditRefSchema = z.object({ auditId });
/** "Record an audit as not completed" (QA team): lenient, so the form comes back with what was typed. */
export const notCompletedSchema = z.object({
  caseRef: z.string().max(20).optional().default(""),
  reason: z.string().max(40).optional().default(""),
});

/** Self-assessment answers: the question ids of the form template, as typed (checked in the service). */
export const selfAssessmentSchema = z.object({ auditId }).catchall(z.union([z.string(), z.number()]));
