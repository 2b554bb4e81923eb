// The form engine: any template of services/forms/templates becomes paged Adaptive Cards, and a
// page submission is validated against a zod schema built from the same template. Generic on
// purpose (template + answers + page index → card; submission → {answers, errors}): surveys use it
// today, the audit form can use it later.
//
//   formPages(template, answers, audience)            the visible pages, in order
//   stepForm(template, state, {page, nav, raw})        Back / Next / Save / Submit on one page
//   renderFormPage(template, view)                     the card for one page (errors, typed input kept)
//
// Visibility: a section or question with `showIf` is shown only when every condition holds. The
// respondent's audience (practitioner / manager …) is their answer to the template's
// `roleQuestionId` when there is one, otherwise what the directory says.
import { onlyChoices } from "../../cards/schemas/cardData";
import { z } from "zod";
import { renderCard, type CardJson } from "../../cards/render";
import {
  LIKERT5_DEFAULT_OPTIONS,
  optionLabel,
  optionValue,
  type Audience,
  type FormOption,
  type FormQuestion,
  type FormSection,
  type FormTemplate,
  type ShowIf,
} from "./templateSchema";

export type AnswerValue = string | number | string[];
export type Answers = Record<string, AnswerValue>;

/** What the respondent typed on one page, as the card posted it (strings), keyed by question id. */
export type RawPage = Record<string, string>;

export interface FormPage {
  index: number;
  section: FormSection;
  /** 1-based part of a long section split over several pages, and how many parts it has. */
  part: number;
  parts: number;
  questions: FormQuestion[];
}

export interface PagingOptions {
  /** Worst-case bytes of the questions on one page (answers at their longest); default 20 000. */
  pageBudgetBytes?: number;
  /** At most this many questions on one page; default 8. */
  maxQuestionsPerPage?: number;
}

/** Text questions without a maxLength still get one (free text is always bounded). */
export const DEFAULT_MAX_LENGTH = { text: 500, longtext: 2000 } as const;

/** Input ids on the card are prefixed so they never collide with action data (campaignId, page …). */
export const INPUT_PREFIX = "q_";
export const inputId = (questionId: string): string => `${INPUT_PREFIX}${questionId}`;

export function questionOptions(q: FormQuestion): FormOption[] {
  if (q.type === "likert5") return q.options ?? [...LIKERT5_DEFAULT_OPTIONS];
  return q.options ?? [];
}

export function maxLengthOf(q: FormQuestion): number {
  if (q.type === "text" || q.type === "longtext") return q.maxLength ?? DEFAULT_MAX_LENGTH[q.type];
  return 0;
}

/** The audience routing this respondent: their answer to roleQuestionId, else the directory's. */
export function audienceFor(template: FormTemplate, answers: Answers, directoryAudience?: Audience): Audience | undefined {
  if (template.roleQuestionId) {
    const chosen = answers[template.roleQuestionId];
    const q = template.sections.flatMap((s) => s.questions).find((x) => x.id === template.roleQuestionId);
    const opt = q?.options?.find((o) => optionValue(o) === chosen);
    if (opt && typeof opt !== "string" && opt.audience) return opt.audience;
  }
  return directoryAudience && template.audiences.includes(directoryAudience) ? directoryAudience : undefined;
}

export function conditionHolds(showIf: ShowIf | undefined, answers: Answers, audience: Audience | undefined): boolean {
  if (!showIf) return true;
  if (showIf.role && (!audience || !showIf.role.includes(audience))) return false;
  for (const [qid, wanted] of Object.entries(showIf.answers ?? {})) {
    const a = answers[qid];
    const given = Array.isArray(a) ? a : a === undefined ? [] : [String(a)];
    if (!given.some((g) => wanted.includes(g))) return false;
  }
  return true;
}

/** Visible questions of a template, in order, for these answers and audience. */
export function visibleQuestions(template: FormTemplate, answers: Answers, directoryAudience: Audience | undefined): FormQuestion[] {
  const audience = audienceFor(template, answers, directoryAudience);
  return template.sections
    .filter((s) => conditionHolds(s.showIf, answers, audience))
    .flatMap((s) => s.questions.filter((q) => conditionHolds(q.showIf, answers, audience)));
}

/**
 * Roughly the most bytes a question can add to a card: its wording, options, and the longest
 * answer re-shown in the input (3 bytes a character: JSON of any non-control character in UTF-8).
 */
export function questionWorstBytes(q: FormQuestion): number {
  const base = 420 + q.text.length * 3;
  const opts = questionOptions(q).reduce((n, o) => n + 60 + (optionLabel(o).length + optionValue(o).length) * 3, 0);
  switch (q.type) {
    case "scale0to10":
      return base + 11 * 40 + Object.values(q.anchors ?? {}).reduce((n, a) => n + a.length * 3 + 10, 0);
    case "text":
    case "longtext":
      return base + maxLengthOf(q) * 3;
    default:
      return base + opts;
  }
}

