// The audit tool's schema (auditTool.json): the areas an auditor scores and the questions around them.
import { z } from "zod";
import { role, text, source, slug, comment, anchors, idText } from "./common";

const fieldSchema = z.strictObject({
  id: z.string().min(1),
  label: text,
  type: z.enum(["date", "text", "staff", "caseRef"]),
  note: text.optional(),
  personalData: z.boolean().optional(),
});

const AREA_FIELDS = ["signsOfImpact", "areasOfStrength", "areasToDevelop", "score", "auditorRationale"] as const;

export const auditAreaSchema = z
  .strictObject({
    number: z.number().int().min(1),
    title: text,
    mode: z.enum(["auditorOnly", "collaborative"]),
    auditorOnly: z.boolean(),
    collaborative: z.boolean(),
    ratingLabel: text,
    fields: z.array(z.enum(AREA_FIELDS)).min(1),
    suggestedScalingQuestion: text.optional(),
    prompts: z.array(text).optional(),
    source,
  })
  .superRefine((a, ctx) => {
    if (a.auditorOnly === a.collaborative || a.collaborative !== (a.mode === "collaborative")) {
      ctx.addIssue({ code: "custom", message: `area ${a.number}: mode, auditorOnly and collaborative disagree` });
    }
    if (!a.fields.includes("score")) {
      ctx.addIssue({ code: "custom", message: `area ${a.number}: every area is scaled` });
    }
  });
export type AuditArea = z.infer<typeof auditAreaSchema>;

const feedbackQuestions = z.array(idText).min(1);

export const auditToolSchema = z
  .strictObject({
    $comment: comment,
    id: slug,
    version: z.number().int().min(1),
    title: text,
    source,
    guidance: z.strictObject({
      purpose: text,
      auditor: text,
      evidence: text,
      evidenceSource: source,
      hints: z.array(text),
      tips: z.array(text),
      hintsSource: source,
      sections: z.array(z.strictObject({ number: z.number().int(), title: text, text })).length(6),
    }),
    caseDemographics: z.strictObject({
      source,
      auditDates: z.array(fieldSchema).min(1),
      personalDetails: z.array(fieldSchema).min(1),
      omitted: z.array(z.strictObject({ label: text, reason: text, source })),
    }),
    selfAssessment: z.strictObject({
      title: text,
      source,
      guidance: text,
      guidanceSource: source,
      questions: z
        .array(
          z.strictObject({
            id: slug,
            number: text,
            text,
            scaleLabel: text,
            anchors,
            reflection: z.array(text).length(2),
          }),
        )
        .length(2),
    }),
    caseFileHealthCheck: z.strictObject({
      title: text,
      guidance: text,
      guidanceSource: source,
      $comment: comment,
      answerOptions: z.array(text).min(2),
      items: z
        .array(
          z.strictObject({
            id: slug,
            text,
            relatedArea: z.number().int().min(1).max(19).optional(),
            basis: text,
            source,
          }),
        )
        .min(1),
    }),
    areasSection: z.strictObject({
      title: text,
      scale: z.strictObject({ min: z.literal(0), max: z.literal(10) }),
      fieldLabels: z.record(z.enum(AREA_FIELDS), text),
      signsOfImpactGuidance: text,
      collaborativeGuidance: text,
      gradingGuidance: text,
      source,
    }),
    areas: z.array(auditAreaSchema),
    feedback: z.strictObject({
      source,
      guidance: text,
      background: text,
      backgroundSource: source,
      child: z.strictObject({
        title: text,
        guidance: text,
        fields: z.array(fieldSchema),
        omittedFields: z.array(text),
        questions: feedbackQuestions,
      }),
      family: z.strictObject({
        title: text,
        guidance: text,
        fields: z.array(fieldSchema),
        openQuestions: feedbackQuestions,
        statementsTitle: text,
        statementScale: z.strictObject({ min: z.literal(0), max: z.literal(10), anchors }),
        statements: z.array(z.strictObject({ number: z.number().int(), id: slug, text })),
        closingQuestions: feedbackQuestions,
      }),
      network: z.strictObject({
        title: text,
        guidance: text,
        fields: z.array(fieldSchema),
        questions: feedbackQuestions,
      }),
    }),
    outcome: z.strictObject({
      source,
      overallRating: z.strictObject({
        text,
        fields: z.array(text),
        ratingOptions: z.array(text).min(2),
        defaultGradeScaleId: slug,
      }),
      actions: z.strictObject({
        text,
        columns: z.array(z.strictObject({ id: z.enum(["what", "who", "when"]), label: text })).length(3),
        alwaysRequired: z.boolean(),
        rule: text,
        step6: text,
        step6Source: source,
      }),
      followUp: z.strictObject({
        workingDays: z.number().int().positive(),
        text,
        additionally: z.array(text),
        source,
      }),
      inadequate: z.strictObject({
        notifyRoles: z.array(role).min(1),
        immediateTasksWithinHours: z.number().int().positive(),
        text,
        steps: z.array(text).min(1),
        formText: text,
        qaTeamText: text,
        serviceManagerText: text,
        source,
        $comment: comment,
      }),
    }),
  })
  .superRefine((t, ctx) => {
    t.areas.forEach((a, i) => {
      if (a.number !== i + 1) {
        ctx.addIssue({
          code: "custom",
          path: ["areas", i, "number"],
          message: `areas must be numbered 1..n in order; found ${a.number} at position ${i + 1}`,
        });
      }
      if (a.collaborative && (!a.suggestedScalingQuestion || !a.prompts?.length)) {
        ctx.addIssue({
          code: "custom",
          path: ["areas", i],
          message: `collaborative area ${a.number} needs a suggested scaling question and prompts`,
        });
      }
    });
    const ids = [
      ...t.feedback.child.questions,
      ...t.feedback.family.openQuestions,
      ...t.feedback.family.statements,
      ...t.feedback.family.closingQuestions,
      ...t.feedback.network.questions,
    ].map((q) => q.id);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: "custom", path: ["feedback"], message: "feedback question ids must be unique" });
    }
    const hc = t.caseFileHealthCheck.items.map((i) => i.id);
    if (new Set(hc).size !== hc.length) {
      ctx.addIssue({ code: "custom", path: ["caseFileHealthCheck"], message: "health check item ids must be unique" });
    }
  });
export type AuditTool = z.infer<typeof auditToolSchema>;
