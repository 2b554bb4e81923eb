// The supervision rules' schema (supervision.json): how often each kind of worker is supervised.
import { z } from "zod";
import { text, source, slug, comment, sourcedText } from "./common";

const periodSchema = z.strictObject({ unit: z.enum(["weeks", "months"]), value: z.number().int().min(0) });
const minMax = z.strictObject({ min: z.number().int().positive(), max: z.number().int().positive() });

const phaseSchema = z.strictObject({
  $comment: comment,
  from: periodSchema,
  until: periodSchema.optional(),
  maxIntervalDays: z.number().int().positive(),
  label: text,
  source: source.optional(),
});
export type SupervisionPhase = z.infer<typeof phaseSchema>;

export const supervisionRuleSchema = z
  .strictObject({
    id: slug,
    label: text,
    kind: z.enum(["individual", "group"]),
    appliesTo: z.strictObject({
      isCaseHolding: z.boolean().optional(),
      isNqsw: z.boolean().optional(),
      team: z.boolean().optional(),
    }),
    durationMinutes: minMax.optional(),
    intervalDays: minMax.optional(),
    phases: z.array(phaseSchema).min(1),
    text,
    source,
  })
  .superRefine((r, ctx) => {
    r.phases.forEach((p, i) => {
      const last = i === r.phases.length - 1;
      if (last !== (p.until === undefined)) {
        ctx.addIssue({ code: "custom", message: `rule ${r.id}: only the last phase is open-ended` });
      }
      const next = r.phases[i + 1];
      if (next && p.until && (next.from.unit !== p.until.unit || next.from.value !== p.until.value)) {
        ctx.addIssue({ code: "custom", message: `rule ${r.id}: phase ${i + 2} must start where phase ${i + 1} ends` });
      }
    });
  });
export type SupervisionRule = z.infer<typeof supervisionRuleSchema>;

export const supervisionRulesSchema = z.strictObject({
  $comment: comment,
  version: z.number().int().min(1),
  booking: z.strictObject({ bookAheadMonths: z.number().int().positive(), durationMinutes: minMax, text, source }),
  rules: z.array(supervisionRuleSchema).min(1),
  qualityAssurance: z.strictObject({ source, items: z.array(z.strictObject({ id: z.string().min(1), text })).min(1) }),
  auditActions: sourcedText,
  /** When reminders go out and when a session counts as missed (Assure's defaults, not from a source). */
  reminders: z
    .strictObject({
      $comment: comment,
      workingDaysBefore: z.number().int().min(0).default(2),
      overdueAfterWorkingDays: z.number().int().min(0).default(1),
      sendAt: z
        .string()
        .regex(/^\d\d:\d\d$/)
        .default("08:30"),
    })
    .default({ workingDaysBefore: 2, overdueAfterWorkingDays: 1, sendAt: "08:30" }),
});
export type SupervisionRules = z.infer<typeof supervisionRulesSchema>;
