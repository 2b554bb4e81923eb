// Adaptive Card templates (schema 1.5) expanded with adaptivecards-templating. Templates use
// Action.Execute; the renderer adds an Action.Submit fallback carrying the verb, so clients without
// Universal Actions still work, and stamps the schema version.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ACData from "adaptivecards-templating";
import { escapeMarkdown, unescapeMarkdown } from "./markdown";
import { compile, setCompiled, type Compiled, type Evaluated } from "./expressions";
import { compileTemplate, type Decorate } from "./compiledTemplate";
import type { ZodType } from "zod";
import { cardDataSchemas, type CardData } from "./schemas/cardData";

export const templatesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates");
export const CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
/** Teams refuses messages over ~100 KB; we keep every card far below. */
export const CARD_SIZE_LIMIT_BYTES = 28 * 1024;

export type CardJson = Record<string, unknown> & { type: "AdaptiveCard" };

/** Prepared templates by name: a Template walks its whole payload when built, and expand() leaves it as it was. */
const cache = new Map<string, { template: ACData.Template; expand: (root: unknown) => unknown }>();

// adaptivecards-templating parses every "${...}" string with an ANTLR grammar on every expand —
// most of the time of a card action (docs/load.md).
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
 * warning nobody reads) and for every data path it looks up. An expression never changes: its
 * text is computed once.
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

