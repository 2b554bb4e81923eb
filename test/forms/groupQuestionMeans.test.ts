// Survey results by team: "no figure from fewer than MIN_GROUP_SIZE people on any surface", for each
// question as for the whole survey. A team whose answers to one question are too few must not be
// recoverable from the overall mean of that question and the other teams' means of it.
import { describe, expect, it } from "vitest";
import { loadFormTemplate } from "../../services/forms/templateSchema";
import { groupQuestionMeans } from "../../services/surveys/results";
import type { Answers } from "../../services/forms/engine";

const template = loadFormTemplate("health-check");
const scale = template.sections.flatMap((s) => s.questions).filter((q) => q.type === "scale0to10");
const [q1, q2] = [scale[0]!.id, scale[1]!.id];

/** `n` people answering q2 with `v`, and q1 only for the first `q1Answers` of them. */
const team = (key: string, n: number, v: number, q1Answers = n) => ({
  key,
  suppressed: false,
  as: Array.from({ length: n }, (_, i): Answers => ({ [q2]: v, ...(i < q1Answers ? { [q1]: v } : {}) })),
});

describe("survey means by team, question by question", () => {
  it("hides a team's mean for a question too few of them answered, and the next smallest team's with it", () => {
    // CIN: 6 people, only 2 answered q1. Shown alone, CP's and LC's q1 means with the overall q1
    // mean would give away what those 2 answered.
    const means = groupQuestionMeans(template, [team("CP", 9, 7), team("LC", 6, 4), team("CIN", 6, 1, 2)], 5);
    expect(means.get("CIN")![q1]).toBeNull();
    expect(means.get("LC")![q1]).toBeNull();
    expect(means.get("CP")![q1]).toBe(7);
    // Every team answered q2 in full: all three are shown.
    expect([means.get("CP")![q2], means.get("LC")![q2], means.get("CIN")![q2]]).toEqual([7, 4, 1]);
  });

  it("counts a team hidden as a whole among the hidden, so no second team is hidden needlessly", () => {
    const hidden = { ...team("AI1", 7, 2, 7), suppressed: true };
    const means = groupQuestionMeans(template, [team("CP", 9, 7), team("LC", 6, 4), hidden], 5);
    expect(means.has("AI1")).toBe(false);
    expect(means.get("LC")![q1]).toBe(4);
    expect(means.get("CP")![q1]).toBe(7);
  });
});
