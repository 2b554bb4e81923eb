// Section 1 of the collaborative case audit, "Case demographics": the audit's dates, whether a
// practice observation was undertaken or is required, a joint (Staying Together) worker, and the
// child's personal details that "enable themes to be better understood". Assure stores no names
// (the auditor, practitioner and manager are the audit's own staff records, the joint worker is
// found by work email, the child is the case ID) and no date of birth: an age band serves the
// themes. The answers are kept with the page's draft (Audit.draft.health, keys "s1_…").
import type { Queryable } from "../sql";
import { sqlOf } from "../sql";
import { loadAuditTool } from "../catalogue";
import type { FieldDef, FieldValues } from "./fields";

/** Assure's lists (the source leaves the personal-detail fields blank). */
export const AGE_BANDS = ["Under 1", "1–4", "5–9", "10–15", "16–17", "18 and over"];
export const GENDERS = ["Female", "Male", "Another gender", "Not recorded"];
export const ETHNICITIES = [
  "White",
  "Mixed or multiple ethnic groups",
  "Asian or Asian British",
  "Black, Black British, Caribbean or African",
  "Other ethnic group",
  "Not recorded",
];
export const PRACTICE_OBSERVATION = [
  { value: "undertaken", title: "Undertaken in connection with this audit" },
  { value: "required", title: "Required (add it as an action)" },
  { value: "not-required", title: "Not required" },
];
export const LANGUAGE_MAX = 40;

const choices = (xs: string[]) => xs.map((x) => ({ title: x, value: x }));

export function section1Fields(): FieldDef[] {
  const d = loadAuditTool().caseDemographics;
  const label = (id: string, fallback: string) => [...d.auditDates, ...d.personalDetails].find((f) => f.id === id)?.label ?? fallback;
  return [
    {
      kind: "heading",
      id: "h-s1",
      label: "Section 1: Case demographics",
      note: "No names and no date of birth: the child is the case ID, and an age band serves the themes.",
    },
    { kind: "date", id: "s1_referralReceived", label: label("referralReceived", "Date the referral was received") },
    { kind: "date", id: "s1_auditCommenced", label: label("auditCommenced", "Collaborative case audit commenced") },
    { kind: "date", id: "s1_auditCompleted", label: label("auditCompleted", "Collaborative case audit completed") },
    {
      kind: "choice",
      id: "s1_practiceObservation",
      label: label("practiceObservation", "Has a practice observation been undertaken in connection with this audit or is one required?"),
      choices: PRACTICE_OBSERVATION,
    },
    {
      kind: "text",
      id: "s1_jointWorker",
      label: "Staying Together practitioner, if the audit is done jointly: their work email",
      maxLength: 120,
    },
    { kind: "choice", id: "s1_ageBand", label: "The child's age band", choices: choices(AGE_BANDS) },
    { kind: "choice", id: "s1_gender", label: label("gender", "Gender"), choices: choices(GENDERS) },
    { kind: "choice", id: "s1_ethnicity", label: label("ethnicity", "Ethnicity"), choices: choices(ETHNICITIES) },
    { kind: "text", id: "s1_language", label: `${label("language", "Language")} (first language)`, maxLength: LANGUAGE_MAX },
  ];
}

/** Rules beyond single fields: dates in order, and a joint worker who is a member of staff. */
export async function section1Errors(db: Queryable, v: FieldValues): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  if (v.s1_auditCommenced && v.s1_auditCompleted && v.s1_auditCompleted < v.s1_auditCommenced)
    errors.s1_auditCompleted = "The audit cannot be completed before it commenced.";
  if (v.s1_referralReceived && v.s1_auditCommenced && v.s1_auditCommenced < v.s1_referralReceived)
    errors.s1_auditCommenced = "The audit cannot commence before the referral was received.";
  const email = v.s1_jointWorker?.trim().toLowerCase();
  if (email) {
    const [found] = await sqlOf(db).query<{ id: string }>(`SELECT id FROM "Staff" WHERE lower(email) = $1 AND active`, [email]);
    if (!found) errors.s1_jointWorker = "No member of staff has that work email.";
    else v.s1_jointWorker = email;
  }
  return errors;
}
