// Saving one page of the audit form as a draft (all or nothing, in one statement), guarded by the
// audit's version so two devices never overwrite each other silently; then the next page.
import { randomUUID } from "node:crypto";
import type { AppContext } from "../../context";
import type { Prisma } from "../../../generated/prisma/client";
import { guardedWrite, sqlOf, valuesOf, type GuardedInsert, type Sql } from "../../sql";
import { AlreadyDone, Closed, Conflict, NotFound, ValidationFailed } from "../../errors";
import type { Actor } from "../../permissions";
import { fieldChange, historyInsert, type HistoryEntry } from "../../history";
import { can, statusGuardSql, step } from "../../stateMachine";
import { findAuditWithAnswers, requireAuditor, type AuditWithCase } from "../access";
import { feedbackErrors, feedbackWrite, repeatsPerMember } from "../feedback";
import { isInput, validateFields, type FieldDef, type FieldValues } from "../fields";
import { isInadequate, resolveGrade, scaleFor } from "../grading";
import { actionDateErrors, immediateDeadlineDay } from "../actions";
import { isoDate, localDate } from "../../workingTime";
import { section1Errors } from "../section1";
import { auditMachine, RETURNED_AUDIT_STATUSES } from "../states";
import { pageCard, type PageCard } from "./card";
import {
  AREA_COLUMNS,
  areaGroups,
  feedbackKindOf,
  pageAreas,
  pageIds,
  PAGE_TEXT_BUDGET_BYTES,
  type AnswerRow,
  type AuditDraft,
  type Nav,
} from "./layout";
import { setupPage } from "./pages";

/** The status a saved page leaves the audit in. */
const IN_PROGRESS = step(auditMachine, "save").to;
const isReturned = (status: string) => (RETURNED_AUDIT_STATUSES as readonly string[]).includes(status);

function pageBudgetErrors(values: FieldValues): Record<string, string> {
  const sizes = Object.entries(values).map(([id, v]) => [id, Buffer.byteLength(v, "utf8")] as const);
  const total = sizes.reduce((n, [, b]) => n + b, 0);
  if (total <= PAGE_TEXT_BUDGET_BYTES) return {};
  const [largest] = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  return {
    [largest]: `This page holds more text than one Teams card can carry (${Math.ceil(total / 1000)} of ${PAGE_TEXT_BUDGET_BYTES / 1000} KB). Please shorten the longest answers.`,
  };
}

