// A prepared template compiled to one function per node. adaptivecards-templating's expand() walks
// the whole payload on every card: for every node it saves and restores its context on a stack,
// lists the object's keys, checks each against its reserved names and builds arrays it then
// unwraps. A template's shape never changes, so that walk is decided once here and only the data
// is looked at on each expand. The rules are the library's own (Template.internalExpand, 2.x):
// - an array expands each item, drops null results and flattens items that expand to arrays;
// - an expression is evaluated with substitutions ("${path}" for a missing path); an error throws;
// - an object with `$data` is repeated for each item of an array (`$index` set) or bound to the
//   value; `$when` keeps it only if it evaluates, without substitutions, to true; no copies left →
//   null, one → the object, more → an array; reserved keys are left out, and undefined values;
// - anything else is the template's own value.
// test/cards/compiledExpressions.test.ts requires the same card as the library's for every template.
import * as AEL from "adaptive-expressions";
import { evaluateCompiled, type Scope } from "./expressions";

/** The evaluation context of one expand: what the library's EvaluationContext holds. */
interface Context extends Scope {
  /** `$data` as bound (undefined: the root). */
  bound: unknown;
}

type Expand = (c: Context) => unknown;

/**
 * What the caller adds to the card as it is built (cards/render.ts: Action.Submit fallbacks and
 * dropdown placeholders): `object` for each object the template makes, `value` for each object or
 * list an expression puts in (data), neither under a key `skip` names.
 */
export interface Decorate {
  object(o: Record<string, unknown>): void;
  value(v: unknown): void;
  skip(key: string): boolean;
}

const RESERVED = new Set(["$data", "$when", "$root", "$index", "$host", "$_acTemplateVersion"]);

function bind(c: Context, data: unknown): void {
  c.bound = data;
  c.$data = data !== undefined ? data : c.$root;
}

function evaluated(e: AEL.Expression, c: Context, substitute: boolean): unknown {
  const r = evaluateCompiled(e, c, substitute);
  if (r.error) throw new Error(r.error as string);
  return r.value;
}

function compileNode(node: unknown, decorate: Decorate | undefined): Expand {
  if (Array.isArray(node)) return compileArray(node, decorate);
  if (node instanceof AEL.Expression) {
    if (!decorate) return (c) => evaluated(node, c, true);
    return (c) => {
      const v = evaluated(node, c, true);
      if (v !== null && typeof v === "object") decorate.value(v);
      return v;
    };
  }
  if (typeof node === "object" && node !== null) return compileObject(node as Record<string, unknown>, decorate);
  return () => node;
}

function compileArray(node: unknown[], decorate: Decorate | undefined): Expand {
  const items = node.map((item) => compileNode(item, decorate));
  return (c) => {
    const out: unknown[] = [];
    for (const item of items) {
      const v = item(c);
      if (v === null) continue;
      if (Array.isArray(v)) for (const x of v) out.push(x);
      else out.push(v);
    }
    return out;
  };
}

function compileObject(node: Record<string, unknown>, decorate: Decorate | undefined): Expand {
  const when = node.$when;
  const data = node.$data;
  const fields = Object.keys(node)
    .filter((k) => !RESERVED.has(k))
    .map((k) => [k, compileNode(node[k], decorate?.skip(k) ? undefined : decorate)] as const);
  // Only an object with `$data` changes the context, and it puts it back: fields need no saving.
  const expandOne = (c: Context): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const [k, f] of fields) {
      const v = f(c);
      if (v !== undefined) o[k] = v;
    }
    decorate?.object(o);
    return o;
  };
  const kept: (c: Context) => boolean =
    when instanceof AEL.Expression
      ? (c) => {
          const r = evaluateCompiled(when, c, false);
          return !r.error && r.value === true;
        }
      : when
        ? () => false
        : () => true;
  if (data === undefined) return (c) => (kept(c) ? expandOne(c) : null);
  return (c) => {
    const saved = c.bound;
    const savedIndex = c.$index;
    const value = data instanceof AEL.Expression ? evaluated(data, c, true) : data;
    const list = Array.isArray(value) ? value : [value];
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < list.length; i++) {
      if (Array.isArray(value)) c.$index = i;
      if (list[i] !== undefined) bind(c, list[i]);
      if (kept(c)) out.push(expandOne(c));
    }
    c.$index = savedIndex;
    bind(c, saved);
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
}

/** The library's `$_acTemplateVersion` for the installed adaptivecards-templating. */
function versionOf(template: { expand(context: unknown): unknown }): unknown {
  const probe = new (template.constructor as new (p: unknown) => { expand(c: unknown): unknown })({
    v: "${$_acTemplateVersion}",
  });
  return (probe.expand({ $root: {} }) as { v: unknown }).v;
}

/** The expand function of a prepared template (`Template._preparedPayload`, expressions already parsed). */
export function compileTemplate(
  template: { expand(context: unknown): unknown },
  prepared: unknown,
  decorate?: Decorate,
): (root: unknown) => unknown {
  const expand = compileNode(prepared, decorate);
  const version = JSON.stringify(versionOf(template));
  return (root) =>
    expand({ $root: root, $data: root, bound: undefined, $index: undefined, $host: undefined, $_acTemplateVersion: JSON.parse(version) });
}
