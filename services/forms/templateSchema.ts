// Form templates as data: the zod schema every file in ./templates must satisfy, and loaders.
//
// A template is { id, version, title, source, anonymous, audiences, sections[] }. Each section has
// questions of one of six types. Optional extras beyond the basic shape:
//   - `source` on template, section or question: where the wording comes from ("Bexley Children's Social Care Quality Assurance Framework, §3.2.1",
//     or "assure-default" when the source is silent and Assure wrote it).
//   - `showIf` on a section or a question: shown only when EVERY given condition holds.
//       role:    the respondent's audience is one of these. The audience is the respondent's known
//                role, or (for anonymous surveys) the `audience` of the option they chose in the
//                template's `roleQuestionId` question.
//       answers: for each question id, the answer is one of these option values (for a `multi`
//                question: any selected value is one of them). Only earlier questions may be named.
//   - `options` are plain strings (value = label) or { value, label, audience? }.
//   - `roleQuestionId`: the `single` question whose chosen option's `audience` routes the respondent
//     (e.g. practitioner version / manager version of the Social Work Health Check).
//   - `enteredBy`: the audience that types the answers in on someone else's behalf (phone surveys).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const QUESTION_TYPES = ["scale0to10", "likert5", "single", "multi", "text", "longtext"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Who a form is for. Coarser than the Prisma Role enum: a form routes by group, not by job title. */
export const AUDIENCES = ["practitioner", "manager", "qa", "auditor", "moderator"] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Used for a likert5 question that gives no options of its own. */
export const LIKERT5_DEFAULT_OPTIONS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"] as const;

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be lower-case words joined by hyphens");

const optionSchema = z.union([
  z.string().min(1),
  z.strictObject({
    value: z.string().min(1),
    label: z.string().min(1),
    audience: z.enum(AUDIENCES).optional(),
  }),
]);
export type FormOption = z.infer<typeof optionSchema>;

export const showIfSchema = z
  .strictObject({
    role: z.array(z.enum(AUDIENCES)).min(1).optional(),
    answers: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
  })
  .refine((s) => s.role !== undefined || s.answers !== undefined, {
    message: "showIf needs role or answers",
  });
export type ShowIf = z.infer<typeof showIfSchema>;

const anchorsSchema = z.record(z.string().regex(/^(?:10|[0-9])$/, "anchor keys are 0..10"), z.string().min(1));

export const questionSchema = z
  .strictObject({
    id: slug,
    type: z.enum(QUESTION_TYPES),
    text: z.string().min(1),
    required: z.boolean(),
    options: z.array(optionSchema).min(2).optional(),
    anchors: anchorsSchema.optional(),
    maxLength: z.number().int().positive().optional(),
    source: z.string().min(1).optional(),
    showIf: showIfSchema.optional(),
  })
  .superRefine((q, ctx) => {
    const needsOptions = q.type === "single" || q.type === "multi";
    if (needsOptions && !q.options) {
      ctx.addIssue({ code: "custom", path: ["options"], message: `${q.type} question needs options` });
    }
    if (q.type === "likert5" && q.options && q.options.length !== 5) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "likert5 needs exactly 5 options" });
    }
    if ((q.type === "text" || q.type === "longtext" || q.type === "scale0to10") && q.options) {
      ctx.addIssue({ code: "custom", path: ["options"], message: `${q.type} question takes no options` });
    }
    if (q.anchors && q.type !== "scale0to10") {
      ctx.addIssue({ code: "custom", path: ["anchors"], message: "anchors are for scale0to10 questions" });
    }
    if (q.maxLength !== undefined && q.type !== "text" && q.type !== "longtext") {
      ctx.addIssue({ code: "custom", path: ["maxLength"], message: "maxLength is for text questions" });
    }
    if (q.options) {
      const values = q.options.map(optionValue);
      if (new Set(values).size !== values.length) {
        ctx.addIssue({ code: "custom", path: ["options"], message: "option values must be unique" });
      }
    }
  });
export type FormQuestion = z.infer<typeof questionSchema>;

export const sectionSchema = z.strictObject({
  id: slug,
  title: z.string().min(1),
  intro: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  showIf: showIfSchema.optional(),
  questions: z.array(questionSchema).min(1),
});
export type FormSection = z.infer<typeof sectionSchema>;