/**
 * The pages of the form for these answers: one section per page, a long section split so that a
 * page stays within the byte budget and question count. showIf only names earlier questions, so
 * pages before the one being answered never change under the respondent.
 */
export function formPages(
  template: FormTemplate,
  answers: Answers,
  directoryAudience: Audience | undefined,
  opts: PagingOptions = {},
): FormPage[] {
  const audience = audienceFor(template, answers, directoryAudience);
  const budget = opts.pageBudgetBytes ?? 20_000;
  const maxQ = opts.maxQuestionsPerPage ?? 8;
  const pages: Omit<FormPage, "index">[] = [];
  for (const section of template.sections) {
    if (!conditionHolds(section.showIf, answers, audience)) continue;
    // Visibility of a question may depend on an answer on the same page: split on the full list
    // so page boundaries do not move while the respondent types, then filter per page.
    const chunks: FormQuestion[][] = [];
    let current: FormQuestion[] = [];
    let bytes = 0;
    for (const q of section.questions) {
      const b = questionWorstBytes(q);
      if (current.length && (current.length >= maxQ || bytes + b > budget)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(q);
      bytes += b;
    }
    if (current.length) chunks.push(current);
    const visibleChunks = chunks
      .map((c) => c.filter((q) => conditionHolds(q.showIf, answers, audience) || dependsOnSamePage(q, c)))
      .filter((c) => c.length);
    visibleChunks.forEach((questions, i) => pages.push({ section, part: i + 1, parts: visibleChunks.length, questions }));
  }
  return pages.map((p, index) => ({ ...p, index }));
}

/** A question whose showIf names a question on the same page is shown (answers arrive together). */
function dependsOnSamePage(q: FormQuestion, page: FormQuestion[]): boolean {
  const names = Object.keys(q.showIf?.answers ?? {});
  return names.length > 0 && names.some((n) => page.some((p) => p.id === n));
}

// ---------------------------------------------------------------------------------------------
// Validation: a zod schema built from the template's questions.

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const blankToUndefined = (v: unknown) => {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string" && v.trim() === "") return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  return v;
};

/** The zod schema of one question's answer (`required` ignored when `partial`). */
export function questionSchema(q: FormQuestion, partial = false): z.ZodType<AnswerValue | undefined> {
  const needed = q.required && !partial;
  const missing = "This question needs an answer.";
  let inner: z.ZodType<AnswerValue>;
  switch (q.type) {
    case "scale0to10":
      inner = z.preprocess(
        (v) => (typeof v === "string" ? Number(v.trim()) : v),
        z
          .number({ error: "Please choose a number from 0 to 10." })
          .int("Please choose a whole number from 0 to 10.")
          .min(0, "Please choose a number from 0 to 10.")
          .max(10, "Please choose a number from 0 to 10."),
      );
      break;
    case "likert5":
    case "single": {
      const values = questionOptions(q).map(optionValue);
      inner = z.string().refine((v) => values.includes(v), "Please choose one of the options.");
      break;
    }
    case "multi": {
      const values = questionOptions(q).map(optionValue);
      inner = z.preprocess(
        (v) =>
          typeof v === "string"
            ? v
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean)
            : v,
        z
          .array(z.string())
          .refine((a) => a.every((v) => values.includes(v)), "Please choose from the options shown.")
          .refine((a) => new Set(a).size === a.length, "Each option can be chosen once."),
      );
      break;
    }
    case "text":
    case "longtext": {
      const max = maxLengthOf(q);
      inner = z.preprocess(
        (v) => (typeof v === "string" ? v.replace(/\r\n/g, "\n").trim() : v),
        z
          .string({ error: "Please type your answer as text." })
          .refine((s) => !CONTROL_CHARS.test(s), "Please remove unusual control characters from your answer.")
          .refine((s) => s.length <= max, {
            error: (iss) => `Please keep this under ${max} characters (you wrote ${String((iss.input as string).length)}).`,
          }),
      );
      break;
    }
  }
  const optional = z.preprocess(blankToUndefined, inner.optional());
  return needed ? optional.refine((v) => v !== undefined, missing) : optional;
}

/** A zod object schema for a set of questions, keyed by question id. */
export function answersSchema(questions: FormQuestion[], partial = false) {
  return z.object(Object.fromEntries(questions.map((q) => [q.id, questionSchema(q, partial)])));
}

export interface PageValidation {
  /** Valid answers of the page (questions left blank are absent). */
  answers: Answers;
  /** Question id → message, for the questions that failed. */
  errors: Record<string, string>;
}

