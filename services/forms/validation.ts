// Validating a page: a zod schema built from the template's questions.
import { z } from "zod";
import { optionValue, type FormQuestion } from "./templateSchema";
import { type AnswerValue, type Answers, type RawPage, type FormPage, inputId, questionOptions, maxLengthOf } from "./pages";

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
