// `npm run test:cards`: renders every card template with its sample data (cards/samples) and every
// distinct card the bot sent during the last test run (build/cards/captured, kept by
// test/support/cardGuard.ts) with Microsoft's `adaptivecards` renderer in headless Chromium and the
// Teams light host config, and checks what a person would see (test/support/officialRenderer.ts).
// Writes a PNG of every card kind to build/cards/: sample-<template>[-n].png and e2e-<template>.png
// (the largest card of that kind the tests saw). Exits non-zero on any problem.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { sampleCards } from "../cards/validate";
import { listTemplates, templatesDir } from "../cards/render";
import { renderCards, type CardToRender } from "../test/support/officialRenderer";
import { CAPTURED_DIR } from "../test/support/capturedCards";

const OUT = path.join(import.meta.dirname, "..", "build", "cards");
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith(".png")) rmSync(path.join(OUT, f));
const fileName = (s: string) => s.replace(/[^a-z0-9-]+/gi, "-");

const toRender: CardToRender[] = [];
for (const s of sampleCards()) {
  if (!s.card) {
    console.log(`FAIL sample ${s.name}: ${s.problem}`);
    process.exitCode = 1;
    continue;
  }
  toRender.push({ name: `sample ${s.name}`, card: s.card, png: path.join(OUT, `sample-${fileName(s.name)}.png`) });
}

// Which template a captured card came from: the one whose fixed texts, ids and verbs it has most of.
type Json = Record<string, unknown>;
function fixedStrings(n: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(n)) n.forEach((x) => fixedStrings(x, out));
  else if (n && typeof n === "object")
    for (const [k, v] of Object.entries(n as Json)) {
      if (typeof v === "string" && ["text", "title", "label", "id", "verb"].includes(k) && !v.includes("${")) out.add(`${k}:${v}`);
      else if (typeof v === "object" && k !== "fallback") fixedStrings(v, out);
    }
  return out;
}
const templates = listTemplates().map((name) => ({
  name,
  fixed: fixedStrings(JSON.parse(readFileSync(path.join(templatesDir, `${name}.json`), "utf8"))),
}));
function kindOf(card: unknown): string {
  const have = fixedStrings(card);
  let best = { name: "other", score: 0 };
  for (const t of templates) {
    if (!t.fixed.size) continue;
    const hits = [...t.fixed].filter((s) => have.has(s)).length;
    const score = hits / t.fixed.size + hits / 1000;
    if (score > best.score) best = { name: t.name, score };
  }
  return best.score > 0.3 ? best.name : "message";
}

const captured: { testFile: string; card: unknown }[] = existsSync(CAPTURED_DIR)
  ? readdirSync(CAPTURED_DIR).flatMap((f) =>
      readFileSync(path.join(CAPTURED_DIR, f), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { testFile: string; card: unknown }),
    )
  : [];
const largest = new Map<string, number>();
captured.forEach((c, i) => {
  const kind = kindOf(c.card);
  const j = largest.get(kind);
  if (j === undefined || JSON.stringify(c.card).length > JSON.stringify(captured[j]!.card).length) largest.set(kind, i);
});
const pngOf = new Map([...largest].map(([kind, i]) => [i, path.join(OUT, `e2e-${kind}.png`)]));
captured.forEach((c, i) => toRender.push({ name: `${kindOf(c.card)} card from ${c.testFile}`, card: c.card, png: pngOf.get(i) }));

const started = Date.now();
const results = await renderCards(toRender, { pages: 2 });
let bad = 0;
for (const r of results) {
  if (!r.problems.length) continue;
  bad++;
  console.log(`FAIL ${r.name}`);
  for (const p of r.problems) console.log(`     - ${p}`);
}
const kinds = new Set(captured.map((c) => kindOf(c.card)));
console.log(
  `${results.length} cards rendered (${toRender.length - captured.length} samples, ${captured.length} from the tests, ${kinds.size} kinds) in ${
    Date.now() - started
  } ms, ${bad} with problems; PNGs in ${path.relative(process.cwd(), OUT)}/`,
);
if (!captured.length)
  console.log("No cards captured: run the tests (npm test or npx vitest run test/e2e) first to check the cards they see.");
if (bad) process.exitCode = 1;
