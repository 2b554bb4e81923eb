// Step 3, the collaborative audit form, paged so every card stays small: case file health check
// (with the practitioner's self-assessment), the 19 areas of practice a few at a time, feedback
// (child, family, network), grade & actions, review & submit. Every page submit saves a draft in
// the database (AuditAnswer rows, Feedback rows, Audit.draft), so the auditor can resume on any
// device. Audit.version guards against two devices overwriting each other silently.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { randomUUID } from "node:crypto";
import type { AuditAnswer, Feedback, Prisma } from "../../generated/prisma/client";
import { guardedWrite, sqlOf, transaction, valuesOf, type GuardedInsert, type Sql } from "../sql";
import { AlreadyDone, Closed, Conflict, NotFound, ValidationFailed } from "../errors";
import type { Actor } from "../permissions";
import { historyInsert, type HistoryEntry } from "../history";
import { loadAuditTool, type AuditArea } from "../catalogue";
import { loadFormTemplate } from "../forms/templateSchema";
import { fieldViews, isInput, validateFields, zeroToTen, type FieldDef, type FieldValues } from "./fields";
import { EDITABLE_STATUSES, findAudit, findAuditWithAnswers, requireAuditor, requireView, type AuditWithCase } from "./access";
import {
  FEEDBACK_KINDS,
  feedbackErrors,
  feedbackFields,
  feedbackSummary,
  feedbackTitle,
  feedbackMembers,
  findFeedback,
  repeatsPerMember,
  saveFeedback,
  storedFeedbackValues,
  type FeedbackKind,
} from "./feedback";
import { gradeFields, resolveGrade, scaleFor } from "./grading";
import { actionFields, actionRows, type Person } from "./actions";
import { section1Errors, section1Fields } from "./section1";

export const AREAS_PER_PAGE = 3;
/** Text limits per area, chosen so a page of three areas full to the brim stays far below 28 KB. */
export const AREA_TEXT_MAX = 800;
export const EVIDENCE_MAX = 200;
const SELF_ASSESSMENT_SHOWN_MAX = 600;
/**
 * Most text one page may hold (UTF-8 bytes), so a saved page always renders far below the 28 KB
 * card budget even when the answers are not plain ASCII (curly quotes take 3 bytes).
 */
export const PAGE_TEXT_BUDGET_BYTES = 12_000;

function pageBudgetErrors(values: FieldValues): Record<string, string> {
  const sizes = Object.entries(values).map(([id, v]) => [id, Buffer.byteLength(v, "utf8")] as const);
  const total = sizes.reduce((n, [, b]) => n + b, 0);
  if (total <= PAGE_TEXT_BUDGET_BYTES) return {};
  const [largest] = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  return {
    [largest]: `This page holds more text than one Teams card can carry (${Math.ceil(total / 1000)} of ${PAGE_TEXT_BUDGET_BYTES / 1000} KB). Please shorten the longest answers.`,
  };
}

/** "another": on the family feedback page, save this family member and start the next one. */
export type Nav = "next" | "back" | "close" | "stay" | "another";

export interface AuditDraft {
  page?: string;
  health?: FieldValues;
  outcome?: FieldValues;
  /** The family member the family feedback page shows (0, 1, …). */
  familyMember?: number;
}

// ------------------------------------------------------------------ pages

function areaGroups(): AuditArea[][] {
  const areas = loadAuditTool().areas;
  const groups: AuditArea[][] = [];
  for (let i = 0; i < areas.length; i += AREAS_PER_PAGE) groups.push(areas.slice(i, i + AREAS_PER_PAGE));
  return groups;
}

export function pageIds(): string[] {
  return ["health", ...areaGroups().map((_, i) => `areas-${i + 1}`), ...FEEDBACK_KINDS.map((k) => `feedback-${k}`), "outcome", "review"];
}

