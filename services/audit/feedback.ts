// Step 5, feedback: the auditor phones the child, the family and a member of the network and types
// their answers in (families never use Teams), or records why it could not be obtained. Wording is
// the catalogue's (services/forms/templates/audit-feedback.json). One Feedback row per person: the
// family page can be repeated for each family member ("The same questions can be repeated for
// different family members", Bexley Children's Social Care Quality Assurance Framework, §1.3 step 5),
// numbered by `member` from 0.
import { randomUUID } from "node:crypto";
import { sqlOf, valuesOf, type GuardedInsert, type Queryable } from "../sql";
import type { Feedback } from "../../generated/prisma/client";
import { loadFormTemplate, optionLabel, optionValue } from "../forms/templateSchema";
import { zeroToTen, type FieldDef, type FieldValues } from "./fields";
import type { HistoryEntry } from "../history";

export const FEEDBACK_KINDS = ["child", "family", "network"] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/** Why feedback could not be obtained (assure-default: the source gives no list). */
export const NOT_OBTAINED_REASONS = [
  { value: "no-consent", title: "No consent" },
  { value: "unreachable", title: "Could not be reached" },
  { value: "declined", title: "Declined to take part" },
  { value: "other", title: "Other (say why below)" },
];

/**
 * The card budget (28 KB) caps a long answer below the template's 2,000 characters: a child page has
 * eight long answers. A phone-call note rarely needs more.
 */
export const FEEDBACK_TEXT_MAX = 1200;

const obtainedId = (k: FeedbackKind) => `${k}-obtained`;
const whyId = (k: FeedbackKind) => `${k}-not-obtained-why`;
const detailId = (k: FeedbackKind) => `${k}-not-obtained-reason`;

function section(kind: FeedbackKind) {
  const s = loadFormTemplate("audit-feedback").sections.find((x) => x.id === kind);
  if (!s) throw new Error(`audit-feedback has no ${kind} section`);
  return s;
}

export function feedbackTitle(kind: FeedbackKind): string {
  return section(kind).title;
}

export function feedbackFields(kind: FeedbackKind): FieldDef[] {
  const s = section(kind);
  const out: FieldDef[] = [{ kind: "heading", id: `h-${kind}`, label: s.title, note: s.intro }];
  for (const q of s.questions) {
    if (q.id === detailId(kind)) {
      out.push({ kind: "choice", id: whyId(kind), label: "If not, why not?", choices: NOT_OBTAINED_REASONS });
      out.push({ kind: "text", id: q.id, label: "Details (optional)", maxLength: q.maxLength ?? 500 });
      continue;
    }
    switch (q.type) {
      case "single":
      case "likert5":
        out.push({
          kind: "choice",
          id: q.id,
          label: q.text,
          choices: (q.options ?? []).map((o) => ({ title: optionLabel(o), value: optionValue(o) })),
        });
        break;
      case "scale0to10": {
        const a = q.anchors ?? {};
        out.push({ kind: "choice", id: q.id, label: q.text, choices: zeroToTen(a) });
        break;
      }
      case "longtext":
        out.push({ kind: "multiline", id: q.id, label: q.text, maxLength: Math.min(q.maxLength ?? FEEDBACK_TEXT_MAX, FEEDBACK_TEXT_MAX) });
        break;
      default:
        out.push({ kind: "text", id: q.id, label: q.text, maxLength: q.maxLength ?? 200 });
    }
  }
  return out;
}

/** Rules beyond single fields: say whether it was obtained; if not, why. */
export function feedbackErrors(kind: FeedbackKind, v: FieldValues): Record<string, string> {
  const errors: Record<string, string> = {};
  const obtained = v[obtainedId(kind)] ?? "";
  const anyAnswer = Object.entries(v).some(([k, x]) => x !== "" && k !== obtainedId(kind));
  if (obtained === "" && anyAnswer) errors[obtainedId(kind)] = "Say whether feedback was obtained.";
  if (obtained === "no" && !v[whyId(kind)]) errors[whyId(kind)] = "Choose why feedback could not be obtained.";
  if (obtained === "no" && v[whyId(kind)] === "other" && !v[detailId(kind)]) errors[detailId(kind)] = "Say why, in a few words.";
  return errors;
}