/** Validates the values of some questions (by question id) with the schema built from them. */
export function validateAnswers(questions: FormQuestion[], values: Record<string, unknown>, partial = false): PageValidation {
  const answers: Answers = {};
  const errors: Record<string, string> = {};
  // Per question, so one bad answer never discards the good ones (they are kept in the draft).
  for (const q of questions) {
    const r = questionSchema(q, partial).safeParse(values[q.id]);
    if (r.success) {
      if (r.data !== undefined) answers[q.id] = r.data;
    } else {
      errors[q.id] = r.error.issues[0]?.message ?? "Please check this answer.";
    }
  }
  // The object schema is the contract (exported for other callers); both agree by construction.
  return { answers, errors };
}

/** Card inputs (q_<id> → string) → question id → raw string, for the questions of a page. */
export function rawFromSubmission(page: FormPage, data: Record<string, unknown>): RawPage {
  const raw: RawPage = {};
  for (const q of page.questions) {
    const v = data[inputId(q.id)];
    if (v === undefined || v === null) continue;
    raw[q.id] = Array.isArray(v) ? v.map(String).join(",") : typeof v === "string" ? v : String(v as number);
  }
  return raw;
}

// ---------------------------------------------------------------------------------------------
// Navigation.

export type FormNav = "open" | "back" | "next" | "save" | "submit";

export interface FormState {
  answers: Answers;
  /** The page the respondent was last on. */
  page: number;
}

export interface StepResult {
  state: FormState;
  /** Page to show (ignored when complete). */
  page: number;
  errors: Record<string, string>;
  /** Typed values to put back into the inputs when the page is shown again with errors. */
  raw: RawPage;
  notice?: string;
  /** Set when the form was submitted complete: the answers of the visible questions only. */
  complete?: Answers;
  audience?: Audience;
}

/**
 * One button press on a page. Back and Save keep what is valid (required ignored) and move / stay;
 * Next and Submit validate the page fully and re-show it with errors (input kept) if needed;
 * Submit then checks every visible page and returns the final answers.
 */
export function stepForm(
  template: FormTemplate,
  state: FormState,
  input: { page: number; nav: FormNav; data: Record<string, unknown>; directoryAudience?: Audience; paging?: PagingOptions },
): StepResult {
  let answers = { ...state.answers };
  const audienceNow = () => audienceFor(template, answers, input.directoryAudience);
  const pagesNow = () => formPages(template, answers, input.directoryAudience, input.paging);
  if (input.nav === "open") {
    const pages = pagesNow();
    const page = Math.min(Math.max(0, state.page), pages.length - 1);
    return { state: { answers, page }, page, errors: {}, raw: {}, audience: audienceNow() };
  }
  const pages = pagesNow();
  const index = Math.min(Math.max(0, input.page), pages.length - 1);
  const page = pages[index]!;
  const raw = rawFromSubmission(page, input.data);
  const partial = input.nav === "back" || input.nav === "save";
  const v = validateAnswers(page.questions, raw, partial);
  // Replace this page's answers by what was submitted (a cleared field clears the answer).
  for (const q of page.questions) delete answers[q.id];
  answers = { ...answers, ...v.answers };
  const errors = v.errors;
  if (Object.keys(errors).length) {
    return {
      state: { answers, page: index },
      page: index,
      errors,
      raw,
      notice: partial ? "Saved what could be saved; please check the answers marked below." : undefined,
      audience: audienceNow(),
    };
  }
  const after = pagesNow();
  if (input.nav === "back") {
    const p = Math.max(0, index - 1);
    return { state: { answers, page: p }, page: p, errors: {}, raw: {}, audience: audienceNow() };
  }
  if (input.nav === "save") {
    return {
      state: { answers, page: index },
      page: index,
      errors: {},
      raw: {},
      notice: "Saved. You can come back to it later.",
      audience: audienceNow(),
    };
  }
  if (input.nav === "next" || index < after.length - 1) {
    const p = Math.min(index + 1, after.length - 1);
    return { state: { answers, page: p }, page: p, errors: {}, raw: {}, audience: audienceNow() };
  }
  // Submit on the last page: every visible question, on every page.
  const audience = audienceNow();
  const visible = visibleQuestions(template, answers, input.directoryAudience);
  const all = validateAnswers(visible, answers);
  if (Object.keys(all.errors).length) {
    const first = after.findIndex((p) => p.questions.some((q) => all.errors[q.id]));
    const p = Math.max(0, first);
    return {
      state: { answers, page: p },
      page: p,
      errors: all.errors,
      raw: {},
      notice: "Some answers are missing. Please complete this page, then carry on.",
      audience,
    };
  }
  const complete: Answers = {};
  for (const q of visible) if (answers[q.id] !== undefined) complete[q.id] = answers[q.id]!;
  return { state: { answers, page: index }, page: index, errors: {}, raw: {}, complete, audience };
}