function loadTemplate(name: string): { template: ACData.Template; expand: (root: unknown) => unknown } {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad card template name: ${name}`);
  let t = cache.get(name);
  if (!t) {
    const template = new ACData.Template(JSON.parse(readFileSync(path.join(templatesDir, `${name}.json`), "utf8")));
    const prepared = (template as unknown as { _preparedPayload: unknown })._preparedPayload;
    escapeDataInMarkdown(prepared);
    t = { template, expand: compileTemplate(template, prepared, fallbacksWhileExpanding) };
    cache.set(name, t);
  }
  return t;
}

// Text from data is never markdown. Teams renders markdown in TextBlock.text, Fact.title/value
// and (in the reference renderer) checkbox and radio labels; a template's own literal text there is
// trusted markdown, and every value an expression puts there (names, concerns, comments: text
// typed by users) is escaped so it shows literally. Done once per template, on its parsed
// expressions: no template needs to remember it, and a new template gets it too.

/** An expression as adaptivecards-templating evaluates it (adaptive-expressions' Expression). */
interface Expr {
  type: string;
  children: Expr[];
  toString(): string;
  tryEvaluate(memory: unknown, options: unknown): { value: unknown; error?: unknown };
}
const isExpr = (v: unknown): v is Expr => !!v && typeof v === "object" && typeof (v as Expr).tryEvaluate === "function";

const escapeValue = (v: unknown): unknown => (typeof v === "string" ? escapeMarkdown(v) : v);
/**
 * Escapes the named keys of facts or choices bound as a whole array ("facts": "${facts}"): a fact's
 * title and value, a radio or checkbox label (its title); never a choice's value, which is what is
 * submitted and must reach the service as it was.
 */
const escapeItems =
  (keys: readonly string[]) =>
  (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map((i: unknown) =>
          i && typeof i === "object" && !Array.isArray(i)
            ? Object.fromEntries(Object.entries(i).map(([k, x]) => [k, keys.includes(k) ? escapeValue(x) : x]))
            : i,
        )
      : v;

/**
 * The expression, evaluated with its data escaped. The templating engine evaluates an
 * interpolated string ("By ${who}, ${when}") child by child, itself, only when the root is a
 * concat: this wrapper is another type, so it does the same, escaping the non-constant parts.
 */
function escaping(e: Expr, escape: (v: unknown) => unknown): Expr {
  const tryEvaluate = (memory: unknown, options: unknown) => {
    if (e.type !== "concat") {
      const r = e.tryEvaluate(memory, options);
      return r.error ? r : { value: escape(r.value) };
    }
    let out = "";
    for (const child of e.children) {
      let r: { value: unknown; error?: unknown };
      try {
        r = child.tryEvaluate(memory, options);
      } catch (error) {
        r = { value: undefined, error };
      }
      const text = r.error ? `\${${child.toString()}}` : String(r.value);
      out += child.type === "Constant" ? text : escapeMarkdown(text);
    }
    return { value: out };
  };
  // Still an Expression to the engine (prototype chain), evaluated through tryEvaluate.
  const wrapper = Object.create(e, { type: { value: "assure.escapeMarkdown" }, tryEvaluate: { value: tryEvaluate } }) as Expr;
  setCompiled(wrapper, compiledEscaping(e, escape));
  return wrapper;
}

/** The same as `escaping`'s tryEvaluate, on compiled expressions (cards/expressions.ts), when e compiles. */
function compiledEscaping(e: Expr, escape: (v: unknown) => unknown): Compiled | null {
  const asCompiled = (x: Expr) => compile(x as unknown as Parameters<typeof compile>[0]);
  if (e.type !== "concat") {
    const inner = asCompiled(e);
    return (
      inner &&
      ((scope, substitute) => {
        const r = inner(scope, substitute);
        return r.error ? r : { value: escape(r.value) };
      })
    );
  }
  const parts = e.children.map(asCompiled);
  if (parts.some((p) => !p)) return null;
  return (scope, substitute) => {
    let out = "";
    parts.forEach((part, i) => {
      const child = e.children[i]!;
      let r: Evaluated;
      try {
        r = part!(scope, substitute);
      } catch (error) {
        r = { value: undefined, error };
      }
      const text = r.error ? `\${${child.toString()}}` : String(r.value);
      out += child.type === "Constant" ? text : escapeMarkdown(text);
    });
    return { value: out };
  };
}

function escapeDataInMarkdown(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(escapeDataInMarkdown);
    return;
  }
  if (!node || typeof node !== "object" || isExpr(node)) return;
  const o = node as Record<string, unknown>;
  const wrap = (key: string, escape: (v: unknown) => unknown) => {
    if (isExpr(o[key])) o[key] = escaping(o[key], escape);
  };
  if (o.type === "TextBlock") wrap("text", escapeValue);
  if (o.type === "Input.Toggle") wrap("title", escapeValue);
  // A dropdown shows its titles literally: escaping them would show the backslashes ("Safeguarding
  // \& risk"). Radio buttons and checkboxes (expanded) render their labels as markdown: those are
  // escaped. A style set by an expression is known only once expanded: its titles are escaped, and
  // addFallbacks shows them literally again if it turns out a dropdown.
  const markdownChoices = o.type === "Input.ChoiceSet" && !isDropdown(o);
  if (markdownChoices && isExpr(o.style)) o[ESCAPED_UNTIL_EXPANDED] = true;
  const items = o.type === "FactSet" ? "facts" : markdownChoices ? "choices" : undefined;
  if (items) {
    wrap(items, escapeItems(items === "facts" ? ["title", "value"] : ["title"]));
    if (Array.isArray(o[items]))
      for (const item of o[items] as unknown[]) {
        if (!item || typeof item !== "object" || isExpr(item)) continue;
        const i = item as Record<string, unknown>;
        if (isExpr(i.title)) i.title = escaping(i.title, escapeValue);
        if (items === "facts" && isExpr(i.value)) i.value = escaping(i.value, escapeValue);
      }
  }
  for (const v of Object.values(o)) escapeDataInMarkdown(v);
}

/** Marks a choice set whose style is an expression: its titles were escaped, in case it renders as radios or checkboxes. */
const ESCAPED_UNTIL_EXPANDED = "assure:titlesEscaped";

/**
 * A dropdown (style compact, the default, or filtered; one choice or several) shows its titles
 * literally in Teams: they are not escaped. Radio buttons and checkboxes (expanded) are markdown.
 */
const isDropdown = (o: Record<string, unknown>): boolean => o.style === undefined || o.style === "compact" || o.style === "filtered";

/**
 * An Action.Submit fallback for an Action.Execute, a placeholder for a dropdown that has none (a
 * dropdown with no value otherwise shows an empty box), and a dropdown's titles shown as written
 * once its style is known.
 */
function addFallback(o: Record<string, unknown>): void {
  if (o.type === "Action.Execute" && typeof o.verb === "string" && o.fallback === undefined) {
    const data = (o.data && typeof o.data === "object" ? o.data : {}) as Record<string, unknown>;
    o.data = data;
    o.fallback = { type: "Action.Submit", title: o.title, data: { ...data, verb: o.verb } };
  }
  if (o[ESCAPED_UNTIL_EXPANDED]) {
    delete o[ESCAPED_UNTIL_EXPANDED];
    if (isDropdown(o) && Array.isArray(o.choices))
      for (const c of o.choices as Record<string, unknown>[]) if (typeof c?.title === "string") c.title = unescapeMarkdown(c.title);
  }
  if (o.type === "Input.ChoiceSet" && o.style !== "expanded" && !o.isMultiSelect && o.placeholder === undefined) o.placeholder = "Choose…";
}

/** addFallback on every object of a card (recursively). */
function addFallbacks(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(addFallbacks);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  addFallback(o);
  for (const [k, v] of Object.entries(o)) if (!skipFallbacks(k)) addFallbacks(v);
}

/** A card's `refresh` action is invoked by Teams itself: it takes no Action.Submit fallback. */
const skipFallbacks = (key: string) => key === "refresh";

/** How a compiled template adds the fallbacks as it builds the card, instead of a walk after it. */
const fallbacksWhileExpanding: Decorate = { object: addFallback, value: addFallbacks, skip: skipFallbacks };

let expandBy: "compiled" | "library" = "compiled";
/** How renderCard expands templates: the library's way is for paired benchmark runs (bench/variants/libraryTemplates.ts). */
export function expandTemplatesBy(by: "compiled" | "library"): void {
  expandBy = by;
}

/** Expands a template with data into a card ready to send. Typed data is checked (cards/schemas/cardData.ts). */
export function renderCard<N extends string>(name: N, data: CardData<N> = {} as CardData<N>): CardJson {
  return expandCard(name, data, expandBy);
}

/**
 * renderCard, with the template expanded by its compiled form (cards/compiledTemplate.ts) or by the
 * library's own expand(), which tests compare it with.
 */
export function expandCard(name: string, data: unknown, by: "compiled" | "library"): CardJson {
  const dataSchema = (cardDataSchemas as Record<string, ZodType | undefined>)[name];
  const checked = dataSchema?.safeParse(data);
  if (checked && !checked.success)
    throw new Error(
      `card ${name}: data of the wrong type: ${checked.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  const t = loadTemplate(name);
  let card: CardJson;
  if (by === "compiled") card = t.expand(data) as CardJson;
  else {
    card = t.template.expand({ $root: data }) as CardJson;
    addFallbacks(card);
  }
  card.$schema = "http://adaptivecards.io/schemas/adaptive-card.json";
  card.version = "1.5";
  return card;
}

export function cardAttachment(card: CardJson) {
  return { contentType: CARD_CONTENT_TYPE, content: card };
}

/**
 * The outbox marks every card it sends with the outbox message's id as the card's root `id` (an
 * element id the Adaptive Cards parser accepts on the root, shown nowhere). Teams keeps the card as
 * sent, and Microsoft Graph returns it in `chatMessage.attachments[].content`, so after a crash a
 * sender can find out whether a message it is unsure about is already in the chat
 * (bot/delivery.ts, services/graph/chats.ts).
 */
export const OUTBOX_CARD_ID_PREFIX = "assure-outbox:";

/** The card as the outbox sends it for message `outboxId` (a shallow copy: cards are cached). */
export function markCard(card: CardJson, outboxId: string): CardJson {
  return { ...card, id: `${OUTBOX_CARD_ID_PREFIX}${outboxId}` };
}

/** The outbox message id a card carries (as an object or as Graph's JSON string), if any. */
export function cardOutboxId(content: unknown): string | undefined {
  let card = content;
  if (typeof content === "string") {
    if (!content.includes(OUTBOX_CARD_ID_PREFIX)) return undefined;
    try {
      card = JSON.parse(content) as unknown;
    } catch {
      return undefined;
    }
  }
  const id = card && typeof card === "object" ? (card as { id?: unknown }).id : undefined;
  return typeof id === "string" && id.startsWith(OUTBOX_CARD_ID_PREFIX) ? id.slice(OUTBOX_CARD_ID_PREFIX.length) : undefined;
}

export function cardSizeBytes(card: CardJson): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}