function pageTitle(page: string): string {
  const tool = loadAuditTool();
  if (page === "health") return tool.caseFileHealthCheck.title;
  if (page.startsWith("areas-")) {
    const g = areaGroups()[Number(page.slice(6)) - 1]!;
    return `${tool.areasSection.title}: areas ${g[0]!.number}–${g[g.length - 1]!.number}`;
  }
  if (page.startsWith("feedback-")) return feedbackTitle(page.slice(9) as FeedbackKind);
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

const AREA_COLUMNS = [
  ["score", "score"],
  ["strengths", "strengths"],
  ["develop", "toDevelop"],
  ["impact", "signsOfImpact"],
  ["evidence", "evidence"],
  ["rationale", "rationale"],
] as const;

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
  if (!sa || sa.status !== "submitted") {
    out.push({ kind: "info", id: "sa-none", label: "Not yet submitted by the practitioner." });
    return out;
  }
  const texts = new Map(loadFormTemplate("audit-self-assessment").sections.flatMap((s) => s.questions.map((q) => [q.id, q.text] as const)));
  const answers = (sa.answers ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(answers)) {
    const answer = typeof v === "string" ? v : JSON.stringify(v);
    out.push({ kind: "info", id: `sa-${k}`, label: texts.get(k) ?? k, note: answer.slice(0, SELF_ASSESSMENT_SHOWN_MAX) });
  }
  return out;
}

interface PageSetup {
  defs: FieldDef[];
  stored: FieldValues;
  /** Feedback pages: the stored row (null: none yet). */
  feedback?: Feedback | null;
  /** Family feedback page: the member shown and the members recorded so far. */
  member?: number;
  members?: { member: number; role: string }[];
}

/** The areas a page asks about (none for the other pages). */
function pageAreas(page: string): number[] {
  if (!page.startsWith("areas-")) return [];
  return (areaGroups()[Number(page.slice(6)) - 1] ?? []).map((a) => a.number);
}

