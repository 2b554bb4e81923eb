// Compiled template expressions (cards/expressions.ts) give every card exactly what
// adaptivecards-templating's own evaluation gives: every template with its samples, with hostile
// text, with fields missing (shown as "${path}" or dropped by $when), with keys in other case, and
// with values of other types.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as ACData from "adaptivecards-templating";
import { describe, expect, it } from "vitest";
import { evaluateByLibrary, evaluateCompiled } from "../../cards/expressions";
import { listTemplates, renderCard } from "../../cards/render";
import { samplesDir } from "../../cards/validate";
import { markdownCorpus } from "../security/corpus";

type Engine = { internalTryEvaluateExpression: typeof evaluateCompiled };
const engine = ACData.Template as unknown as Engine;

function samples(name: string): Record<string, unknown>[] {
  const raw = JSON.parse(readFileSync(path.join(samplesDir, `${name}.json`), "utf8")) as
    Record<string, unknown> | Record<string, unknown>[];
  return Array.isArray(raw) ? raw : [raw];
}

/** A copy of `v` with `f` applied to every object (after its children). */
function mapObjects(v: unknown, f: (o: Record<string, unknown>, depth: number) => Record<string, unknown>, depth = 0): unknown {
  if (Array.isArray(v)) return v.map((x) => mapObjects(x, f, depth + 1));
  if (!v || typeof v !== "object") return v;
  return f(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapObjects(x, f, depth + 1)])), depth);
}

const hostile: readonly string[] = markdownCorpus;
const variants: [string, (s: Record<string, unknown>) => unknown][] = [
  ["as is", (s) => s],
  [
    "hostile text",
    (s) => JSON.parse(JSON.stringify(s), (_k, v: unknown) => (typeof v === "string" ? `${hostile[v.length % hostile.length]}${v}` : v)),
  ],
  ["every other field missing", (s) => mapObjects(s, (o, d) => Object.fromEntries(Object.entries(o).filter((_, i) => (i + d) % 2 === 1)))],
  ["keys in upper case", (s) => mapObjects(s, (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toUpperCase(), v])))],
  [
    "other types",
    (s) =>
      JSON.parse(JSON.stringify(s), (_k, v: unknown) =>
        typeof v === "boolean" ? (v ? 1 : "") : typeof v === "number" ? String(v) : v === "" ? null : v,
      ),
  ],
];

function render(name: string, data: unknown, evaluate: typeof evaluateCompiled): unknown {
  engine.internalTryEvaluateExpression = evaluate;
  try {
    return renderCard(name, data as never);
  } catch (err) {
    return { threw: (err as Error).message };
  } finally {
    engine.internalTryEvaluateExpression = evaluateCompiled;
  }
}

describe("compiled template expressions", () => {
  it("are what the templating library makes of every template, whatever the data", () => {
    let compared = 0;
    for (const name of listTemplates())
      for (const sample of samples(name))
        for (const [variant, change] of variants) {
          const data = change(sample);
          expect(render(name, data, evaluateCompiled), `${name}, ${variant}`).toEqual(render(name, data, evaluateByLibrary));
          compared++;
        }
    expect(compared).toBeGreaterThan(300);
  });
});
