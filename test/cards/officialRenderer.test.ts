// Every card template with its sample data, as Teams shows it: Microsoft's adaptivecards renderer in
// headless Chromium with the Teams light host config (test/support/officialRenderer.ts). A FactSet
// value that is a number, an Input.Number value that is a string, a blank optional number box with
// min/max (which blocks every button), "NaN" or a raw id on the card: each fails here.
// `npm run test:cards` does the same for every card the e2e tests saw and writes PNGs.
import { describe, expect, it } from "vitest";
import { sampleCards } from "../../cards/validate";
import { renderCards } from "../support/officialRenderer";

/** Tallest page of a paged form (moderation) in the 560 px card; its last page with 8 audit actions is ~1,600 px. */
const MAX_FORM_PAGE_PX = 1800;

describe("cards in Microsoft's renderer with Teams' host config", () => {
  it("every template with its sample data shows every value and blocks no button", async () => {
    const samples = sampleCards();
    expect(samples.filter((s) => !s.card)).toEqual([]);
    const results = await renderCards(samples.map((s) => ({ name: s.name, card: s.card })));
    expect(results.filter((r) => r.problems.length).map((r) => `${r.name}: ${r.problems.join("; ")}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(60);
    // A paged form stays short enough to read without scrolling a long way (the moderator's form was ~3,100 px).
    const tall = results.filter((r) => r.name.startsWith("moderation") && r.heightPx > MAX_FORM_PAGE_PX);
    expect(tall.map((r) => `${r.name}: ${r.heightPx} px`)).toEqual([]);
    // The trends report's 19 area titles wrap across the card, not in a FactSet's narrow title column (~1,440 px, cut with "…").
    const trends = results.filter((r) => r.name.startsWith("report-trends"));
    expect(trends.length).toBeGreaterThan(0);
    expect(trends.filter((r) => r.heightPx > 1000).map((r) => `${r.name}: ${r.heightPx} px`)).toEqual([]);
  });
});
