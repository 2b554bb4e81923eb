// Moving through a form: Back / Next / Save / Submit on one page.
import { type Audience, type FormTemplate } from "./templateSchema";
import { type Answers, type RawPage, type PagingOptions, audienceFor, visibleQuestions, formPages } from "./pages";
import { validateAnswers, rawFromSubmission } from "./validation";

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