export function requireEditable(audit: AuditWithCase) {
  if (isReturned(audit.status)) {
    throw new AlreadyDone(`The audit of case ${audit.case.caseRef} was already submitted. Nothing was changed.`);
  }
  if (!can(auditMachine, "save", audit.status)) {
    throw new Closed(`The audit of case ${audit.case.caseRef} is ${audit.status.replace(/_/g, " ")}: it cannot be filled in now.`);
  }
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
  change: {
    draft: AuditDraft;
    meetingDate?: Date | null;
    rows: AnswerRow[];
    history: HistoryEntry[];
    /** A feedback page's row and its history entry (feedbackWrite), on the write's params. */
    feedback?: (params: unknown[]) => ReturnType<typeof feedbackWrite>;
  },
) {
  const params: unknown[] = [JSON.stringify(change.draft), new Date(), audit.id, expected, IN_PROGRESS];
  const { meetingDate } = change;
  const setMeeting =
    meetingDate === undefined ? "" : `, "meetingDate" = $${params.push(meetingDate && meetingDate.toISOString().slice(0, 10))}::date`;
  const guard = `UPDATE "Audit" SET draft = $1::jsonb, status = $5, version = version + 1, "updatedAt" = $2::timestamp${setMeeting}
     WHERE id = $3 AND version = $4 AND ${statusGuardSql(auditMachine, "save", params)} RETURNING id`;
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
  const feedback = change.feedback?.(params);
  if (feedback) inserts.push(feedback.insert);
  inserts.push(historyInsert(feedback ? [feedback.history, ...change.history] : change.history, params));
  if (await guardedWrite(sql, guard, inserts, params)) return;
  const [now] = await sql.query<{ status: string }>(`SELECT status FROM "Audit" WHERE id = $1`, [audit.id]);
  if (now && isReturned(now.status))
    throw new AlreadyDone(`The audit of case ${audit.case.caseRef} was already submitted. Nothing was changed.`);
  throw new Conflict(
    `The audit of case ${audit.case.caseRef} was saved from another device or window after this page was opened, so this page was not saved (nothing was overwritten). Type "my audits" and press Resume to see the latest version.`,
  );
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
  const kind = feedbackKindOf(req.page);
  if (req.nav === "another" && !(kind && repeatsPerMember(kind))) throw new NotFound(`Page ${req.page} has no family members to add.`);
  // The answers of this page and of the next one come with the audit: one read.
  const { audit, answers } = await findAuditWithAnswers(ctx.db, req.auditId, [...pageAreas(req.page), ...pageAreas(nextPage)]);
  await requireAuditor(ctx.db, actor, audit);
  requireEditable(audit);
  const { defs, stored, feedback, member, members } = await setupPage(ctx.db, ctx, audit, req.page, answers);
  const { values, errors } = await pageErrors(ctx, audit, req.page, req.nav, defs, req.data);
  // Save and close keeps what is valid: each answer in error keeps its saved value (or none), and
  // the page comes back with the answers as typed and what was not saved.
  const kept =
    req.nav === "close" && Object.keys(errors).length ? await keepValid(ctx, audit, req.page, defs, stored, values, errors) : null;
  if (Object.keys(errors).length && !kept) {
    const card = await pageCard(ctx.db, ctx, audit, req.page, {
      known: answers,
      input: values,
      errors,
      message: "Some answers need attention. Nothing from this page was saved.",
    });
    throw new PageInvalid(card, errors);
  }
  const { draft, meetingDate, rows } = pageChange(audit, req.page, req.nav, kept ?? values, stored, { member, members });
  draft.page = nextPage;
  const history = pageHistory(actor, audit, req.page, defs, stored, kept ?? values);
  // All or nothing, in one statement: the page's answers (or feedback), the draft and version, and their history.
  await writePage(sqlOf(ctx.db), audit, req.version, {
    draft,
    meetingDate,
    rows,
    history,
    feedback: kind ? (params) => feedbackWrite(audit.id, actor.id, kind, values, feedback ?? null, member ?? 0, params) : undefined,
  });
  // The row as just written (the update matched version = req.version): no second read.
  const fresh: AuditWithCase = {
    ...audit,
    draft: draft as Prisma.JsonValue,
    status: IN_PROGRESS,
    version: req.version + 1,
    meetingDate: meetingDate !== undefined ? meetingDate : audit.meetingDate,
  };
  const known = [...answers.filter((a) => !rows.some((r) => r.area === a.area)), ...rows];
  if (kept) {
    const card = await pageCard(ctx.db, ctx, fresh, req.page, {
      known,
      input: values,
      errors,
      message: `Draft saved, except the ${errors_(errors)} marked below: ${Object.keys(errors).length === 1 ? "it keeps" : "they keep"} what was saved before. Correct ${Object.keys(errors).length === 1 ? "it" : "them"} and save again, or type “my audits” and press Resume later.`,
    });
    return { card, closed: false };
  }
  const message =
    req.nav === "close"
      ? "Draft saved. Type “my audits” and press Resume to carry on, on any device."
      : req.nav === "another"
        ? "Saved. Now record the next family member's answers."
        : "Draft saved.";
  return { card: await pageCard(ctx.db, ctx, fresh, nextPage, { message, known }), closed: req.nav === "close" };
}

/**
 * The page's answers and what needs attention in them: each field's own rules, then the page's
 * (feedback, adding a family member, the page's size, Section 1, the outcome's). The first
 * problem found for an answer is the one shown.
 */
async function pageErrors(ctx: AppContext, audit: AuditWithCase, page: string, nav: Nav, defs: FieldDef[], input: Record<string, unknown>) {
  const kind = feedbackKindOf(page);
  const { values, errors } = validateFields(defs, input);
  if (kind) Object.assign(errors, feedbackErrors(kind, values), errors);
  if (kind && nav === "another" && !values[`${kind}-obtained`])
    errors[`${kind}-obtained`] = "Record this family member's answers before adding another.";
  if (!Object.keys(errors).length) Object.assign(errors, pageBudgetErrors(values));
  if (page === "health") Object.assign(errors, await section1Errors(ctx.db, values), errors);
  if (page === "outcome") Object.assign(errors, outcomeErrors(ctx, audit, values), errors);
  return { values, errors };
}

