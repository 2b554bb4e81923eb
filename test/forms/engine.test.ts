// The form engine without a database: paging, the schema built from a template, navigation, and
// the size of every page of every shipped template with the longest possible answers.
import { describe, expect, it } from "vitest";
import { listFormTemplates, loadFormTemplate, type FormTemplate } from "../../services/forms/templateSchema";
import {
  formPages,
  inputId,
  maxLengthOf,
  renderFormPage,
  stepForm,
  validateAnswers,
  type Answers,
  type FormPage,
} from "../../services/forms/engine";
import { cardProblems } from "../../cards/validate";
import { cardSizeBytes, CARD_SIZE_LIMIT_BYTES } from "../../cards/render";
import { cardText, cardActions } from "../support/harness";
import type { Audience } from "../../services/forms/templateSchema";

/** The longest answers a page can hold: every text at maxLength in 3-byte characters. */
function worstAnswers(page: FormPage): Answers {
  const a: Answers = {};
  for (const q of page.questions) {
    if (q.type === "text" || q.type === "longtext") a[q.id] = "€".repeat(maxLengthOf(q));
    else if (q.type === "scale0to10") a[q.id] = 10;
    else if (q.type === "multi") a[q.id] = (q.options ?? []).map((o) => (typeof o === "string" ? o : o.value));
    else a[q.id] = typeof q.options?.[0] === "string" ? q.options[0] : (q.options?.[0]?.value ?? "Agree");
  }
  return a;
}

/** Answers that show every conditional section (first option of each gating question that opens it). */
function openingAnswers(t: FormTemplate): Answers {
  const a: Answers = {};
  for (const s of t.sections) for (const [qid, vals] of Object.entries(s.showIf?.answers ?? {})) a[qid] = vals[0]!;
  for (const s of t.sections)
    for (const q of s.questions) for (const [qid, vals] of Object.entries(q.showIf?.answers ?? {})) a[qid] ??= vals[0]!;
  return a;
}

