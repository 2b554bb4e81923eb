// Sealed survey answers: every answer set of a form seals to the same number of bytes, whatever was
// typed (so a held row's size says nothing about its answers), and opens again with the key only.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadFormTemplate } from "../../services/forms/templateSchema";
import { maxLengthOf } from "../../services/forms/engine";
import { seal, sealedSize, unseal } from "../../services/surveys/seal";

const key = randomBytes(32);
const template = loadFormTemplate("health-check");
const size = sealedSize(template);
const longest = (ch: string) =>
  Object.fromEntries(
    template.sections
      .flatMap((s) => s.questions)
      .map((q) => [q.id, q.type === "text" || q.type === "longtext" ? ch.repeat(maxLengthOf(q)) : "strongly-disagree"]),
  );

describe("seal", () => {
  it("pads every answer set of a form to one size, from nothing typed to every box full", () => {
    const sizes = [{}, { worrying: "a" }, longest("\u20ac"), longest('"'), longest("\n"), longest("\u0001")].map(
      (answers) => seal(key, size, { answers, teamId: "CP", stated: "practitioner", directory: "practitioner" }).length,
    );
    expect(new Set(sizes).size).toBe(1);
  });

  it("opens with the key it was sealed with, and not with another", () => {
    const sealed = seal(key, size, { answers: { worrying: "Workload" }, teamId: null, stated: null, directory: null });
    expect(unseal(key, sealed).answers).toEqual({ worrying: "Workload" });
    expect(() => unseal(randomBytes(32), sealed)).toThrow();
    expect(Buffer.from(sealed).toString("latin1")).not.toMatch(/Workload/);
  });
});
