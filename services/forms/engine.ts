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
//
// One file each: pages.ts (visibility and paging), validation.ts, navigation.ts, pageCard.ts.
export {
  type AnswerValue,
  type Answers,
  type RawPage,
  type FormPage,
  type PagingOptions,
  DEFAULT_MAX_LENGTH,
  INPUT_PREFIX,
  inputId,
  questionOptions,
  maxLengthOf,
  audienceFor,
  conditionHolds,
  visibleQuestions,
  questionWorstBytes,
  formPages,
} from "./pages";
export { questionSchema, answersSchema, type PageValidation, validateAnswers, rawFromSubmission } from "./validation";
export { type FormNav, type FormState, type StepResult, stepForm } from "./navigation";
export { type FormPageView, formPageData, gatesLaterQuestions, renderFormPage } from "./pageCard";
