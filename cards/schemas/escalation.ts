// What the escalation cards submit (validated by the routes before any service runs). The limits
// are the service's own, so the card and the service cannot disagree.
import { z } from "zod";
import { text } from "./common";
import { LIMITS } from "../../services/escalation/rules";

const id = z.string().uuid();
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

/** A card button: the escalation, and the stage the card showed ("Escalate now": a second press records nothing). */
export const escalationIdSchema = z.object({ id, stage: z.coerce.number().int().min(1).optional() });
export const escalateNowSchema = escalationIdSchema.extend({
  escalateReason: text(LIMITS.reason).default("").describe("Why escalate before the deadline?"),
});
export const raiseEscalationSchema = z.object({
  caseRef: z.string().trim().max(20, "At most 20 characters.").default(""),
  type: z.string().max(40).default(""),
  concern: text(LIMITS.concern).default("").describe("What is the concern?"),
  informal: text(LIMITS.informal).default("").describe("What was tried informally first?"),
});
export const respondSchema = z.object({
  id,
  response: text(LIMITS.response).default(""),
  resolve: bool.default(false),
});
export const requestTimeSchema = z.object({
  id,
  days: z.coerce
    .number()
    .int("Whole working days.")
    .min(1, "At least 1 working day.")
    .max(LIMITS.maxExtensionDays, `At most ${LIMITS.maxExtensionDays} working days.`),
  reason: text(LIMITS.reason).default(""),
});
export const answerSchema = z.object({ id, accept: bool });
export const bypassSchema = z.object({ id, toStage: z.coerce.number().int().min(2).max(10) });
