// Compiled templates (cards/compiledTemplate.ts) and their compiled expressions (cards/expressions.ts)
// give every card exactly what adaptivecards-templating's own expand and evaluation give: every
// template with its samples, with hostile text, with fields missing (shown as "${path}" or dropped
// by $when), with keys in other case, and with values of other types.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as ACData from "adaptivecards-templating";
import { describe, expect, it } from "vitest";
import { evaluateByLibrary, evaluateCompiled } from "../../cards/expressions";
import { expandCard, listTemplates } from "../../cards/render";
import { compileTemplate } from "../../cards/compiledTemplate";
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

/** The card as JSON (what is sent: undefined values and their keys are not), or the error's message. */
function render(name: string, data: unknown, expand: "compiled" | "library", evaluate: typeof evaluateCompiled): string {
  engine.internalTryEvaluateExpression = evaluate;
  try {
    return JSON.stringify(expandCard(name, data, expand));
  } catch (err) {
    return `threw: ${(err as Error).message}`;
  } finally {
    engine.internalTryEvaluateExpression = evaluateCompiled;
  }
}

function compareWithLibrary(expand: "compiled" | "library", evaluate: typeof evaluateCompiled): number {
  let compared = 0;
  for (const name of listTemplates())
    for (const sample of samples(name))
      for (const [variant, change] of variants) {
        const data = change(sample);
        expect(render(name, data, expand, evaluate), `${name}, ${variant}`).toBe(render(name, data, "library", evaluateByLibrary));
        compared++;
      }
  return compared;
}

describe("compiled templates", () => {
  it("compiled expressions are what the templating library makes of every template, whatever the data", () => {
    expect(compareWithLibrary("library", evaluateCompiled)).toBeGreaterThan(300);
  });

  it("compiled templates, with compiled expressions, are what the library's expand makes of them", () => {
    expect(compareWithLibrary("compiled", evaluateCompiled)).toBeGreaterThan(300);
  });
});

describe("a compiled template follows the library's rules where no card template goes yet", () => {
  // $when on values that are not booleans, a literal $when, $data bound to nothing, to a literal,
  // to an empty list and to nested lists with $index, an expression giving a list inside a list,
  // and a missing value inside a list.
  const payload = {
    type: "AdaptiveCard",
    body: [
      { type: "TextBlock", $when: "${flag}", text: "flag" },
      { type: "TextBlock", $when: "always", text: "literal when" },
      { type: "TextBlock", $when: "", text: "empty when" },
      { type: "TextBlock", $data: "${missing}", text: "${name}" },
      { type: "TextBlock", $data: { name: "literal" }, text: "${name}" },
      { type: "TextBlock", $data: "${empty}", text: "never" },
      {
        type: "Container",
        $data: "${rows}",
        items: [{ type: "TextBlock", $data: "${cells}", text: "${$index}: ${v} of ${$root.title}", $when: "${v != 'skip'}" }],
        id: "${name}-${$index}",
      },
      "${list}",
      "${nothing}",
    ],
    after: "${title}",
  };
  const data: unknown[] = [
    {
      flag: true,
      title: "T",
      rows: [
        { name: "a", cells: [{ v: 1 }, { v: "skip" }, { v: 3 }] },
        { name: "b", cells: [] },
      ],
      list: [1, 2],
      empty: [],
    },
    { flag: 1, title: null, rows: [], list: "x" },
    { flag: "true", rows: { name: "single", cells: { v: "one" } } },
    {},
  ];
  it.each(data.map((d, i) => [i, d]))("data %i", (_i, d) => {
    const template = new ACData.Template(payload);
    const prepared = (template as unknown as { _preparedPayload: unknown })._preparedPayload;
    const compiled = compileTemplate(template, prepared);
    expect(JSON.stringify(compiled(d))).toBe(JSON.stringify(template.expand({ $root: d })));
  });
});

describe("a compiled template decorates the card as it builds it, as a walk after the library's expand does", () => {
  // What cards/render.ts adds (fallbacks, placeholders) goes on every object the template makes and
  // every object data puts in, and on nothing under a skipped key (a card's `refresh`).
  const mark = (o: Record<string, unknown>) => {
    if (o.type === "A") o.marked = true;
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    mark(v as Record<string, unknown>);
    for (const [k, x] of Object.entries(v)) if (k !== "refresh") walk(x);
  };
  const payload = {
    type: "A",
    refresh: { type: "A", action: { type: "A" } },
    body: [
      { type: "A", $data: "${rows}", text: "${name}" },
      { type: "B", items: "${items}" },
    ],
    actions: "${actions}",
  };
  it("on template objects, data objects and lists, and not under refresh", () => {
    const data = () => ({
      rows: [{ name: "one" }, { name: "two" }],
      items: [
        { type: "A", refresh: { type: "A" } },
        { type: "B", inner: { type: "A" } },
      ],
      actions: { type: "A", data: { nested: { type: "A" } } },
    });
    const template = new ACData.Template(payload);
    const prepared = (template as unknown as { _preparedPayload: unknown })._preparedPayload;
    const compiled = compileTemplate(template, prepared, { object: mark, value: walk, skip: (k) => k === "refresh" });
    const byLibrary = template.expand({ $root: data() });
    walk(byLibrary);
    const card = compiled(data());
    expect(JSON.stringify(card)).toBe(JSON.stringify(byLibrary));
    expect(JSON.stringify(card)).toContain('"items":[{"type":"A","refresh":{"type":"A"},"marked":true}');
  });
});
