// The Practice Observation form (Bexley Children's Social Care Quality Assurance Framework, §1.1:
// "Audit Forms … Practice Observation form"), on the focus themes Southwark gives for observation
// of practice (Southwark Children's Social Care Quality Assurance Framework, §7: "practitioners
// listening, communication skills and child centred approach, and quality of assessment, direct
// work and intervention"), testing its three key markers of quality (§4). The overall judgement is
// on the authority's grade scale; "good or better" / "less than good" (Southwark §4) follows from
// the band.
import { getGradeScale, type GradeBand } from "../catalogue";
import type { Config } from "../config";
import { choices } from "../choices";

/** What is observed: a practitioner's direct work, or a key process they lead (Southwark §5, §7). */
export const OBSERVED_PROCESSES = choices({
  home_visit: "Home visit",
  direct_work: "Direct work with a child",
  supervision: "Supervision",
  cic_review: "Child-in-care review",
  meeting: "Meeting with the family or network",
});
export type ObservedProcess = (typeof OBSERVED_PROCESSES)[number]["value"];

export const processTitle = (v: string): string => OBSERVED_PROCESSES.find((p) => p.value === v)?.title ?? v;

/** The focus themes of an observation (Southwark §7), each with the prompt the observer answers. */
export const OBSERVATION_THEMES = [
  { id: "listening", title: "Listening", prompt: "How well did the practitioner listen to the child, family or colleague?" },
  { id: "communication", title: "Communication skills", prompt: "Were explanations clear, respectful and suited to who was there?" },
  {
    id: "child-centred",
    title: "Child-centred approach",
    prompt: "Was the child's voice and experience at the centre of the visit or meeting?",
  },
  {
    id: "assessment",
    title: "Quality of assessment",
    prompt: "Did the practitioner gather and weigh information about risk and need?",
  },
  {
    id: "direct-work",
    title: "Direct work and intervention",
    prompt: "Did the direct work or intervention help the child and family towards the plan?",
  },
] as const;

/** The three key markers of quality every activity tests (Southwark §4), shown on the form. */
export const KEY_MARKERS = [
  "Children are safeguarded and thresholds for intervention are appropriate.",
  "Quality of direct work with families: the voice of the child clearly visible and influencing plans and decisions.",
  "Quality and oversight of casework and decisions.",
] as const;

/** Per theme: what the observer saw, and whether it was good or better. */
export const THEME_JUDGEMENTS = [
  { value: "good", title: "Good or better" },
  { value: "less", title: "Less than good" },
  { value: "not_seen", title: "Not seen this time" },
] as const;

export const TEXT_MAX = 2000;

export interface ObservationForm {
  themes: Record<string, { judgement?: string; seen?: string }>;
  bandId?: string;
  strengths?: string;
  toDevelop?: string;
  actions?: string;
}

/** The authority's grade scale's bands, best first (the observer picks one). */
export function judgementBands(config: Pick<Config, "GRADE_SCALE">): GradeBand[] {
  return [...getGradeScale(config.GRADE_SCALE).bands].filter((b) => !b.countsAs).sort((a, b) => b.rank - a.rank);
}

export function bandLabel(config: Pick<Config, "GRADE_SCALE">, bandId: string | null | undefined): string {
  return (bandId && getGradeScale(config.GRADE_SCALE).bands.find((b) => b.id === bandId)?.label) || "";
}

/** The form as typed on the card (input ids theme_<id>, seen_<id>, band, strengths, toDevelop, actions). */
export function formFromCard(d: Record<string, unknown>): ObservationForm {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const themes: ObservationForm["themes"] = {};
  for (const t of OBSERVATION_THEMES) {
    const judgement = str(d[`theme_${t.id}`]);
    const seen = str(d[`seen_${t.id}`]);
    if (judgement || seen) themes[t.id] = { ...(judgement ? { judgement } : {}), ...(seen ? { seen } : {}) };
  }
  return { themes, bandId: str(d.band), strengths: str(d.strengths), toDevelop: str(d.toDevelop), actions: str(d.actions) };
}

/** Problems with a form to record (field id → message); a draft is only checked for length. */
export function formProblems(config: Pick<Config, "GRADE_SCALE">, f: ObservationForm, complete: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const t of OBSERVATION_THEMES) {
    const a = f.themes[t.id];
    if ((a?.seen ?? "").length > TEXT_MAX) errors[`seen_${t.id}`] = `Please keep this to ${TEXT_MAX} characters.`;
    if (a?.judgement && !THEME_JUDGEMENTS.some((j) => j.value === a.judgement)) errors[`theme_${t.id}`] = "Choose one of the options.";
    if (complete && !a?.judgement) errors[`theme_${t.id}`] = "Please give a judgement for this theme (or say it was not seen).";
  }
  for (const k of ["strengths", "toDevelop", "actions"] as const) {
    if ((f[k] ?? "").length > TEXT_MAX) errors[k] = `Please keep this to ${TEXT_MAX} characters.`;
    else if (complete && !(f[k] ?? "").trim()) errors[k] = "Please fill this in before recording the observation.";
  }
  if (f.bandId && !judgementBands(config).some((b) => b.id === f.bandId)) errors.band = "Choose a judgement on the scale.";
  else if (complete && !f.bandId) errors.band = "Please give the overall judgement.";
  return errors;
}
