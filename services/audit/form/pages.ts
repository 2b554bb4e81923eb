// Each page's inputs and what is stored for them: the case file health check (with the
// practitioner's self-assessment), the areas of practice, feedback, grade and actions, review.
import type { AppContext } from "../../context";
import type { Tx } from "../../db";
import type { AuditAnswer, Feedback } from "../../../generated/prisma/client";
import { NotFound } from "../../errors";
import { sqlOf } from "../../sql";
import { loadAuditTool } from "../../catalogue";
import { loadFormTemplate } from "../../forms/templateSchema";
import type { AuditWithCase } from "../access";
import { actionFields, type Person } from "../actions";
import {
  FEEDBACK_KINDS,
  feedbackFields,
  feedbackMembers,
  findFeedback,
  repeatsPerMember,
  storedFeedbackValues,
  type FeedbackKind,
} from "../feedback";
import type { FieldDef, FieldValues } from "../fields";
import { gradeFields, scaleFor } from "../grading";
import { section1Fields } from "../section1";
import { selfAssessmentMachine } from "../states";
import { AREA_COLUMNS, areaFields, areaGroups, SELF_ASSESSMENT_SHOWN_BYTES, type AnswerRow, type AuditDraft } from "./layout";
import { reviewFields } from "./summary";

async function people(tx: Tx, audit: AuditWithCase): Promise<Person[]> {
  const ids = [audit.practitionerId, audit.managerId, audit.auditorId].filter((x): x is string => !!x);
  const staff = await sqlOf(tx).query<{ id: string; name: string }>(`SELECT id, name FROM "Staff" WHERE id = ANY($1::text[])`, [ids]);
  const role = (id: string) => (id === audit.practitionerId ? "practitioner" : id === audit.managerId ? "manager" : "auditor");
  return ids
    .filter((id, i) => ids.indexOf(id) === i)
    .flatMap((id) => staff.filter((s) => s.id === id).map((s) => ({ id, name: s.name, role: role(id) })));
}

async function selfAssessmentFields(tx: Tx, auditId: string): Promise<FieldDef[]> {
  const [sa] = await sqlOf(tx).query<{ status: string; answers: unknown }>(
    `SELECT status, answers FROM "SelfAssessment" WHERE "auditId" = $1`,
    [auditId],
  );
  const out: FieldDef[] = [
    { kind: "heading", id: "h-sa", label: loadAuditTool().selfAssessment.title, note: "The practitioner's answers, for the meeting." },
  ];
  if (!sa || sa.status !== selfAssessmentMachine.steps.submit.to) {
    out.push({ kind: "info", id: "sa-none", label: "Not yet submitted by the practitioner." });
    return out;
  }
  // In the template's order (jsonb does not keep the order the answers were written in), each
  // question marked with its section ("i)", "ii)"): two sections ask the same follow-up questions.
  const answers = (sa.answers ?? {}) as Record<string, unknown>;
  const shown = loadFormTemplate("audit-self-assessment").sections.flatMap((sec) => {
    const marker = /^\s*([ivxlc]+\))/i.exec(sec.title)?.[1];
    return sec.questions.map((q) => {
      const v = answers[q.id];
      const text = v === undefined || v === null || v === "" ? "" : typeof v === "string" ? v : String(v);
      return {
        id: q.id,
        label: marker ? `${marker} ${q.text}` : q.text,
        answer: text === "" ? "Not answered" : q.type === "scale0to10" ? `${text} / 10` : text,
      };
    });
  });
  const fitted = fitAnswers(shown.map((s) => s.answer));
  shown.forEach((s, i) => out.push({ kind: "info", id: `sa-${s.id}`, label: s.label, note: fitted[i]! }));
  return out;
}

/**
 * The answers as shown on the page, together at most SELF_ASSESSMENT_SHOWN_BYTES: every answer in
 * full when they fit; otherwise the longest are cut to an equal share, each cut one saying where.
 */
export function fitAnswers(answers: string[], budget = SELF_ASSESSMENT_SHOWN_BYTES): string[] {
  const bytes = answers.map((a) => Buffer.byteLength(a, "utf8"));
  if (bytes.reduce((n, b) => n + b, 0) <= budget) return answers;
  // The largest share each answer may take so that all of them fit (short answers stay whole).
  const sorted = [...bytes].sort((a, b) => a - b);
  let left = budget;
  let cap = 0;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(left / (sorted.length - i));
    if (sorted[i]! <= share) left -= sorted[i]!;
    else {
      cap = share;
      break;
    }
  }
  return answers.map((a, i) => {
    if (bytes[i]! <= cap) return a;
    const chars = [...a];
    const note = (n: number) =>
      `… (cut at ${n} of ${chars.length} characters to fit one Teams card; the full answer is on the practitioner's submitted self-assessment: ask them to show it at the meeting)`;
    let n = chars.length;
    let used = bytes[i]!;
    const room = cap - Buffer.byteLength(note(n), "utf8");
    while (n > 0 && used > room) used -= Buffer.byteLength(chars[--n]!, "utf8");
    return chars.slice(0, n).join("") + note(n);
  });
}

