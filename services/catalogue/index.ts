// The catalogue: versioned data taken from the source documents (see docs/domain.md), with
// zod schemas that validate each file when it is loaded. Wording in the JSON is the source's;
// anything the source does not give is marked "source": "assure-default".
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { auditToolSchema, type AuditTool } from "./auditToolSchema";
import { type GradeBand, type GradeScale, gradeScalesSchema, type GradeScales } from "./gradeScaleSchema";
import { escalationConfigSchema, type EscalationConfig } from "./escalationSchema";
import { supervisionRulesSchema, type SupervisionRules } from "./supervisionSchema";

const DIR = path.dirname(fileURLToPath(import.meta.url));

// The schemas, one file per catalogue file.
export { ROLES } from "./common";
export { auditAreaSchema, type AuditArea, auditToolSchema, type AuditTool } from "./auditToolSchema";
export {
  gradeBandSchema,
  type GradeBand,
  gradeScaleSchema,
  type GradeScale,
  gradeScalesSchema,
  type GradeScales,
} from "./gradeScaleSchema";
export {
  type EscalationStage,
  escalationTypeSchema,
  type EscalationType,
  escalationConfigSchema,
  type EscalationConfig,
} from "./escalationSchema";
export {
  type SupervisionPhase,
  supervisionRuleSchema,
  type SupervisionRule,
  supervisionRulesSchema,
  type SupervisionRules,
} from "./supervisionSchema";

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