const errors_ = (errors: Record<string, string>) => (Object.keys(errors).length === 1 ? "answer" : `${Object.keys(errors).length} answers`);

/** The outcome page's rules: the rating and judgement agree; action dates not past (nor too late for an inadequate audit). */
function outcomeErrors(ctx: AppContext, audit: AuditWithCase, values: FieldValues): Record<string, string> {
  const scale = scaleFor(ctx.config, audit.gradeScaleId);
  const g = resolveGrade(scale, values);
  const now = ctx.clock.now();
  const tz = ctx.config.TIMEZONE;
  const inadequate = g.band ? isInadequate(scale, g.band) : false;
  return { ...actionDateErrors(values, isoDate(localDate(now, tz)), inadequate ? immediateDeadlineDay(now, tz) : undefined), ...g.errors };
}

/**
 * The page's values with each answer in error replaced by its saved value (or blank when that is no
 * longer valid either); null when the rest still cannot be saved.
 */
async function keepValid(
  ctx: AppContext,
  audit: AuditWithCase,
  page: string,
  defs: FieldDef[],
  stored: FieldValues,
  values: FieldValues,
  errors: Record<string, string>,
): Promise<FieldValues | null> {
  const problems = async (v: FieldValues) => (await pageErrors(ctx, audit, page, "close", defs, v)).errors;
  let v: FieldValues = { ...values };
  for (const id of Object.keys(errors)) if (id in v) v[id] = stored[id] ?? "";
  let left = await problems(v);
  if (!Object.keys(left).length) return v;
  v = { ...v };
  for (const id of Object.keys(left)) if (id in v) v[id] = "";
  left = await problems(v);
  return Object.keys(left).length ? null : v;
}

/** What a valid page changes: the draft, the meeting date (health page) and the area answers. */
function pageChange(
  audit: AuditWithCase,
  page: string,
  nav: Nav,
  values: FieldValues,
  stored: FieldValues,
  family: { member?: number; members?: { member: number }[] },
): { draft: AuditDraft; meetingDate: Date | null | undefined; rows: AnswerRow[] } {
  const draft: AuditDraft = { ...((audit.draft ?? {}) as AuditDraft) };
  let meetingDate: Date | null | undefined;
  const rows: AnswerRow[] = [];
  if (page === "health") {
    const { meetingDate: day, ...health } = values;
    draft.health = health;
    meetingDate = day ? new Date(`${day}T00:00:00Z`) : null;
  } else if (page.startsWith("areas-")) {
    for (const area of areaGroups()[Number(page.slice(6)) - 1]!) {
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
  } else if (page === "outcome") {
    draft.outcome = values;
  } else if (nav === "another") {
    // The next family member: one past every member recorded, so no one's answers are overwritten.
    draft.familyMember = Math.max(family.member ?? 0, ...(family.members ?? []).map((m) => m.member)) + 1;
  }
  return { draft, meetingDate, rows };
}

/** The page's history: "started" on the first save, then the values before and after. */
function pageHistory(
  actor: Actor,
  audit: AuditWithCase,
  page: string,
  defs: FieldDef[],
  stored: FieldValues,
  values: FieldValues,
): HistoryEntry[] {
  const before: FieldValues = {};
  for (const d of defs.filter(isInput)) if (stored[d.id]) before[d.id] = stored[d.id]!;
  const after: FieldValues = Object.fromEntries(Object.entries(values).filter(([, x]) => x !== ""));
  const history: HistoryEntry[] = [];
  if (audit.status !== IN_PROGRESS) history.push(fieldChange("audit", audit, "started", actor.id, { status: IN_PROGRESS }));
  history.push({
    entityType: "audit",
    entityId: audit.id,
    action: "draft_saved",
    actorId: actor.id,
    before: { page, values: before },
    after: { page, values: after },
  });
  return history;
}
