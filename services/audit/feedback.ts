// Step 5, feedback: the auditor phones the child, the family and a member of the network and types
// their answers in (families never use Teams), or records why it could not be obtained. Wording is
// the catalogue's (services/forms/templates/audit-feedback.json). One Feedback row per person: the
// family page can be repeated for each family member ("The same questions can be repeated for
// different family members", Bexley Children's Social Care Quality Assurance Framework, §1.3 step 5),
// numbered by `member` from 0.
import { randomUUID } from "node:crypto";
import { sqlOf, type Queryable } from "../sql";
import type { Feedback } from "../../generated/prisma/client";
import { loadFormTemplate, optionLabel, optionValue } from "../forms/templateSchema";
import { zeroToTen, type FieldDef, type FieldValues } from "./fields";
import { recordHistory } from "../history";

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

/** Stores the page (nothing when "obtained?" is unanswered). Returns the before/after for history. */
export async function saveFeedback(
  tx: Queryable,
  auditId: string,
  actorId: string,
  kind: FeedbackKind,
  v: FieldValues,
  /** The stored row (null: none) when the caller read it in this transaction. */
  stored?: Feedback | null,
  member = 0,
) {
  const obtained = v[obtainedId(kind)] ?? "";
  const sql = sqlOf(tx);
  const before = stored !== undefined ? stored : await findFeedback(sql, auditId, kind, member);
  if (obtained === "") return { before: before ? storedFeedbackValues(before) : {}, after: before ? storedFeedbackValues(before) : {} };
  const isYes = obtained === "yes";
  const answers: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === "" || k === obtainedId(kind) || k === whyId(kind)) continue;
    if (isYes !== (k === detailId(kind))) answers[k] = x;
  }
  const now = new Date();
  const [row] = await sql.query<Feedback>(
    `INSERT INTO "Feedback" (id, "auditId", kind, member, obtained, "notObtainedReason", answers, "recordedById", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $9, $4, $5, $6::jsonb, $7, $8::timestamp, $8::timestamp)
     ON CONFLICT ("auditId", kind, member) DO UPDATE SET obtained = EXCLUDED.obtained, "notObtainedReason" = EXCLUDED."notObtainedReason",
       answers = EXCLUDED.answers, "recordedById" = EXCLUDED."recordedById", "updatedAt" = EXCLUDED."updatedAt"
     RETURNING *`,
    [randomUUID(), auditId, kind, isYes, isYes ? null : (v[whyId(kind)] ?? "other"), JSON.stringify(answers), actorId, now, member],
  );
  if (!row) throw new Error("feedback upsert returned no row");
  const after = storedFeedbackValues(row);
  if (!before) await recordHistory(tx, { entityType: "feedback", entityId: row.id, action: "recorded", actorId, after });
  else
    await recordHistory(tx, {
      entityType: "feedback",
      entityId: row.id,
      action: "updated",
      actorId,
      before: storedFeedbackValues(before),
      after,
    });
  return { before: before ? storedFeedbackValues(before) : {}, after };
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
