// The catalogue: versioned data taken from the source documents (see docs/domain.md), with
// zod schemas that validate each file when it is loaded. Wording in the JSON is the source's;
// anything the source does not give is marked "source": "assure-default".
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const DIR = path.dirname(fileURLToPath(import.meta.url));

/** Staff roles, as in prisma/schema.prisma `enum Role`. */
export const ROLES = [
  "PRACTITIONER",
  "DEPUTY_TEAM_MANAGER",
  "TEAM_MANAGER",
  "SERVICE_MANAGER",
  "HEAD_OF_SERVICE",
  "ASSISTANT_DIRECTOR",
  "DIRECTOR",
  "QA_TEAM",
  "HEAD_OF_QA",
  "MODERATOR",
  "CP_CHAIR",
  "IRO",
  "FOSTERING_IRO",
  "ADMIN",
] as const;
const role = z.enum(ROLES);

const text = z.string().min(1);
const source = z.string().min(1);
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
const comment = z.string().optional();
const anchors = z.record(z.string().regex(/^(?:10|[0-9])$/), text);
const idText = z.strictObject({ id: slug, text });

// ---------------------------------------------------------------- audit tool

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

// ---------------------------------------------------------------- grade scales

export const gradeBandSchema = z
  .strictObject({
    $comment: comment,
    id: slug,
    label: text,
    value: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    rank: z.number().int().min(1),
    isGood: z.boolean(),
    isInadequate: z.boolean(),
    /** Never derived from a score alone: the grader chooses it (score must still be in min..max). */
    judgementOnly: z.boolean().optional(),
    /** A half step reported inside another band (e.g. “nearly good” within “not yet good”). */
    countsAs: slug.optional(),
    description: text.optional(),
    source,
  })
  .superRefine((b, ctx) => {
    const hasValue = b.value !== undefined;
    const hasRange = b.min !== undefined && b.max !== undefined;
    if (hasValue === hasRange || (b.min === undefined) !== (b.max === undefined)) {
      ctx.addIssue({ code: "custom", message: `band ${b.id}: give either value or min and max` });
    }
    if (hasRange && b.min! > b.max!) ctx.addIssue({ code: "custom", message: `band ${b.id}: min > max` });
    if (b.isGood && b.isInadequate) ctx.addIssue({ code: "custom", message: `band ${b.id}: cannot be good and inadequate` });
  });
export type GradeBand = z.infer<typeof gradeBandSchema>;

export const gradeScaleSchema = z
  .strictObject({
    $comment: comment,
    id: slug,
    label: text,
    source,
    /** score: the grader enters a number in scoreRange; band: the grader picks a band. */
    input: z.enum(["score", "band"]),
    scoreRange: z.strictObject({ min: z.number(), max: z.number(), step: z.number().positive() }).optional(),
    sourceText: text,
    bands: z.array(gradeBandSchema).min(2),
    inadequateBandIds: z.array(slug),
  })
  .superRefine((s, ctx) => {
    const ids = s.bands.map((b) => b.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: `scale ${s.id}: duplicate band ids` });
    const ranks = s.bands.map((b) => b.rank);
    if (new Set(ranks).size !== ranks.length) ctx.addIssue({ code: "custom", message: `scale ${s.id}: duplicate ranks` });
    if (ranks.some((r, i) => i > 0 && r <= ranks[i - 1]!)) {
      ctx.addIssue({ code: "custom", message: `scale ${s.id}: bands must be listed worst to best (rising rank)` });
    }
    for (const id of s.inadequateBandIds) {
      const b = s.bands.find((x) => x.id === id);
      if (!b || !b.isInadequate)
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: inadequate band ${id} missing or not flagged isInadequate` });
    }
    for (const b of s.bands) {
      if (b.isInadequate && !s.inadequateBandIds.includes(b.id)) {
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: band ${b.id} is inadequate but not in inadequateBandIds` });
      }
      if (b.countsAs && !ids.includes(b.countsAs))
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: ${b.id} countsAs unknown band` });
    }
    if (s.input === "score") {
      if (!s.scoreRange) {
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: score input needs scoreRange` });
        return;
      }
      // Every score in range must fall in exactly one band that is not judgement-only.
      for (let v = s.scoreRange.min; v <= s.scoreRange.max; v += s.scoreRange.step) {
        const hits = s.bands.filter((b) => !b.judgementOnly && b.min !== undefined && b.max !== undefined && v >= b.min && v <= b.max);
        if (hits.length !== 1) ctx.addIssue({ code: "custom", message: `scale ${s.id}: score ${v} is in ${hits.length} bands` });
      }
    }
  });