export const formTemplateSchema = z
  .strictObject({
    $comment: z.string().optional(),
    id: slug,
    version: z.number().int().min(1),
    title: z.string().min(1),
    source: z.string().min(1),
    description: z.string().min(1).optional(),
    anonymous: z.boolean(),
    audiences: z.array(z.enum(AUDIENCES)).min(1),
    roleQuestionId: slug.optional(),
    enteredBy: z.enum(AUDIENCES).optional(),
    frequency: z.string().min(1).optional(),
    sections: z.array(sectionSchema).min(1),
  })
  .superRefine((t, ctx) => {
    const sectionIds = new Set<string>();
    const seen = new Map<string, FormQuestion>();
    const checkShowIf = (s: ShowIf | undefined, where: (string | number)[]) => {
      if (!s) return;
      for (const r of s.role ?? []) {
        if (!t.audiences.includes(r)) {
          ctx.addIssue({ code: "custom", path: [...where, "showIf", "role"], message: `role ${r} is not an audience of this template` });
        }
      }
      for (const [qid, wanted] of Object.entries(s.answers ?? {})) {
        const q = seen.get(qid);
        if (!q) {
          ctx.addIssue({
            code: "custom",
            path: [...where, "showIf", "answers", qid],
            message: `showIf names ${qid}, which is not an earlier question`,
          });
          continue;
        }
        const values = (q.options ?? []).map(optionValue);
        for (const w of wanted) {
          if (!values.includes(w)) {
            ctx.addIssue({ code: "custom", path: [...where, "showIf", "answers", qid], message: `${w} is not an option value of ${qid}` });
          }
        }
      }
    };
    t.sections.forEach((section, si) => {
      if (sectionIds.has(section.id)) {
        ctx.addIssue({ code: "custom", path: ["sections", si, "id"], message: `duplicate section id ${section.id}` });
      }
      sectionIds.add(section.id);
      checkShowIf(section.showIf, ["sections", si]);
      section.questions.forEach((q, qi) => {
        checkShowIf(q.showIf, ["sections", si, "questions", qi]);
        if (seen.has(q.id)) {
          ctx.addIssue({ code: "custom", path: ["sections", si, "questions", qi, "id"], message: `duplicate question id ${q.id}` });
        }
        seen.set(q.id, q);
      });
    });
    if (t.roleQuestionId !== undefined) {
      const q = seen.get(t.roleQuestionId);
      if (!q || q.type !== "single") {
        ctx.addIssue({ code: "custom", path: ["roleQuestionId"], message: "roleQuestionId must name a single-choice question" });
      } else {
        for (const o of q.options ?? []) {
          const audience = typeof o === "string" ? undefined : o.audience;
          if (!audience || !t.audiences.includes(audience)) {
            ctx.addIssue({
              code: "custom",
              path: ["roleQuestionId"],
              message: `option ${optionValue(o)} must map to one of the template's audiences`,
            });
          }
        }
      }
    }
  });
export type FormTemplate = z.infer<typeof formTemplateSchema>;

export function optionValue(o: FormOption): string {
  return typeof o === "string" ? o : o.value;
}

export function optionLabel(o: FormOption): string {
  return typeof o === "string" ? o : o.label;
}

/** Every question of a template, in order, with its section. */
export function allQuestions(t: FormTemplate): { section: FormSection; question: FormQuestion }[] {
  return t.sections.flatMap((section) => section.questions.map((question) => ({ section, question })));
}

export const TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates");

const cache = new Map<string, FormTemplate>();

function parseFile(file: string, expectedId: string): FormTemplate {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`form template ${expectedId}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = formTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`form template ${expectedId} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  if (parsed.data.id !== expectedId) {
    throw new Error(`form template file ${expectedId}.json declares id ${parsed.data.id}`);
  }
  return parsed.data;
}

/** Loads and validates services/forms/templates/<id>.json. Throws if missing or invalid. */
export function loadFormTemplate(id: string): FormTemplate {
  if (!slug.safeParse(id).success) throw new Error(`bad form template id: ${JSON.stringify(id)}`);
  const hit = cache.get(id);
  if (hit) return hit;
  const file = path.join(TEMPLATES_DIR, `${id}.json`);
  if (!fs.existsSync(file)) throw new Error(`no form template ${id}`);
  const t = parseFile(file, id);
  cache.set(id, t);
  return t;
}

/** All templates in services/forms/templates, validated, sorted by id. */
export function listFormTemplates(): FormTemplate[] {
  return fs
    .readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort()
    .map((id) => loadFormTemplate(id));
}

/** Forgets cached templates (for tests and for reloading after an edit). */
export function clearFormTemplateCache(): void {
  cache.clear();
}
