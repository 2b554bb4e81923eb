import { describe, expect, it } from "vitest";
import { countOf } from "../services/words";

describe("counts on cards", () => {
  it("reads as English: 1 family, 2 families, 1 open action, never “action(s)”", () => {
    expect(countOf(1, "family", "families")).toBe("1 family");
    expect(countOf(2, "family", "families")).toBe("2 families");
    expect(countOf(1, "open action")).toBe("1 open action");
    expect(countOf(0, "action")).toBe("0 actions");
  });
});
