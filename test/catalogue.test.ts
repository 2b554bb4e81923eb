import { describe, expect, it } from "vitest";
import {
  bandForGrade,
  bandById,
  compareBands,
  getGradeScale,
  isInadequateBand,
  loadAuditTool,
  loadEscalationConfig,
  loadGradeScales,
  loadSupervisionRules,
} from "../services/catalogue/index";
import { permissionMatrix } from "../services/permissions";
import { allQuestions, formTemplateSchema, listFormTemplates, loadFormTemplate, optionValue } from "../services/forms/templateSchema";

const TEMPLATE_IDS = [
  "audit-feedback",
  "audit-self-assessment",
  "health-check",
  "induction-3-month",
  "managers-standards",
  "parent-carer-survey",
];

describe("catalogue and permissions agree", () => {
  it("lets exactly the roles the escalation procedures name raise an escalation (managers included, as the practitioner procedure says)", () => {
    const raisers = new Set(loadEscalationConfig().types.flatMap((t) => t.raiserRoles));
    expect(raisers).toContain("TEAM_MANAGER");
    expect(new Set(permissionMatrix["escalation.raise"])).toEqual(raisers);
  });
});

describe("catalogue files validate", () => {
  it("loads every catalogue file", () => {
    expect(loadAuditTool().id).toBe("collaborative-case-audit");
    expect(loadGradeScales().scales.length).toBeGreaterThanOrEqual(3);
    expect(loadEscalationConfig().types.length).toBeGreaterThanOrEqual(4);
    expect(loadSupervisionRules().rules.length).toBeGreaterThanOrEqual(4);
  });

  it("loads every form template", () => {
    const ids = listFormTemplates().map((t) => t.id);
    expect(ids).toEqual(TEMPLATE_IDS);
    for (const id of TEMPLATE_IDS) expect(loadFormTemplate(id).version).toBeGreaterThanOrEqual(1);
  });
});

