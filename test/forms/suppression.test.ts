// Minimum group size for survey results, with secondary suppression (no hidden group can be
// worked out by subtracting the shown ones from the total).
import { describe, expect, it } from "vitest";
import { suppressGroups } from "../../services/surveys/results";

/** The groups a table hides, given each group's size as "key=n" (sorted by key). */
const hiddenKeys = (groups: string, min: number) =>
  suppressGroups(
    groups.split(" ").map((g) => ({ key: g.split("=")[0]!, n: Number(g.split("=")[1]) })),
    min,
  )
    .filter((g) => g.suppressed)
    .map((g) => g.key)
    .sort();

describe("suppressGroups", () => {
  it.each([
    ["shows every group of at least the minimum", "CP=7 LC=5", 5, []],
    ["hides a small group and the next smallest, so it cannot be recovered by subtraction", "CP=9 LC=6 CIN=2", 5, ["CIN", "LC"]],
    ["needs no second group when the hidden ones already add up to the minimum", "CP=9 AI1=3 CIN=2", 5, ["AI1", "CIN"]],
    ["follows a configured minimum", "CP=9 LC=9", 10, ["CP", "LC"]],
  ])("%s", (_, groups: string, min: number, hidden: string[]) => {
    expect(hiddenKeys(groups, min)).toEqual(hidden);
  });
});
