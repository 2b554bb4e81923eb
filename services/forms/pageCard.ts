// The card for one page of a form (cards/templates/form-page.json).
import { onlyChoices } from "../../cards/schemas/cardData";
import { renderCard, type CardJson } from "../../cards/render";
import { optionLabel, optionValue, type Audience, type FormTemplate, type ShowIf } from "./templateSchema";
import {
  type AnswerValue,
  type Answers,
  type RawPage,
  type FormPage,
  type PagingOptions,
  inputId,
  questionOptions,
  maxLengthOf,
  formPages,
  laterSectionsHidden,
} from "./pages";
import { type FormNav } from "./navigation";

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
    pageLabel: `Page ${index + 1} of ${laterSectionsHidden(template, page, view.answers, view.directoryAudience) ? "at least " : ""}${pages.length}`,
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