// ---------------------------------------------------------------------------------------------
// Rendering.

export interface FormPageView {
  answers: Answers;
  page: number;
  errors?: Record<string, string>;
  raw?: RawPage;
  notice?: string;
  directoryAudience?: Audience;
  /** Verb of every navigation button; each button posts {...actionData, page, nav}. */
  verb: string;
  actionData: Record<string, unknown>;
  /** Shown under the title (e.g. "Closes Friday 18 December. Your answers are anonymous."). */
  subtitle?: string;
  submitTitle?: string;
  paging?: PagingOptions;
}

const displayValue = (v: AnswerValue | undefined): string => (v === undefined ? "" : Array.isArray(v) ? v.join(",") : String(v));

/** The data object for cards/templates/form-page.json. */
export function formPageData(template: FormTemplate, view: FormPageView): Record<string, unknown> {
  const pages = formPages(template, view.answers, view.directoryAudience, view.paging);
  const index = Math.min(Math.max(0, view.page), pages.length - 1);
  const page = pages[index]!;
  const errors = view.errors ?? {};
  const raw = view.raw ?? {};
  const isLast = index === pages.length - 1;
  const questions = page.questions.map((q, i) => {
    const value = raw[q.id] ?? displayValue(view.answers[q.id]);
    const base = {
      id: inputId(q.id),
      label: `${i + 1}. ${q.text}${q.required ? "" : " (optional)"}`,
      value,
      error: errors[q.id] ?? "",
      hint: "",
      kind: "choice",
      multi: false,
      compact: false,
      multiline: false,
      maxLength: 0,
      choices: [] as { title: string; value: string }[],
    };
    switch (q.type) {
      case "scale0to10": {
        const a = q.anchors ?? {};
        const choices = Array.from({ length: 11 }, (_, n) => ({
          title: a[String(n)] ? `${n} – ${a[String(n)]}` : String(n),
          value: String(n),
        }));
        return {
          ...base,
          value: onlyChoices(value, choices),
          compact: true,
          choices,
          hint: a["0"] && a["10"] ? `0 = ${a["0"]}, 10 = ${a["10"]}` : "",
        };
      }
      case "likert5":
      case "single":
      case "multi": {
        const choices = questionOptions(q).map((o) => ({ title: optionLabel(o), value: optionValue(o) }));
        return {
          ...base,
          value: onlyChoices(value, choices),
          multi: q.type === "multi",
          hint: q.type === "multi" ? "Choose all that apply." : "",
          choices,
        };
      }
      case "text":
      case "longtext": {
        const max = maxLengthOf(q);
        return { ...base, kind: "text", multiline: q.type === "longtext", maxLength: max, hint: `Up to ${max} characters.` };
      }
    }
  });
  const nav = (nav: FormNav) => ({ ...view.actionData, page: index, nav });
  const actions = [
    ...(index > 0 ? [{ title: "Back", data: nav("back"), style: "default" }] : []),
    { title: "Save and finish later", data: nav("save"), style: "default" },
    isLast
      ? // An answer here may still open more pages (e.g. "agreed to take part?"): "Continue" submits
        // if nothing more is shown, else moves on.
        { title: gatesLaterQuestions(template, page) ? "Continue" : (view.submitTitle ?? "Submit"), data: nav("submit"), style: "positive" }
      : { title: "Next", data: nav("next"), style: "positive" },
  ];
  const errorCount = Object.keys(errors).filter((k) => page.questions.some((q) => q.id === k)).length;
  return {
    formTitle: template.title,
    subtitle: view.subtitle ?? "",
    pageLabel: `Page ${index + 1} of ${pages.length}`,
    sectionTitle: page.parts > 1 ? `${page.section.title} (part ${page.part} of ${page.parts})` : page.section.title,
    intro: page.part === 1 ? (page.section.intro ?? "") : "",
    notice: view.notice ?? "",
    errorSummary: errorCount ? `${errorCount} answer${errorCount > 1 ? "s need" : " needs"} attention: see the messages below.` : "",
    questions,
    verb: view.verb,
    actions,
  };
}

/** True when a later section or question is shown or hidden by an answer on this page. */
export function gatesLaterQuestions(template: FormTemplate, page: FormPage): boolean {
  const here = new Set(page.questions.map((q) => q.id));
  const names = (showIf: ShowIf | undefined) => Object.keys(showIf?.answers ?? {});
  return template.sections.some(
    (s) => names(s.showIf).some((n) => here.has(n)) || s.questions.some((q) => !here.has(q.id) && names(q.showIf).some((n) => here.has(n))),
  );
}

export function renderFormPage(template: FormTemplate, view: FormPageView): CardJson {
  return renderCard("form-page", formPageData(template, view));
}
