// A form's pages: which questions are visible for these answers and audience, and how they are
// grouped into pages that fit a card.
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

/**
 * Whether a section after `page` is hidden for these answers: an answer still to come may show it,
 * so the count of pages is a floor ("Page 1 of at least 4").
 */
export function laterSectionsHidden(
  template: FormTemplate,
  page: FormPage,
  answers: Answers,
  directoryAudience: Audience | undefined,
): boolean {
  const audience = audienceFor(template, answers, directoryAudience);
  const from = template.sections.indexOf(page.section);
  return template.sections.slice(from + 1).some((s) => !conditionHolds(s.showIf, answers, audience));
}

/** A question whose showIf names a question on the same page is shown (answers arrive together). */
function dependsOnSamePage(q: FormQuestion, page: FormQuestion[]): boolean {
  const names = Object.keys(q.showIf?.answers ?? {});
  return names.length > 0 && names.some((n) => page.some((p) => p.id === n));
}
