// What the cards say about the authority's own systems, and what an empty dropdown shows.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadConfig } from "../services/config";
import { selfAssessmentCardData } from "../services/audit/selfAssessment";
import { renderCard } from "../cards/render";
import { actionCardData } from "../services/audit/actions";
import { fmtDateTime } from "../services/viewerCards";

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

describe("dates on cards", () => {
  it("never break mid-value: a due date-time is one unbreakable run in the local time zone", () => {
    const due = new Date("2026-12-08T09:01:00Z");
    const card = actionCardData(
      { id: "x", description: "Update the chronology", dueAt: due, immediate: true, status: "open", doneNote: null, doneAt: null },
      "LL1",
      "Europe/London",
    );
    expect(card.due).toBe("8\u00a0Dec,\u00a009:01");
    expect(card.due).not.toMatch(/\s(?<!\u00a0)/u);
    // British Summer Time: the wall-clock time, not UTC
    expect(fmtDateTime(new Date("2026-07-08T09:01:00Z"), "Europe/London")).toBe("8\u00a0Jul,\u00a010:01");
  });
});
