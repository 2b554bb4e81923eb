// The audit form's pages, what each asks and the draft they save into: no database here.
import { loadAuditTool, type AuditArea } from "../../catalogue";
import { zeroToTen, type FieldDef, type FieldValues } from "../fields";
import { FEEDBACK_KINDS, feedbackTitle, type FeedbackKind } from "../feedback";

export const AREAS_PER_PAGE = 3;
/** Text limits per area, chosen so a page of three areas full to the brim stays far below 28 KB. */
export const AREA_TEXT_MAX = 800;
export const EVIDENCE_MAX = 200;
/**
 * Most of the practitioner's self-assessment answers the first page shows (UTF-8 bytes, all answers
 * together): four answers of up to 3,000 plain characters each fit in full; only text that takes
 * more bytes (curly quotes, accents) is cut, and each cut answer says so.
 */
export const SELF_ASSESSMENT_SHOWN_BYTES = 12_000;
/**
 * Most text one page may hold (UTF-8 bytes), so a saved page always renders far below the 28 KB
 * card budget even when the answers are not plain ASCII (curly quotes take 3 bytes).
 */
export const PAGE_TEXT_BUDGET_BYTES = 12_000;

/** "another": on the family feedback page, save this family member and start the next one. */
export type Nav = "next" | "back" | "close" | "stay" | "another";

export interface AuditDraft {
  page?: string;
  health?: FieldValues;
  outcome?: FieldValues;
  /** The family member the family feedback page shows (0, 1, …). */
  familyMember?: number;
}

export function areaGroups(): AuditArea[][] {
  const areas = loadAuditTool().areas;
  const groups: AuditArea[][] = [];
  for (let i = 0; i < areas.length; i += AREAS_PER_PAGE) groups.push(areas.slice(i, i + AREAS_PER_PAGE));
  return groups;
}

export function pageIds(): string[] {
  return ["health", ...areaGroups().map((_, i) => `areas-${i + 1}`), ...FEEDBACK_KINDS.map((k) => `feedback-${k}`), "outcome", "review"];
}

/** The kind of feedback a "feedback-<kind>" page records; null for any other page. */
export const feedbackKindOf = (page: string): FeedbackKind | null =>
  page.startsWith("feedback-") ? (page.slice(9) as FeedbackKind) : null;

export function pageTitle(page: string): string {
  const tool = loadAuditTool();
  if (page === "health") return tool.caseFileHealthCheck.title;
  if (page.startsWith("areas-")) {
    const g = areaGroups()[Number(page.slice(6)) - 1]!;
    return `${tool.areasSection.title}: areas ${g[0]!.number}–${g[g.length - 1]!.number}`;
  }
  const kind = feedbackKindOf(page);
  if (kind) return feedbackTitle(kind);
  if (page === "outcome") return "Grade and actions";
  return "Review and submit";
}

/**
 * An area's inputs: only the fields the audit tool gives that area (areas 1–5 ask for strengths, areas
 * to develop and a rating; 6–18 add signs of impact and the auditor's rationale). The evidence
 * reference goes with the areas of strength it backs.
 */
export function areaFields(area: AuditArea): FieldDef[] {
  const s = loadAuditTool().areasSection;
  const n = area.number;
  const has = (f: AuditArea["fields"][number]) => area.fields.includes(f);
  const who = area.auditorOnly
    ? `${area.ratingLabel}: auditor only`
    : `${area.ratingLabel}: collaborative. Suggested scaling question: ${area.suggestedScalingQuestion ?? ""}`;
  const out: FieldDef[] = [{ kind: "heading", id: `h-a${n}`, label: `${n}. ${area.title}`, note: who }];
  if (area.prompts?.length) out.push({ kind: "info", id: `p-a${n}`, label: area.prompts.join(" ") });
  const text = (suffix: string, label: string): FieldDef => ({ kind: "multiline", id: `a${n}_${suffix}`, label, maxLength: AREA_TEXT_MAX });
  const scoreLabel = s.fieldLabels.score ?? "rating (0–10)";
  out.push({ kind: "choice", id: `a${n}_score`, label: scoreLabel.charAt(0).toUpperCase() + scoreLabel.slice(1), choices: zeroToTen() });
  if (has("areasOfStrength")) out.push(text("strengths", s.fieldLabels.areasOfStrength ?? "Areas of Strength"));
  if (has("areasToDevelop")) out.push(text("develop", s.fieldLabels.areasToDevelop ?? "Areas to Develop"));
  if (has("signsOfImpact")) out.push(text("impact", s.fieldLabels.signsOfImpact ?? "Signs of Impact"));
  if (has("areasOfStrength"))
    out.push({
      kind: "text",
      id: `a${n}_evidence`,
      label: "Evidence reference: where it is on the file (e.g. ‘direct work uploaded on 01/04/19’)",
      maxLength: EVIDENCE_MAX,
    });
  if (has("auditorRationale")) out.push(text("rationale", s.fieldLabels.auditorRationale ?? "Auditor Rationale"));
  return out;
}

export const AREA_COLUMNS = [
  ["score", "score"],
  ["strengths", "strengths"],
  ["develop", "toDevelop"],
  ["impact", "signsOfImpact"],
  ["evidence", "evidence"],
  ["rationale", "rationale"],
] as const;

/** The areas a page asks about (none for the other pages). */
export function pageAreas(page: string): number[] {
  if (!page.startsWith("areas-")) return [];
  return (areaGroups()[Number(page.slice(6)) - 1] ?? []).map((a) => a.number);
}

export interface AnswerRow {
  area: number;
  score: number | null;
  strengths: string | null;
  toDevelop: string | null;
  signsOfImpact: string | null;
  evidence: string | null;
  rationale: string | null;
}