describe("audit tool", () => {
  const tool = loadAuditTool();

  it("has exactly 19 areas numbered 1..19", () => {
    expect(tool.areas.map((a) => a.number)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it("areas 6–18 are collaborative; 1–5 and 19 auditor only", () => {
    for (const a of tool.areas) {
      const collaborative = a.number >= 6 && a.number <= 18;
      expect(a.collaborative, `area ${a.number}`).toBe(collaborative);
      expect(a.auditorOnly, `area ${a.number}`).toBe(!collaborative);
      if (collaborative) expect(a.suggestedScalingQuestion, `area ${a.number}`).toBeTruthy();
      else expect(a.suggestedScalingQuestion, `area ${a.number}`).toBeUndefined();
    }
  });

  it("keeps the source titles free of page furniture", () => {
    for (const a of tool.areas) {
      expect(a.title).not.toMatch(/©|Bexley|Collaborative Scale|Signs of Impact/);
      expect(a.suggestedScalingQuestion ?? "").not.toMatch(/What worked well|Auditor Rationale/);
    }
  });

  it("has 9 family statements and the child, family and network questions", () => {
    expect(tool.feedback.family.statements).toHaveLength(9);
    expect(tool.feedback.family.statements.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tool.feedback.child.questions).toHaveLength(8);
    expect(tool.feedback.network.questions).toHaveLength(3);
  });

  it("has two self-assessment scaling questions with anchors and two reflections each", () => {
    const [a, b] = tool.selfAssessment.questions;
    expect(a?.anchors).toEqual({ "0": "no difference", "10": "significant difference" });
    expect(b?.anchors).toEqual({ "0": "never", "10": "always use" });
    for (const q of tool.selfAssessment.questions) expect(q.reflection).toHaveLength(2);
  });

  it("follows up after 5 working days and asks for who / what / when", () => {
    expect(tool.outcome.followUp.workingDays).toBe(5);
    expect(tool.outcome.actions.columns.map((c) => c.id).sort()).toEqual(["what", "when", "who"]);
  });
});

describe("grade scales", () => {
  it("defaults to collaborative-0-6 with the source bands", () => {
    const s = getGradeScale();
    expect(s.id).toBe("collaborative-0-6");
    expect(bandForGrade(s, 0)?.id).toBe("inadequate");
    expect(bandForGrade(s, 2)?.id).toBe("inadequate");
    expect(bandForGrade(s, 3)?.id).toBe("requires-improvement");
    expect(bandForGrade(s, 5)?.id).toBe("requires-improvement");
    expect(bandForGrade(s, 6)?.id).toBe("good");
    expect(bandForGrade(s, 6, "outstanding")?.id).toBe("outstanding");
    expect(bandForGrade(s, 5, "outstanding")?.id).toBe("requires-improvement");
    expect(isInadequateBand(s, "inadequate")).toBe(true);
  });

  it("has the half step of the 2017 “Audit at a glance” reports and ranks moves", () => {
    const s = getGradeScale("notyet-good-outstanding");
    expect(s.bands.map((b) => b.value)).toEqual([1, 1.5, 2, 3]);
    expect(bandForGrade(s, 1.5)?.id).toBe("nearly-good");
    const good = bandById(s, "good")!;
    const notYet = bandById(s, "not-yet-good")!;
    expect(compareBands(good, notYet)).toBeLessThan(0);
    expect(s.inadequateBandIds).toEqual([]);
  });

  it("has good-or-better / less-than-good", () => {
    const s = getGradeScale("good-or-better");
    expect(s.bands.map((b) => [b.id, b.isGood])).toEqual([
      ["less-than-good", false],
      ["good-or-better", true],
    ]);
  });
});

describe("escalation and supervision", () => {
  it("has the default stages and Cafcass only for IROs", () => {
    const c = loadEscalationConfig();
    expect(c.defaultStages.map((s) => s.deadlineWorkingDays)).toEqual([5, 5, 5, 8]);
    const byId = Object.fromEntries(c.types.map((t) => [t.id, t]));
    expect(Object.keys(byId).sort()).toEqual(["cp-chair", "fostering-iro", "iro-cla", "practitioner"]);
    expect(byId["iro-cla"]?.cafcass.available).toBe(true);
    expect(byId["cp-chair"]?.cafcass.available).toBe(false);
    expect(byId["fostering-iro"]?.cafcass.available).toBe(false);
  });

  it("has the four supervision rules", () => {
    const r = loadSupervisionRules();
    const byId = Object.fromEntries(r.rules.map((x) => [x.id, x]));
    expect(byId["case-holding"]?.phases.map((p) => p.maxIntervalDays)).toEqual([7, 14, 28]);
    expect(byId["non-case-holding"]?.phases.map((p) => p.maxIntervalDays)).toEqual([28]);
    expect(byId["nqsw"]?.phases.map((p) => p.maxIntervalDays)).toEqual([7, 14, 28]);
    expect(byId["group"]?.intervalDays).toEqual({ min: 14, max: 28 });
  });
});

describe("form templates", () => {
  it("every template has unique question ids", () => {
    for (const t of listFormTemplates()) {
      const ids = allQuestions(t).map((x) => x.question.id);
      expect(new Set(ids).size, t.id).toBe(ids.length);
    }
  });

  it("the schema rejects a duplicate question id", () => {
    const t = structuredClone(loadFormTemplate("induction-3-month"));
    const first = t.sections[0]!.questions[0]!;
    t.sections[1]!.questions.push({ ...first });
    expect(formTemplateSchema.safeParse(t).success).toBe(false);
  });

  it("health check has the 3 sections after the role question, routed by role and direct work", () => {
    const t = loadFormTemplate("health-check");
    expect(t.anonymous).toBe(true);
    expect(t.sections.map((s) => s.id)).toEqual(["about-you", "sos-confidence", "organisational-culture", "open-questions"]);
    expect(t.sections[0]!.questions[0]!.id).toBe("role-group");
    expect(t.roleQuestionId).toBe("role-group");
    expect(t.sections[1]!.showIf).toEqual({ answers: { "direct-work": ["yes"] } });
    expect(t.sections[3]!.questions.map((q) => q.text)).toEqual(["What’s worrying you?", "What’s working well?", "What needs to change?"]);
  });

  it("audit forms use the audit tool wording", () => {
    const tool = loadAuditTool();
    const self = allQuestions(loadFormTemplate("audit-self-assessment")).map((x) => x.question.text);
    for (const q of tool.selfAssessment.questions) {
      expect(self).toContain(q.text);
      for (const r of q.reflection) expect(self).toContain(r);
    }
    const fb = allQuestions(loadFormTemplate("audit-feedback")).map((x) => x.question.text);
    const survey = allQuestions(loadFormTemplate("parent-carer-survey")).map((x) => x.question.text);
    for (const s of tool.feedback.family.statements) {
      expect(fb).toContain(s.text);
      expect(survey).toContain(s.text);
    }
  });

  it("parent/carer survey rates the 9 statements strongly agree → strongly disagree", () => {
    const t = loadFormTemplate("parent-carer-survey");
    const statements = t.sections.find((s) => s.id === "statements")!.questions;
    expect(statements).toHaveLength(9);
    for (const q of statements) {
      expect(q.type).toBe("likert5");
      const values = (q.options ?? []).map(optionValue);
      expect(values[0]).toBe("Strongly agree");
      expect(values[4]).toBe("Strongly disagree");
    }
  });

  it("managers standards has the 9 domains", () => {
    expect(loadFormTemplate("managers-standards").sections).toHaveLength(9);
  });

  it("asks no child’s name anywhere", () => {
    for (const t of listFormTemplates()) {
      for (const { question } of allQuestions(t)) expect(question.text).not.toMatch(/name of (the )?child/i);
    }
  });
});
