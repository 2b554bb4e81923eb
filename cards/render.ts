// Adaptive Card templates (schema 1.5) expanded with adaptivecards-templating. Templates use
// Action.Execute; the renderer adds an Action.Submit fallback carrying the verb, so clients without
// Universal Actions still work, and stamps the schema version.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ACData from "adaptivecards-templating";

export const templatesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates");
export const CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
/** Teams refuses messages over ~100 KB; we keep every card far below. */
export const CARD_SIZE_LIMIT_BYTES = 28 * 1024;

export type CardJson = Record<string, unknown> & { type: "AdaptiveCard" };

/** Prepared templates by name: a Template walks its whole payload when built, and expand() leaves it as it was. */
const cache = new Map<string, ACData.Template>();

// adaptivecards-templating parses every "${...}" string with an ANTLR grammar on every expand —
// most of the time of a card action (measured: ~40 ms for the help card on a busy 2-core host).
// Template strings are few and fixed, and parsed expressions are immutable: parse each once.
const Templating = ACData.Template as unknown as { parseInterpolatedString(s: string): unknown };
const parseOnce = Templating.parseInterpolatedString.bind(Templating);
const parsedExpressions = new Map<string, unknown>();
Templating.parseInterpolatedString = (s: string): unknown => {
  let e = parsedExpressions.get(s);
  if (e === undefined) {
    e = parseOnce(s);
    keepText(e);
    if (parsedExpressions.size < 10_000) parsedExpressions.set(s, e);
  }
  return e;
};

/**
 * expand() turns expressions back into text on every use: for each `$when` that is false (a
 * warning nobody reads) and for every data path it looks up (measured: a quarter of the time of
 * expanding the audit page). An expression never changes: its text is computed once.
 */
function keepText(e: unknown): void {
  if (!e || typeof e !== "object" || !Array.isArray((e as { children?: unknown }).children)) return;
  const node = e as { children: unknown[]; toString(): string };
  node.children.forEach(keepText);
  const text = node.toString();
  Object.defineProperty(node, "toString", { value: () => text });
}

export function listTemplates(): string[] {
  return readdirSync(templatesDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

function loadTemplate(name: string): ACData.Template {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad card template name: ${name}`);
  let t = cache.get(name);
  if (!t) {
    t = new ACData.Template(JSON.parse(readFileSync(path.join(templatesDir, `${name}.json`), "utf8")));
    cache.set(name, t);
  }
  return t;
}

/** Adds an Action.Submit fallback to every Action.Execute (recursively). */
function addFallbacks(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(addFallbacks);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (o.type === "Action.Execute" && typeof o.verb === "string" && o.fallback === undefined) {
    const data = (o.data && typeof o.data === "object" ? o.data : {}) as Record<string, unknown>;
    o.data = data;
    o.fallback = { type: "Action.Submit", title: o.title, data: { ...data, verb: o.verb } };
  }
  // A card's `refresh` action is invoked by Teams itself: it takes no Action.Submit fallback.
  for (const [k, v] of Object.entries(o)) if (k !== "refresh") addFallbacks(v);
}

/** Expands a template with data into a card ready to send. */
export function renderCard(name: string, data: Record<string, unknown> = {}): CardJson {
  const card = loadTemplate(name).expand({ $root: data }) as CardJson;
  card.$schema = "http://adaptivecards.io/schemas/adaptive-card.json";
  card.version = "1.5";
  addFallbacks(card);
  return card;
}

export function cardAttachment(card: CardJson) {
  return { contentType: CARD_CONTENT_TYPE, content: card };
}

export function cardSizeBytes(card: CardJson): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}
