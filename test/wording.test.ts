// What the cards say about the authority's own systems, and what an empty dropdown shows.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadConfig } from "../services/config";
import { selfAssessmentCardData } from "../services/audit/selfAssessment";
import { renderCard } from "../cards/render";

const sa = (caseRecordSystem: string) =>
  selfAssessmentCardData({ caseRecordSystem, auditId: "a", caseRef: "LL1", dueDate: "2026-12-31", answers: {}, status: "pending" });

describe("the case record system's name is the authority's own setting", () => {
  it("is neutral by default: the self-assessment says where to complete the audit form without naming a product", () => {
    const text = String(sa(loadConfig({}).CASE_RECORD_SYSTEM).description);
    expect(text).toContain("at the start of the audit form in the case record system and provide these");
    expect(text).not.toMatch(/LiquidLogic/);
  });

  it("names the system the authority configured", () => {
    const config = loadConfig({ CASE_RECORD_SYSTEM: "Mosaic" });
    expect(String(sa(config.CASE_RECORD_SYSTEM).description)).toContain("at the start of the audit form in Mosaic and");
  });
});

describe("dropdowns", () => {
  it("show a placeholder while nothing is chosen, instead of an empty box", () => {
    const data = (JSON.parse(readFileSync("cards/samples/audit-self-assessment.json", "utf8")) as Record<string, unknown>[])[0]!;
    const card = renderCard("audit-self-assessment", data);
    const dropdowns: Record<string, unknown>[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== "object") return;
      const o = n as Record<string, unknown>;
      if (o.type === "Input.ChoiceSet" && o.style !== "expanded") dropdowns.push(o);
      Object.values(o).forEach(walk);
    };
    walk(card);
    expect(dropdowns.length).toBeGreaterThan(0);
    for (const d of dropdowns) expect(d.placeholder).toBe("Choose…");
  });
});