export type GradeScale = z.infer<typeof gradeScaleSchema>;

export const gradeScalesSchema = z
  .strictObject({
    $comment: comment,
    version: z.number().int().min(1),
    defaultScaleId: slug,
    scales: z.array(gradeScaleSchema).min(1),
  })
  .superRefine((g, ctx) => {
    const ids = g.scales.map((s) => s.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "duplicate scale ids" });
    if (!ids.includes(g.defaultScaleId)) ctx.addIssue({ code: "custom", message: "defaultScaleId is not a scale" });
  });
export type GradeScales = z.infer<typeof gradeScalesSchema>;

// ---------------------------------------------------------------- escalation

const stageSchema = z.strictObject({
  stage: z.number().int().min(1),
  title: text,
  ownerRoles: z.array(role).min(1),
  deadlineWorkingDays: z.number().int().positive(),
});
export type EscalationStage = z.infer<typeof stageSchema>;

const sourcedText = z.strictObject({ text, source });
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

// ---------------------------------------------------------------- supervision

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

// ---------------------------------------------------------------- loaders

const cache = new Map<string, unknown>();

function load<T>(file: string, schema: z.ZodType<T>): T {
  const hit = cache.get(file);
  if (hit !== undefined) return hit as T;
  const full = path.join(DIR, file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (err) {
    throw new Error(`catalogue: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`catalogue: ${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  cache.set(file, parsed.data);
  return parsed.data;
}

export const loadAuditTool = (): AuditTool => load("auditTool.json", auditToolSchema);
export const loadGradeScales = (): GradeScales => load("gradeScales.json", gradeScalesSchema);
export const loadEscalationConfig = (): EscalationConfig => load("escalation.json", escalationConfigSchema);
export const loadSupervisionRules = (): SupervisionRules => load("supervision.json", supervisionRulesSchema);

/** Forgets loaded files (for tests and for reloading after an edit). */
export function clearCatalogueCache(): void {
  cache.clear();
}

// ---------------------------------------------------------------- small helpers

/** The scale with this id, or the default scale when id is omitted. Throws on an unknown id. */
export function getGradeScale(id?: string): GradeScale {
  const all = loadGradeScales();
  const wanted = id ?? all.defaultScaleId;
  const s = all.scales.find((x) => x.id === wanted);
  if (!s) throw new Error(`unknown grade scale ${wanted}`);
  return s;
}

/**
 * The band a numeric grade falls in. For score scales, judgement-only bands (Outstanding) are
 * returned only when `judgement` names them and the score is within their range; otherwise the
 * band derived from the score. For band scales, the band whose value equals the grade.
 */
export function bandForGrade(scale: GradeScale, grade: number, judgement?: string): GradeBand | undefined {
  if (scale.input === "band") return scale.bands.find((b) => b.value === grade);
  const inRange = (b: GradeBand) => b.min !== undefined && b.max !== undefined && grade >= b.min && grade <= b.max;
  if (judgement) {
    const j = scale.bands.find((b) => b.id === judgement && b.judgementOnly && inRange(b));
    if (j) return j;
  }
  return scale.bands.find((b) => !b.judgementOnly && inRange(b));
}

export function bandById(scale: GradeScale, id: string): GradeBand | undefined {
  return scale.bands.find((b) => b.id === id);
}

/** Negative when `from` → `to` is a move down (e.g. moderated from good to not yet good). */
export function compareBands(from: GradeBand, to: GradeBand): number {
  return to.rank - from.rank;
}

export function isInadequateBand(scale: GradeScale, bandId: string): boolean {
  return scale.inadequateBandIds.includes(bandId);
}
