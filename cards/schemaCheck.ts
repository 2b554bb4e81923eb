// Checks a card against the official Adaptive Cards 1.5 JSON schema (cards/vendor), element by
// element. The `adaptivecards` parser is lenient: it silently drops a value of the wrong JSON type
// (a FactSet value sent as a number, an Input.Number value sent as a string), and the renderer then
// shows it blank. The schema says what each property must be, so a card that breaks it is caught
// here, with the path of the element and what is wrong.
//
// The schema file declares draft-06 but is written in draft-04 style (`id`, not `$id`), and uses no
// draft-06-only assertion keyword, so it is compiled with Ajv's draft-04 build.
import { createRequire } from "node:module";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { ErrorObject, ValidateFunction } from "ajv";
import { TEAMS_CHART_TYPES } from "./chartElements";
import { OUTBOX_CARD_ID_PREFIX } from "./render";

const require = createRequire(import.meta.url);
const schema = require("./vendor/adaptive-card-1.5.json") as { id: string; definitions: Record<string, unknown> };

const ajv = new Ajv04({ allErrors: true, strict: false, logger: false });
addFormats(ajv, ["uri", "uri-reference"]);
// Checked against the draft-04 meta-schema, the dialect it is written in.
ajv.addSchema({ ...schema, $schema: "http://json-schema.org/draft-04/schema#" });

const validators = new Map<string, ValidateFunction>();
function validatorFor(definition: string): ValidateFunction | undefined {
  if (!(definition in schema.definitions)) return undefined;
  let v = validators.get(definition);
  if (!v) {
    v = ajv.getSchema(`${schema.id}#/definitions/${definition}`);
    if (!v) throw new Error(`schema definition ${definition} did not compile`);
    validators.set(definition, v);
  }
  return v;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const TEAMS_CHARTS = new Set(TEAMS_CHART_TYPES);

/**
 * What Teams accepts beyond the schema, and how it is checked instead:
 * - the root `id` the outbox stamps on every card it sends (cards/render.ts markCard): the
 *   Adaptive Cards parser reads it as the card's element id and nothing shows it;
 * - Teams' chart elements (Chart.*): not in the schema; their data and fallback are checked by
 *   cards/chartElements.ts, and the fallback (what other clients show) by this schema check.
 */
function withoutHostExtensions(card: Json): Json {
  if (typeof card.id === "string" && card.id.startsWith(OUTBOX_CARD_ID_PREFIX)) {
    const copy = { ...card };
    delete copy.id;
    return copy;
  }
  return card;
}

/** Replaces each chart by its fallback (what a client without charts renders). */
function chartsAsFallbacks(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(chartsAsFallbacks);
  if (!isObj(node)) return node;
  if (typeof node.type === "string" && TEAMS_CHARTS.has(node.type))
    return chartsAsFallbacks(node.fallback ?? { type: "TextBlock", text: "" });
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = chartsAsFallbacks(v);
  return out;
}

/** The schema definition an object is checked against: its own `type` (`Fact`s and `Choice`s have none). */
function definitionOf(node: Json, parentKey: string | undefined): string | undefined {
  if (typeof node.type === "string") return node.type;
  if (parentKey === "facts") return "Fact";
  if (parentKey === "choices") return "Input.Choice";
  return undefined;
}

/** Author data carried by actions and `requires` maps: not elements, whatever keys they hold. */
const NOT_ELEMENTS = new Set(["data", "requires"]);

/** Whether an error at `instancePath` (below `node`) lies in a nested element, which reports it itself. */
function inNestedElement(node: Json, instancePath: string): boolean {
  const parts = instancePath.split("/").slice(1);
  let cur: unknown = node;
  let key: string | undefined;
  for (const raw of parts) {
    const p = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (NOT_ELEMENTS.has(p) && isObj(cur)) return false;
    cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (!Array.isArray(cur) && isObj(cur) && definitionOf(cur, key ?? p) !== undefined) return true;
    key = Array.isArray(cur) ? p : undefined;
  }
  return false;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? `${e.instancePath.slice(1)} ` : "";
  const params = e.params as { additionalProperty?: string; type?: string; allowedValues?: unknown[] };
  if (e.keyword === "additionalProperties") return `property "${params.additionalProperty}" is not in the schema`;
  if (e.keyword === "type") return `${where}must be a ${params.type}`;
  if (e.keyword === "enum") return `${where}must be one of ${JSON.stringify(params.allowedValues)}`;
  return `${where}${e.message ?? e.keyword}`;
}

/** Problems of a card against the official schema: one line per element and property, with its path. */
export function schemaProblems(card: unknown): string[] {
  if (!isObj(card)) return ["the card is not a JSON object"];
  const root = chartsAsFallbacks(withoutHostExtensions(card)) as Json;
  const problems = new Set<string>();
  const walk = (node: unknown, path: string, parentKey: string | undefined) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`, parentKey));
    if (!isObj(node)) return;
    const definition = definitionOf(node, parentKey);
    if (definition !== undefined) {
      const validate = validatorFor(definition);
      const label = `${path || "/"} (${definition})`;
      if (!validate) problems.add(`${label}: not an element of Adaptive Cards 1.5`);
      else if (!validate(node)) {
        const errors = (validate.errors ?? []).filter((e) => !inNestedElement(node, e.instancePath));
        // An enum property with a case-insensitive pattern fails three ways (enum, pattern, anyOf): say it once.
        const plain = new Set(errors.filter((e) => e.keyword === "enum" || e.keyword === "type").map((e) => e.instancePath));
        for (const e of errors)
          if (!((e.keyword === "pattern" || e.keyword === "anyOf") && plain.has(e.instancePath))) problems.add(`${label}: ${describe(e)}`);
      }
    }
    for (const [k, v] of Object.entries(node)) if (typeof v === "object" && !NOT_ELEMENTS.has(k)) walk(v, `${path}/${k}`, k);
  };
  walk(root, "", undefined);
  return [...problems];
}
