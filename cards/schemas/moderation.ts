// What the moderation cards submit (validated by the routes before any service runs).
import { z } from "zod";
import { SEND_BACK_REASON_MAX, SEND_BACK_REASON_MISSING } from "../../services/moderation/agreeGrade";

const id = z.string().uuid();
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const value = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

export const moderationIdSchema = z.object({ id });
/** The moderator's form: area_<n>, action_<id>, new<i>_what/_days, feedback…, decision, proposed. */
export const moderationFormSchema = z.object({ id }).catchall(value);
export const proposeGradeSchema = z.object({ id, grade: z.string().max(40) });
export const acceptGradeSchema = z.object({ id, v: z.coerce.number().int().optional() });
/** Approve, or send back with the reason the parties are told (required to send back). */
export const approveSchema = z
  .object({
    id,
    approve: bool,
    reason: z.string().trim().max(SEND_BACK_REASON_MAX, `At most ${SEND_BACK_REASON_MAX} characters.`).optional(),
  })
  .refine((d) => d.approve || !!d.reason, { path: ["reason"], message: SEND_BACK_REASON_MISSING });
export const reassignSchema = z.object({ id, moderatorId: z.string().uuid("Choose a moderator.") });
export const sampleSchema = z.object({
  percent: z.coerce.number().min(1, "At least 1%.").max(100, "At most 100%."),
  returnDays: z.coerce.number().int().min(1).max(60).default(10),
});