/** Only the family page repeats per person; the child and network pages keep one row (member 0). */
export const repeatsPerMember = (kind: FeedbackKind) => kind === "family";

/** The stored feedback of one kind (and member) for an audit, or null. */
export async function findFeedback(q: Queryable, auditId: string, kind: FeedbackKind, member = 0): Promise<Feedback | null> {
  const [row] = await sqlOf(q).query<Feedback>(`SELECT * FROM "Feedback" WHERE "auditId" = $1 AND kind = $2 AND member = $3`, [
    auditId,
    kind,
    member,
  ]);
  return row ?? null;
}

/** The members of one kind recorded so far, in order: their number and role (never a name). */
export async function feedbackMembers(q: Queryable, auditId: string, kind: FeedbackKind): Promise<{ member: number; role: string }[]> {
  return sqlOf(q).query<{ member: number; role: string }>(
    `SELECT member, COALESCE(NULLIF(btrim(answers->>$3), ''), '') AS role FROM "Feedback" WHERE "auditId" = $1 AND kind = $2 ORDER BY member`,
    [auditId, kind, `${kind}-role`],
  );
}

/**
 * What saving the page writes, for a guarded write continuing `params` (services/sql.ts): the
 * row's upsert and its history entry (recorded, or updated with the values before). Nothing when
 * "obtained?" is unanswered. `stored` is the row as read (null: none); the guard on the audit's
 * version keeps it current, every write of a Feedback row being a save of the audit's page.
 */
export function feedbackWrite(
  auditId: string,
  actorId: string,
  kind: FeedbackKind,
  v: FieldValues,
  stored: Feedback | null,
  member: number,
  params: unknown[],
): { insert: GuardedInsert; history: HistoryEntry } | null {
  const obtained = v[obtainedId(kind)] ?? "";
  if (obtained === "") return null;
  const isYes = obtained === "yes";
  const answers: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === "" || k === obtainedId(kind) || k === whyId(kind)) continue;
    if (isYes !== (k === detailId(kind))) answers[k] = x;
  }
  const id = stored?.id ?? randomUUID();
  const notObtainedReason = isYes ? null : (v[whyId(kind)] ?? "other");
  const now = new Date();
  const columns = `id, "auditId", kind, member, obtained, "notObtainedReason", answers, "recordedById", "createdAt", "updatedAt"`;
  const row = [id, auditId, kind, member, isYes, notObtainedReason, JSON.stringify(answers), actorId, now, now];
  const insert: GuardedInsert = {
    table: `"Feedback"`,
    columns,
    values: valuesOf([row], ["", "", "", "::int", "::boolean", "", "::jsonb", "", "::timestamp", "::timestamp"], params).values,
    onConflict: `ON CONFLICT ("auditId", kind, member) DO UPDATE SET obtained = EXCLUDED.obtained, "notObtainedReason" = EXCLUDED."notObtainedReason",
       answers = EXCLUDED.answers, "recordedById" = EXCLUDED."recordedById", "updatedAt" = EXCLUDED."updatedAt"`,
  };
  const after = storedFeedbackValues({ kind, obtained: isYes, notObtainedReason, answers });
  const history: HistoryEntry = stored
    ? { entityType: "feedback", entityId: id, action: "updated", actorId, before: storedFeedbackValues(stored), after }
    : { entityType: "feedback", entityId: id, action: "recorded", actorId, after };
  return { insert, history };
}

export function storedFeedbackValues(row: {
  kind: string;
  obtained: boolean;
  notObtainedReason: string | null;
  answers: unknown;
}): FieldValues {
  const kind = row.kind as FeedbackKind;
  const out: FieldValues = { ...((row.answers ?? {}) as Record<string, string>) };
  out[obtainedId(kind)] = row.obtained ? "yes" : "no";
  if (!row.obtained) out[whyId(kind)] = row.notObtainedReason ?? "";
  return out;
}

export function feedbackSummary(row: { obtained: boolean; notObtainedReason: string | null } | undefined): string {
  if (!row) return "not recorded";
  if (row.obtained) return "obtained";
  const r = NOT_OBTAINED_REASONS.find((x) => x.value === row.notObtainedReason);
  return `could not be obtained (${r ? r.title.toLowerCase() : "other"})`;
}