export interface PageSetup {
  defs: FieldDef[];
  stored: FieldValues;
  /** Feedback pages: the stored row (null: none yet). */
  feedback?: Feedback | null;
  /** Family feedback page: the member shown and the members recorded so far. */
  member?: number;
  members?: { member: number; role: string }[];
}

/** `known`: the audit's answers already read, covering this page's areas (saves a read). */
export async function setupPage(
  tx: Tx,
  ctx: AppContext,
  audit: AuditWithCase,
  page: string,
  known?: readonly AnswerRow[],
): Promise<PageSetup> {
  const draft = (audit.draft ?? {}) as AuditDraft;
  if (page === "health") {
    const hc = loadAuditTool().caseFileHealthCheck;
    const defs: FieldDef[] = [
      ...section1Fields(),
      ...(await selfAssessmentFields(tx, audit.id)),
      { kind: "heading", id: "h-hc", label: hc.title, note: hc.guidance },
      { kind: "date", id: "meetingDate", label: "Date of the audit meeting" },
      ...hc.items.map((i): FieldDef => ({
        kind: "choice",
        id: `hc_${i.id}`,
        label: i.text,
        choices: hc.answerOptions.map((o) => ({ title: o, value: o })),
      })),
    ];
    const stored: FieldValues = { ...(draft.health ?? {}) };
    if (audit.meetingDate) stored.meetingDate = audit.meetingDate.toISOString().slice(0, 10);
    return { defs, stored };
  }
  if (page.startsWith("areas-")) {
    const group = areaGroups()[Number(page.slice(6)) - 1];
    if (!group) throw new NotFound(`No such page: ${page}`);
    const numbers = group.map((a) => a.number);
    const answers = known
      ? known.filter((a) => numbers.includes(a.area))
      : await sqlOf(tx).query<AuditAnswer>(`SELECT * FROM "AuditAnswer" WHERE "auditId" = $1 AND area = ANY($2::int[])`, [
          audit.id,
          numbers,
        ]);
    const stored: FieldValues = {};
    for (const a of answers) {
      for (const [suffix, col] of AREA_COLUMNS) {
        const v = a[col];
        if (v !== null && v !== undefined) stored[`a${a.area}_${suffix}`] = String(v);
      }
    }
    return { defs: group.flatMap(areaFields), stored };
  }
  if (page.startsWith("feedback-")) {
    const kind = page.slice(9) as FeedbackKind;
    if (!FEEDBACK_KINDS.includes(kind)) throw new NotFound(`No such page: ${page}`);
    if (!repeatsPerMember(kind)) {
      const row = await findFeedback(tx, audit.id, kind);
      return { defs: feedbackFields(kind), stored: row ? storedFeedbackValues(row) : {}, feedback: row };
    }
    const member = draft.familyMember ?? 0;
    const [row, members] = await Promise.all([findFeedback(tx, audit.id, kind, member), feedbackMembers(tx, audit.id, kind)]);
    // Who has been heard so far, by role (the form never asks for a family member's name).
    const others = members.filter((m) => m.member !== member);
    const listed: FieldDef[] = others.length
      ? [
          {
            kind: "info",
            id: `fb-${kind}-members`,
            label: `Family members recorded so far: ${others.map((m) => m.role || "role not given").join("; ")}. This is family member ${member + 1}.`,
          },
        ]
      : [];
    const [heading, ...rest] = feedbackFields(kind);
    return {
      defs: [heading!, ...listed, ...rest],
      stored: row ? storedFeedbackValues(row) : {},
      feedback: row,
      member,
      members,
    };
  }
  if (page === "outcome") {
    const scale = scaleFor(ctx.config, audit.gradeScaleId);
    return { defs: [...gradeFields(scale), ...actionFields(await people(tx, audit))], stored: { ...(draft.outcome ?? {}) } };
  }
  if (page === "review") return { defs: await reviewFields(tx, ctx, audit), stored: {} };
  throw new NotFound(`No such page: ${page}`);
}
