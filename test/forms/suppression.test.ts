// Minimum group size for survey results, with secondary suppression (no hidden group can be
// worked out by subtracting the shown ones from the total).
import { describe, expect, it } from "vitest";
import { suppressGroups } from "../../services/surveys/results";

const hiddenKeys = (groups: { key: string; n: number }[], min: number) =>
  suppressGroups(groups, min)
    .filter((g) => g.suppressed)
    .map((g) => g.key)
    .sort();

describe("suppressGroups", () => {
  it("shows every group of at least the minimum", () => {
    expect(
      hiddenKeys(
        [
          { key: "CP", n: 7 },
          { key: "LC", n: 5 },
        ],
        5,
      ),
    ).toEqual([]);
  });
  it("hides a small group and the next smallest, so it cannot be recovered by subtraction", () => {
    expect(
      hiddenKeys(
        [
          { key: "CP", n: 9 },
          { key: "LC", n: 6 },
          { key: "CIN", n: 2 },
        ],
        5,
      ),
    ).toEqual(["CIN", "LC"]);
  });
  it("needs no second group when the hidden ones already add up to the minimum", () => {
    expect(
      hiddenKeys(
        [
          { key: "CP", n: 9 },
          { key: "AI1", n: 3 },
          { key: "CIN", n: 2 },
        ],
        5,
      ),
    ).toEqual(["AI1", "CIN"]);
  });
  it("follows a configured minimum", () => {
    expect(
      hiddenKeys(
        [
          { key: "CP", n: 9 },
          { key: "LC", n: 9 },
        ],
        10,
      ),
    ).toEqual(["CP", "LC"]);
  });
});
