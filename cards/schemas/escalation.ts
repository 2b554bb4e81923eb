// What the escalation cards submit (validated by the routes before any service runs).
import { z } from "zod";
import { text } from "./common";

const id = z.string().uuid();
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

export const escalationIdSchema = z.object({ id });
export const raiseEscalationSchema = z.object({
  caseRef: z.string().trim().max(20, "At most 20 characters.").default(""),
  type: z.string().max(40).default(""),
  concern: text(2000).default(""),
  informal: text(2000).default(""),
});
export const respondSchema = z.object({
  id,
  response: text(2000).default(""),
  resolve: bool.default(false),
});
export const requestTimeSchema = z.object({
  id,
  days: z.coerce.number().int("Whole working days.").min(1, "At least 1 working day.").max(10, "At most 10 working days."),
  reason: text(500).default(""),
});
export const answerSchema = z.object({ id, accept: bool });
export const bypassSchema = z.object({ id, toStage: z.coerce.number().int().min(2).max(10) });