describe("form engine", () => {
  it("keeps every page of every template valid and under 28 KB, even full and with errors", () => {
    let largest = { bytes: 0, where: "" };
    for (const t of listFormTemplates()) {
      for (const audience of t.audiences as Audience[]) {
        const opening = openingAnswers(t);
        const pages = formPages(t, opening, audience);
        for (const p of pages) {
          const answers = { ...opening, ...worstAnswers(p) };
          const errors = Object.fromEntries(
            p.questions.map((q) => [q.id, `Please keep this under ${maxLengthOf(q)} characters (you wrote 99999).`]),
          );
          const card = renderFormPage(t, {
            answers,
            page: p.index,
            errors,
            directoryAudience: audience,
            verb: "survey.page",
            actionData: { campaignId: "c" },
            subtitle: "x".repeat(120),
          });
          const bytes = cardSizeBytes(card);
          expect(cardProblems(card), `${t.id} page ${p.index}`).toEqual([]);
          if (bytes > largest.bytes) largest = { bytes, where: `${t.id} page ${p.index + 1}` };
        }
      }
    }
    console.log(`largest form page: ${largest.bytes} bytes (${largest.where})`);
    expect(largest.bytes).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
  });

  it("routes the Health Check by the respondent's own answer: manager questions only for managers", () => {
    const t = loadFormTemplate("health-check");
    const base: Answers = { "role-group": "team-manager", "direct-work": "no" };
    const managerIds = formPages(t, base, undefined).flatMap((p) => p.questions.map((q) => q.id));
    expect(managerIds).toContain("culture-manager-time-oversight");
    expect(managerIds).not.toContain("culture-supervision-regular");
    expect(managerIds).not.toContain("confidence-three-houses");
    const pract = formPages(t, { "role-group": "nqsw", "direct-work": "yes" }, "manager").flatMap((p) => p.questions.map((q) => q.id));
    expect(pract).toContain("culture-supervision-regular");
    expect(pract).toContain("confidence-three-houses");
    expect(pract).not.toContain("culture-manager-time-oversight");
  });

  it("does not present its own culture statements as the Safety Attitudes Questionnaire", () => {
    // Bexley Children's Social Care Quality Assurance Framework, §3.2.1: "Section Two measures
    // organisational culture using the Safety Attitudes Questionnaire". The framework gives no items,
    // so Section Two's statements are Assure's own and must say so; their ids stay stable so results
    // compare year on year.
    const culture = loadFormTemplate("health-check").sections.find((s) => s.id === "organisational-culture")!;
    expect(culture.intro).not.toMatch(/using the Safety Attitudes Questionnaire/);
    expect(culture.intro).toMatch(/Assure’s own/);
    expect(culture.questions.map((q) => q.id).slice(0, 3)).toEqual([
      "culture-challenge",
      "culture-learning-not-blame",
      "culture-report-worries",
    ]);
  });

  it("uses the directory's role when the template has no role question", () => {
    const t = loadFormTemplate("health-check");
    const noRole = { ...t, roleQuestionId: undefined };
    const ids = formPages(noRole, {}, "manager").flatMap((p) => p.questions.map((q) => q.id));
    expect(ids).toContain("culture-manager-supported-risk");
  });

  it("validates with a schema built from the template: required, ranges, options, max length", () => {
    const t = loadFormTemplate("health-check");
    const qs = t.sections.flatMap((s) => s.questions);
    const pick = (...ids: string[]) => qs.filter((q) => ids.includes(q.id));
    const r = validateAnswers(pick("role-group", "confidence-ears", "culture-challenge", "worrying", "working-well"), {
      "role-group": "astronaut",
      "confidence-ears": "11",
      "culture-challenge": "",
      worrying: "x".repeat(2001),
      "working-well": "  fine  ",
    });
    expect(r.errors["role-group"]).toMatch(/one of the options/);
    expect(r.errors["confidence-ears"]).toMatch(/0 to 10/);
    expect(r.errors["culture-challenge"]).toMatch(/needs an answer/);
    expect(r.errors.worrying).toMatch(/under 2000 characters \(you wrote 2001\)/);
    expect(r.answers).toEqual({ "working-well": "fine" });
    const ok = validateAnswers(pick("confidence-ears", "culture-challenge"), { "confidence-ears": "7", "culture-challenge": "Agree" });
    expect(ok).toEqual({ answers: { "confidence-ears": 7, "culture-challenge": "Agree" }, errors: {} });
  });

  it("Next re-shows an invalid page with errors and the typed input; Save keeps the valid part; Back moves back", () => {
    const t = loadFormTemplate("health-check");
    const s0 = stepForm(
      t,
      { answers: {}, page: 0 },
      { page: 0, nav: "next", data: { [inputId("role-group")]: "practitioner", [inputId("direct-work")]: "" } },
    );
    expect(s0.page).toBe(0);
    expect(s0.errors["direct-work"]).toMatch(/needs an answer/);
    expect(s0.state.answers).toEqual({ "role-group": "practitioner" });
    const card = renderFormPage(t, { answers: s0.state.answers, page: s0.page, errors: s0.errors, raw: s0.raw, verb: "v", actionData: {} });
    expect(cardText(card)).toMatch(/1 answer needs attention/);
    expect(cardText(card)).toMatch(/This question needs an answer/);
    const s1 = stepForm(t, s0.state, {
      page: 0,
      nav: "next",
      data: { [inputId("role-group")]: "practitioner", [inputId("direct-work")]: "yes" },
    });
    expect(s1.page).toBe(1);
    const saved = stepForm(t, s1.state, {
      page: 1,
      nav: "save",
      data: { [inputId("confidence-three-houses")]: "6", [inputId("confidence-safety-plan")]: "12" },
    });
    expect(saved.state.answers["confidence-three-houses"]).toBe(6);
    expect(saved.state.answers["confidence-safety-plan"]).toBeUndefined();
    expect(saved.errors["confidence-safety-plan"]).toMatch(/0 to 10/);
    expect(saved.raw["confidence-safety-plan"]).toBe("12");
    const back = stepForm(t, saved.state, { page: 1, nav: "back", data: { [inputId("confidence-three-houses")]: "6" } });
    expect(back.page).toBe(0);
    const first = renderFormPage(t, { answers: back.state.answers, page: 0, verb: "v", actionData: { campaignId: "c" } });
    expect(cardActions(first).map((a) => a.title)).toEqual(["Save and finish later", "Next"]);
    expect(JSON.stringify(first)).toContain('"value":"practitioner"');
  });

  it("Submit returns only the visible questions' answers and refuses an incomplete form at its first gap", () => {
    const t = loadFormTemplate("health-check");
    const pages = formPages(t, { "role-group": "team-manager", "direct-work": "no" }, undefined);
    const last = pages.length - 1;
    const answers: Answers = { "role-group": "team-manager", "direct-work": "no", "confidence-ears": 3 };
    const gap = stepForm(t, { answers, page: last }, { page: last, nav: "submit", data: {} });
    expect(gap.complete).toBeUndefined();
    expect(gap.page).toBe(1);
    for (const p of pages.slice(1, last)) for (const q of p.questions) answers[q.id] = "Agree";
    const done = stepForm(t, { answers, page: last }, { page: last, nav: "submit", data: { [inputId("worrying")]: "caseloads" } });
    expect(done.complete?.worrying).toBe("caseloads");
    expect(done.complete?.["confidence-ears"]).toBeUndefined();
    expect(done.audience).toBe("manager");
  });
});