/** `known`: the audit's answers already read, covering this page's areas (saves a read). */
async function setupPage(tx: Tx, ctx: AppContext, audit: AuditWithCase, page: string, known?: readonly AnswerRow[]): Promise<PageSetup> {
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

// ------------------------------------------------------------------ review

async function reviewFields(tx: Tx, ctx: AppContext, audit: AuditWithCase): Promise<FieldDef[]> {
  const s = await auditSummary(tx, ctx, audit);
  return [
    {
      kind: "heading",
      id: "h-review",
      label: "Check before you submit",
      note: "Submitting sends the actions to the people who must do them. The audit cannot be changed afterwards.",
    },
    { kind: "info", id: "r-health", label: `Health check: ${s.healthAnswered} of ${s.healthTotal} answered` },
    {
      kind: "info",
      id: "r-areas",
      label: `Areas rated: ${s.areasScored} of ${s.areasTotal}${s.missingAreas.length ? ` (missing: ${s.missingAreas.join(", ")})` : ""}`,
    },
    ...s.feedback.map((f): FieldDef => ({ kind: "info", id: `r-fb-${f.kind}`, label: `Feedback (${f.kind}): ${f.summary}` })),
    { kind: "info", id: "r-grade", label: `Overall rating: ${s.gradeText}` },
    { kind: "info", id: "r-actions", label: `Actions: ${s.actions} (${s.immediate} immediate)` },
  ];
}

export async function auditSummary(tx: Tx, ctx: AppContext, audit: AuditWithCase) {
  const tool = loadAuditTool();
  const draft = (audit.draft ?? {}) as AuditDraft;
  const answers = await tx.auditAnswer.findMany({ where: { auditId: audit.id }, orderBy: { area: "asc" } });
  const feedback = await tx.feedback.findMany({ where: { auditId: audit.id } });
  const scored = new Set(answers.filter((a) => a.score !== null).map((a) => a.area));
  const scale = scaleFor(ctx.config, audit.gradeScaleId);
  const outcome = draft.outcome ?? {};
  const g = resolveGrade(scale, outcome);
  const rows = actionRows(outcome);
  return {
    healthAnswered: Object.entries(draft.health ?? {}).filter(([k, v]) => k.startsWith("hc_") && v).length,
    healthTotal: tool.caseFileHealthCheck.items.length,
    areasScored: scored.size,
    areasTotal: tool.areas.length,
    missingAreas: tool.areas.filter((a) => !scored.has(a.number)).map((a) => a.number),
    feedback: FEEDBACK_KINDS.map((kind) => {
      const rows = feedback.filter((f) => f.kind === kind).sort((x, y) => x.member - y.member);
      const obtained = rows.filter((f) => f.obtained).length;
      return {
        kind,
        summary:
          feedbackSummary(rows.find((f) => f.obtained) ?? rows[0]) + (rows.length > 1 ? ` (${obtained} of ${rows.length} people)` : ""),
        recorded: rows.length > 0,
      };
    }),
    gradeText: g.band ? `${g.grade} (${g.band.label})` : "not given yet",
    band: g.band,
    grade: g.grade,
    actions: rows.length,
    immediate: rows.filter((r) => r.immediate).length,
    answers,
    scale,
  };
}

// ------------------------------------------------------------------ open / save

export interface PageCard {
  auditId: string;
  version: number;
  page: string;
  pageTitle: string;
  pageNo: number;
  pageCount: number;
  caseRef: string;
  message: string;
  /** "Attention" for a message about a problem, "Good" for a confirmation. */
  messageColor: string;
  errorSummary: { text: string }[];
  fields: ReturnType<typeof fieldViews>;
  canBack: boolean;
  isReview: boolean;
  /** The family feedback page offers "Add another family member". */
  canAddMember: boolean;
}

async function pageCard(
  tx: Tx,
  ctx: AppContext,
  audit: AuditWithCase,
  page: string,
  opts: {
    input?: FieldValues;
    errors?: Record<string, string>;
    message?: string;
    errorSummary?: string[];
    known?: readonly AnswerRow[];
  } = {},
): Promise<PageCard> {
  const pages = pageIds();
  const { defs, stored } = await setupPage(tx, ctx, audit, page, opts.known);
  const idx = pages.indexOf(page);
  return {
    auditId: audit.id,
    version: audit.version,
    page,
    pageTitle: pageTitle(page),
    pageNo: idx + 1,
    pageCount: pages.length,
    caseRef: audit.case.caseRef,
    message: opts.message ?? "",
    messageColor: opts.errors && Object.keys(opts.errors).length ? "Attention" : opts.errorSummary?.length ? "Attention" : "Good",
    errorSummary: (opts.errorSummary ?? []).map((text) => ({ text })),
    fields: fieldViews(defs, stored, opts.input, opts.errors),
    canBack: idx > 0,
    isReview: page === "review",
    canAddMember: page.startsWith("feedback-") && repeatsPerMember(page.slice(9) as FeedbackKind),
  };
}

function requireEditable(audit: AuditWithCase) {
  if (audit.status === "submitted" || audit.status === "moderated" || audit.status === "finalised") {
    throw new AlreadyDone(`The audit of case ${audit.case.caseRef} was already submitted. Nothing was changed.`);
  }
  if (!(EDITABLE_STATUSES as readonly string[]).includes(audit.status)) {
    throw new Closed(`The audit of case ${audit.case.caseRef} is ${audit.status.replace(/_/g, " ")}: it cannot be filled in now.`);
  }
}

interface AnswerRow {
  area: number;
  score: number | null;
  strengths: string | null;
  toDevelop: string | null;
  signsOfImpact: string | null;
  evidence: string | null;
  rationale: string | null;
}

const ANSWER_COLUMNS = `id, "auditId", area, score, strengths, "toDevelop", "signsOfImpact", evidence, rationale`;

/**
 * Writes the draft (and the meeting date, when given), the page's area answers and the history
 * entries, if the audit is still at `expected` (optimistic concurrency): one statement.
 */
async function writePage(
  sql: Sql,
  audit: AuditWithCase,
  expected: number,
  change: { draft: AuditDraft; meetingDate?: Date | null; rows: AnswerRow[]; history: HistoryEntry[] },
) {
  const params: unknown[] = [JSON.stringify(change.draft), new Date(), audit.id, expected, [...EDITABLE_STATUSES]];
  const { meetingDate } = change;
  const setMeeting =
    meetingDate === undefined ? "" : `, "meetingDate" = $${params.push(meetingDate && meetingDate.toISOString().slice(0, 10))}::date`;
  const guard = `UPDATE "Audit" SET draft = $1::jsonb, status = 'in_progress', version = version + 1, "updatedAt" = $2::timestamp${setMeeting}
     WHERE id = $3 AND version = $4 AND status = ANY($5::text[]) RETURNING id`;
  const inserts: GuardedInsert[] = [];
  if (change.rows.length) {
    const rows = change.rows.map((r) => [
      randomUUID(),
      audit.id,
      r.area,
      r.score,
      r.strengths,
      r.toDevelop,
      r.signsOfImpact,
      r.evidence,
      r.rationale,
    ]);
    inserts.push({
      table: `"AuditAnswer"`,
      columns: ANSWER_COLUMNS,
      values: valuesOf(rows, ["", "", "::int", "::int"], params).values,
      onConflict: `ON CONFLICT ("auditId", area) DO UPDATE SET
        score = EXCLUDED.score, strengths = EXCLUDED.strengths, "toDevelop" = EXCLUDED."toDevelop",
        "signsOfImpact" = EXCLUDED."signsOfImpact", evidence = EXCLUDED.evidence, rationale = EXCLUDED.rationale`,
    });
  }
  inserts.push(historyInsert(change.history, params));
  if (await guardedWrite(sql, guard, inserts, params)) return;
  const [now] = await sql.query<{ status: string }>(`SELECT status FROM "Audit" WHERE id = $1`, [audit.id]);
  if (now?.status === "submitted")
    throw new AlreadyDone(`The audit of case ${audit.case.caseRef} was already submitted. Nothing was changed.`);
  throw new Conflict(
    `The audit of case ${audit.case.caseRef} was saved from another device or window after this page was opened, so this page was not saved (nothing was overwritten). Type "my audits" and press Resume to see the latest version.`,
  );
}

/** Start or resume: the page last saved (or the first), from the database. */
export async function openAuditForm(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  page?: string,
  /** The audit as the caller just read it (saves a second read). */
  loaded?: AuditWithCase,
): Promise<PageCard> {
  const audit = loaded?.id === auditId ? loaded : await findAudit(ctx.db, auditId);
  requireAuditor(actor, audit);
  requireEditable(audit);
  const draft = (audit.draft ?? {}) as AuditDraft;
  const wanted = page && pageIds().includes(page) ? page : (draft.page ?? "health");
  // Reads only: no transaction (each read sees committed data, as it would inside one).
  return pageCard(ctx.db, ctx, audit, wanted);
}

/** Thrown when a page is invalid: carries the page to show again with errors and the user's input. */
export class PageInvalid extends ValidationFailed {
  constructor(
    readonly card: PageCard,
    fieldErrors: Record<string, string>,
  ) {
    super("Some answers need attention. Nothing from this page was saved.", fieldErrors);
  }
}

/** Saves one page as a draft (all or nothing) and moves to the next/previous page. */
export async function saveAuditPage(
  ctx: AppContext,
  actor: Actor,
  req: { auditId: string; page: string; version: number; nav: Nav; data: Record<string, unknown> },
): Promise<{ card: PageCard; closed: boolean }> {
  // Reads first, outside the transaction (they see what a read inside one would: committed data).
  // The write below only happens if the audit is still at the version this page was shown with,
  // so nothing read here can have changed underneath it.
  const pages = pageIds();
  if (!pages.includes(req.page)) throw new NotFound(`No such page: ${req.page}`);
  const idx = pages.indexOf(req.page);
  const nextPage =
    req.nav === "next" ? pages[Math.min(idx + 1, pages.length - 1)]! : req.nav === "back" ? pages[Math.max(idx - 1, 0)]! : req.page;
  const kind = req.page.startsWith("feedback-") ? (req.page.slice(9) as FeedbackKind) : null;
  if (req.nav === "another" && !(kind && repeatsPerMember(kind))) throw new NotFound(`Page ${req.page} has no family members to add.`);
  // The answers of this page and of the next one come with the audit: one read.
  const { audit, answers } = await findAuditWithAnswers(ctx.db, req.auditId, [...pageAreas(req.page), ...pageAreas(nextPage)]);
  requireAuditor(actor, audit);
  requireEditable(audit);
  const { defs, stored, feedback, member, members } = await setupPage(ctx.db, ctx, audit, req.page, answers);
  const { values, errors } = validateFields(defs, req.data);
  if (kind) Object.assign(errors, feedbackErrors(kind, values), errors);
  if (kind && req.nav === "another" && !values[`${kind}-obtained`])
    errors[`${kind}-obtained`] = "Record this family member's answers before adding another.";
  if (!Object.keys(errors).length) Object.assign(errors, pageBudgetErrors(values));
  if (req.page === "health") Object.assign(errors, await section1Errors(ctx.db, values), errors);
  if (req.page === "outcome" && !errors.grade) Object.assign(errors, resolveGrade(scaleFor(ctx.config, audit.gradeScaleId), values).errors);
  if (Object.keys(errors).length) {
    const card = await pageCard(ctx.db, ctx, audit, req.page, {
      known: answers,
      input: values,
      errors,
      message: "Some answers need attention. Nothing from this page was saved.",
    });
    throw new PageInvalid(card, errors);
  }
  const draft: AuditDraft = { ...((audit.draft ?? {}) as AuditDraft) };
  const before: FieldValues = {};
  for (const d of defs.filter(isInput)) if (stored[d.id]) before[d.id] = stored[d.id]!;
  let meetingDate: Date | null | undefined;
  const rows: AnswerRow[] = [];
  if (req.page === "health") {
    const { meetingDate: day, ...health } = values;
    draft.health = health;
    meetingDate = day ? new Date(`${day}T00:00:00Z`) : null;
  } else if (req.page.startsWith("areas-")) {
    for (const area of areaGroups()[Number(req.page.slice(6)) - 1]!) {
      const n = area.number;
      const v = (s: string) => values[`a${n}_${s}`] || null;
      const row = {
        area: n,
        score: v("score") === null ? null : Number(v("score")),
        strengths: v("strengths"),
        toDevelop: v("develop"),
        signsOfImpact: v("impact"),
        evidence: v("evidence"),
        rationale: v("rationale"),
      };
      const empty = AREA_COLUMNS.every(([, col]) => row[col] === null);
      const exists = AREA_COLUMNS.some(([suffix]) => stored[`a${n}_${suffix}`] !== undefined);
      if (empty && !exists) continue;
      rows.push(row);
    }
  } else if (req.page === "outcome") {
    draft.outcome = values;
  } else if (req.nav === "another") {
    // The next family member: one past every member recorded, so no one's answers are overwritten.
    draft.familyMember = Math.max(member ?? 0, ...(members ?? []).map((m) => m.member)) + 1;
  }
  draft.page = nextPage;
  const wasStatus = audit.status;
  const after: FieldValues = Object.fromEntries(Object.entries(values).filter(([, x]) => x !== ""));
  // All or nothing: the page's answers, the draft and version, and their history.
  const history: HistoryEntry[] = [];
  if (wasStatus !== "in_progress") {
    history.push({
      entityType: "audit",
      entityId: audit.id,
      action: "started",
      actorId: actor.id,
      before: { status: wasStatus },
      after: { status: "in_progress" },
    });
  }
  history.push({
    entityType: "audit",
    entityId: audit.id,
    action: "draft_saved",
    actorId: actor.id,
    before: { page: req.page, values: before },
    after: { page: req.page, values: after },
  });
  const change = { draft, meetingDate, rows, history };
  if (kind) {
    await transaction(ctx.db, async (sql) => {
      await saveFeedback(sql, audit.id, actor.id, kind, values, feedback, member ?? 0);
      await writePage(sql, audit, req.version, change);
    });
  } else {
    await writePage(sqlOf(ctx.db), audit, req.version, change);
  }
  // The row as just written (the update matched version = req.version): no second read.
  const fresh: AuditWithCase = {
    ...audit,
    draft: draft as Prisma.JsonValue,
    status: "in_progress",
    version: req.version + 1,
    meetingDate: meetingDate !== undefined ? meetingDate : audit.meetingDate,
  };
  const message =
    req.nav === "close"
      ? "Draft saved. Type “my audits” and press Resume to carry on, on any device."
      : req.nav === "another"
        ? "Saved. Now record the next family member's answers."
        : "Draft saved.";
  // The answers as they are now: those read, with this page's replaced by what was just written.
  const known = [...answers.filter((a) => !rows.some((r) => r.area === a.area)), ...rows];
  return { card: await pageCard(ctx.db, ctx, fresh, nextPage, { message, known }), closed: req.nav === "close" };
}

/** Page to show again with the submit errors (fields live on other pages, so as a list). */
export async function reviewWithErrors(ctx: AppContext, auditId: string, errors: string[]): Promise<PageCard> {
  const audit = await findAudit(ctx.db, auditId);
  return ctx.db.$transaction((tx) =>
    pageCard(tx, ctx, audit, "review", { errorSummary: errors, message: "The audit is not complete yet. Nothing was submitted." }),
  );
}

// ------------------------------------------------------------------ read-only view

export async function viewAudit(ctx: AppContext, actor: Actor, auditId: string) {
  const audit = await findAudit(ctx.db, auditId);
  await requireView(ctx.db, actor, audit);
  return ctx.db.$transaction(async (tx) => {
    const s = await auditSummary(tx, ctx, audit);
    const tool = loadAuditTool();
    const staff = await tx.staff.findMany({
      where: { id: { in: [audit.auditorId, audit.practitionerId] } },
      select: { id: true, name: true },
    });
    const name = (id: string) => staff.find((x) => x.id === id)?.name ?? "";
    const actions = await tx.action.findMany({ where: { auditId }, orderBy: { createdAt: "asc" } });
    const assignees = await tx.staff.findMany({
      where: { id: { in: actions.map((a) => a.assigneeId) } },
      select: { id: true, name: true },
    });
    const band = audit.gradeBand ? s.scale.bands.find((b) => b.id === audit.gradeBand) : undefined;
    return {
      auditId,
      caseRef: audit.case.caseRef,
      status: audit.status.replace(/_/g, " "),
      auditor: name(audit.auditorId),
      practitioner: name(audit.practitionerId),
      grade: audit.grade !== null && band ? `${audit.grade} (${band.label})` : "not graded yet",
      readOnly: actor.id !== audit.auditorId,
      areas: tool.areas.map((a) => {
        const ans = s.answers.find((x) => x.area === a.number);
        return {
          title: `${a.number}. ${a.title.slice(0, 90)}${a.title.length > 90 ? "…" : ""}`,
          score: ans?.score === null || ans?.score === undefined ? "–" : String(ans.score),
        };
      }),
      feedback: s.feedback.map((f) => ({ title: f.kind, value: f.summary })),
      actions: actions.map((a) => ({
        title: `${assignees.find((x) => x.id === a.assigneeId)?.name ?? ""}, by ${a.dueAt.toISOString().slice(0, 10)}${a.immediate ? " (immediate)" : ""}`,
        value: `${a.description} [${a.status}]`,
      })),
    };
  });
}
