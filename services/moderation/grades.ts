// Grades as the moderation shows and compares them ("moderated down from Good to Requires Improvement").
import { bandById, bandForGrade, compareBands, type GradeScale } from "../catalogue";
import { ValidationFailed } from "../errors";

export function gradeLabel(scale: GradeScale, grade: number | null | undefined, bandId: string | null | undefined): string {
  if (grade === null || grade === undefined) return "not graded";
  const band = (bandId && bandById(scale, bandId)) || bandForGrade(scale, grade);
  return scale.input === "score" ? `${band?.label ?? "?"} (${grade})` : (band?.label ?? String(grade));
}

/** The grades a moderator or auditor may propose, as "grade|bandId" values. */
export function gradeChoices(scale: GradeScale): { title: string; value: string }[] {
  if (scale.input === "band") return scale.bands.map((b) => ({ title: b.label, value: `${b.value}|${b.id}` }));
  const out: { title: string; value: string }[] = [];
  const r = scale.scoreRange!;
  for (let v = r.min; v <= r.max + 1e-9; v += r.step) {
    const b = bandForGrade(scale, v);
    if (b) out.push({ title: `${v} — ${b.label}`, value: `${v}|${b.id}` });
  }
  for (const b of scale.bands.filter((x) => x.judgementOnly && x.max !== undefined))
    out.push({ title: `${b.max} — ${b.label}`, value: `${b.max}|${b.id}` });
  return out;
}

export function parseGrade(scale: GradeScale, value: string | undefined, field: string): { grade: number; band: string } {
  const hit = gradeChoices(scale).find((c) => c.value === value);
  if (!hit) throw new ValidationFailed("Choose a grade from the list.", { [field]: "Choose a grade from the list." });
  const [g, b] = hit.value.split("|");
  return { grade: Number(g), band: b! };
}

/** "moderated down from Good to Requires Improvement" (bands compared by rank). */
export function movementText(scale: GradeScale, from: { grade: number; band: string }, to: { grade: number; band: string }): string {
  const a = bandById(scale, from.band);
  const b = bandById(scale, to.band);
  if (!a || !b) return `moderated from ${from.grade} to ${to.grade}`;
  const c = compareBands(a, b);
  if (c < 0) return `moderated down from ${a.label} to ${b.label}`;
  if (c > 0) return `moderated up from ${a.label} to ${b.label}`;
  return from.grade === to.grade
    ? `moderation agreed the grade ${a.label}`
    : `moderated from ${from.grade} to ${to.grade}, still ${a.label}`;
}
