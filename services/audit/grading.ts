// Step 4, grading: the overall grade on the configured scale (services/catalogue/gradeScales.json;
// GRADE_SCALE picks the default, each audit keeps the scale it was allocated under). Bands, labels,
// half steps and which bands count as inadequate are configuration, not code.
import { bandForGrade, getGradeScale, isInadequateBand, loadAuditTool, type GradeBand, type GradeScale } from "../catalogue";
import type { Config } from "../config";
import type { FieldDef, FieldValues } from "./fields";

/** The audit's own scale when known, else the configured one. */
export function scaleFor(config: Config, gradeScaleId?: string | null): GradeScale {
  try {
    return getGradeScale(gradeScaleId ?? config.GRADE_SCALE);
  } catch {
    return getGradeScale(config.GRADE_SCALE);
  }
}

/** "Is the child better off / safer?": asked of every audit, needed to submit (the authority's own default). */
export const CHILDREN_BENEFIT_LABEL = "Is the child better off / safer? (the auditor's view)";

/** Its answers as the auditor sees them (assure-default wording). */
export const CHILDREN_BENEFIT = [
  { value: "yes", title: "Yes: better off and safer" },
  { value: "partly", title: "Partly" },
  { value: "no", title: "No" },
  { value: "unclear", title: "Too early to say" },
];

/**
 * "Did the audit find the child unsafe?": the monthly report counts these children under "Is
 * anyone better off?" (the model reports say, e.g., "No children were unsafe"). Assure's wording.
 */
export const CHILD_UNSAFE = {
  label: "Did the audit find the child unsafe? (the auditor's view)",
  choices: [
    { value: "no", title: "No" },
    { value: "yes", title: "Yes: the child is unsafe" },
  ],
};
/** The stored value of the answer: true, false, or null when not given. */
export const childUnsafeOf = (v: string | undefined) => (v === "yes" ? true : v === "no" ? false : null);

const fmt = (n: number) => String(n);

export function bandSummary(scale: GradeScale): string {
  return scale.bands
    .map((b) => {
      if (b.judgementOnly) return `${b.label} (by judgement)`;
      if (b.value !== undefined) return `${fmt(b.value)} ${b.label}`;
      return b.min === b.max ? `${fmt(b.min!)} ${b.label}` : `${fmt(b.min!)}–${fmt(b.max!)} ${b.label}`;
    })
    .join(" · ");
}

export function gradeFields(scale: GradeScale): FieldDef[] {
  const tool = loadAuditTool();
  const out: FieldDef[] = [
    { kind: "heading", id: "h-grade", label: tool.outcome.overallRating.text, note: `${scale.label}: ${bandSummary(scale)}` },
  ];
  if (scale.input === "score") {
    const r = scale.scoreRange!;
    out.push({ kind: "number", id: "grade", label: `Auditor rating (${fmt(r.min)}–${fmt(r.max)})`, min: r.min, max: r.max, step: r.step });
    const judged = scale.bands.filter((b) => b.judgementOnly);
    if (judged.length) {
      out.push({
        kind: "choice",
        id: "gradeJudgement",
        // One judged band (e.g. Outstanding) makes a one-option box: the label says what choosing it means.
        label:
          judged.length === 1
            ? `Judgement (optional): choose ${judged[0]!.label} only when the practice goes beyond the rating alone${
                judged[0]!.min !== undefined
                  ? ` (a rating of ${fmt(judged[0]!.min)}${judged[0]!.max !== judged[0]!.min ? `–${fmt(judged[0]!.max!)}` : ""})`
                  : ""
              }`
            : "Judgement (optional)",
        // "No judgement" first: once a judgement is picked, a Teams dropdown cannot be emptied again.
        choices: [
          { title: "No judgement (the rating alone)", value: NO_JUDGEMENT },
          ...judged.map((b) => ({ title: `${b.label}${b.description ? `: ${b.description}` : ""}`, value: b.id })),
        ],
      });
    }
  } else {
    out.push({
      kind: "choice",
      id: "grade",
      label: "Auditor rating",
      choices: scale.bands.map((b) => ({ title: b.label, value: fmt(b.value!) })),
    });
  }
  out.push({
    kind: "choice",
    id: "childrenBenefit",
    label: `${CHILDREN_BENEFIT_LABEL}: needed to submit`,
    choices: CHILDREN_BENEFIT,
  });
  out.push({ kind: "choice", id: "childUnsafe", label: `${CHILD_UNSAFE.label}: needed to submit`, choices: CHILD_UNSAFE.choices });
  out.push({ kind: "multiline", id: "overallImpact", label: tool.outcome.overallRating.fields[0] ?? "Signs of Impact", maxLength: 1000 });
  return out;
}

/** The judgement dropdown's choice for "no judgement, the rating alone". */
export const NO_JUDGEMENT = "none";

/** The band for the page's values, or an error for the grade fields. */
export function resolveGrade(scale: GradeScale, v: FieldValues): { grade?: number; band?: GradeBand; errors: Record<string, string> } {
  const judgement = v.gradeJudgement === NO_JUDGEMENT ? "" : (v.gradeJudgement ?? "");
  if (!v.grade) return { errors: judgement ? { grade: "Give a rating as well as the judgement." } : {} };
  const grade = Number(v.grade);
  const band = bandForGrade(scale, grade, judgement || undefined);
  if (!band) return { errors: { grade: "That rating is not on the scale." } };
  if (judgement && band.id !== judgement) {
    return { errors: { gradeJudgement: `That judgement needs a rating in its range (${bandSummary(scale)}), or choose “No judgement”.` } };
  }
  return { grade, band, errors: {} };
}

export const isInadequate = (scale: GradeScale, band: GradeBand) => isInadequateBand(scale, band.id);
