// The escalation catalogue's schema (escalation.json): types, their stages and who owns each.
import { z } from "zod";
import { role, text, source, slug, comment, sourcedText } from "./common";

const stageSchema = z.strictObject({
  stage: z.number().int().min(1),
  title: text,
  ownerRoles: z.array(role).min(1),
  deadlineWorkingDays: z.number().int().positive(),
});
export type EscalationStage = z.infer<typeof stageSchema>;

const stagesOk = (stages: EscalationStage[]) => stages.every((s, i) => s.stage === i + 1);

export const escalationTypeSchema = z
  .strictObject({
    id: slug,
    label: text,
    raiserRoles: z.array(role).min(1),
    source,
    description: text,
    informalResolution: z.strictObject({ required: z.boolean(), text, source }),
    formalProcessText: text.optional(),
    reasonsText: text.optional(),
    stages: z.array(stageSchema).min(1),
    stagesText: text,
    stagesSource: source.optional(),
    bypass: z.strictObject({ allowed: z.boolean(), source, text: text.optional() }),
    furtherTime: z.strictObject({ allowed: z.boolean(), grantedBy: z.enum(["raiser"]), text: text.optional(), source }),
    cafcass: z.strictObject({
      available: z.boolean(),
      atAnyTime: z.boolean().optional(),
      text: text.optional(),
      stageText: text.optional(),
      source,
    }),
    complaintsText: text.optional(),
    alsoText: text.optional(),
    /** prompt: what the raiser is reminded of at each stage (types whose source asks it of the raiser). */
    keepInformed: z.strictObject({ text, source, prompt: text.optional() }),
    /**
     * What the escalation concerns when it is not a child's case: a foster carer (fostering IRO),
     * named by reference; its stage owners are the managers of the directory's team(s) whose
     * service area is `serviceArea`, and their chain.
     */
    subject: z.strictObject({ kind: z.literal("foster-carer"), serviceArea: text, text, source }).optional(),
  })
  .refine((t) => stagesOk(t.stages), { message: "stages must be numbered 1..n in order" });
export type EscalationType = z.infer<typeof escalationTypeSchema>;

export const escalationConfigSchema = z
  .strictObject({
    $comment: comment,
    version: z.number().int().min(1),
    daysUnit: z.literal("working"),
    daysUnitSource: source,
    defaultStages: z.array(stageSchema).min(1),
    defaultStagesSource: source,
    stagesSourceText: text,
    principles: sourcedText,
    types: z.array(escalationTypeSchema).min(1),
  })
  .superRefine((c, ctx) => {
    if (!stagesOk(c.defaultStages)) ctx.addIssue({ code: "custom", message: "defaultStages must be numbered 1..n" });
    const ids = c.types.map((t) => t.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "duplicate escalation type ids" });
  });
export type EscalationConfig = z.infer<typeof escalationConfigSchema>;
