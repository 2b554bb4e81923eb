// Template expressions compiled to functions. adaptivecards-templating evaluates every `${…}` of a
// template through adaptive-expressions: for each one it builds a memory object, and every data
// path is split with regular expressions and looked up key by key, case-insensitively, on every
// use. The expressions our templates use are few in kind (data paths, constants, ==, !=, &&, ||, !,
// if, and strings made of them): those are compiled once into functions that give the same value
// by the same rules (the library's own equality and truth), reading the template's context
// directly. Any other expression is evaluated by the library, as before.
import * as AEL from "adaptive-expressions";
import * as ACData from "adaptivecards-templating";

/** The templating engine's evaluation context ($data falls back to $root). */
export interface Scope {
  $root: unknown;
  $data: unknown;
  $index: unknown;
  $host: unknown;
  $_acTemplateVersion: unknown;
}
export interface Evaluated {
  value: unknown;
  error?: unknown;
}
/** A compiled expression: `substitute` is the engine's allowSubstitutions (a missing path reads as "${path}"). */
export type Compiled = (scope: Scope, substitute: boolean) => Evaluated;

type Expr = AEL.Expression;
const T = AEL.ExpressionType;
const standard = AEL.ExpressionFunctions.standardFunctions;
const compiled = new WeakMap<object, Compiled | null>();

/** What the engine puts in place of a missing path when substitutions are allowed. */
function missing(path: string): string {
  const custom = ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString?.(path);
  return custom ? custom : `\${${path}}`;
}

const enumerable = Object.prototype.propertyIsEnumerable;
/** adaptive-expressions' accessProperty: the first key equal to `name` ignoring case (an exact key first is the same key in our data). */
function property(instance: unknown, name: string): unknown {
  if (!instance) return undefined;
  if (instance instanceof Map) {
    const v: unknown = instance.get(name);
    if (v !== undefined) return v;
    const key = [...(instance.keys() as Iterable<string>)].find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : instance.get(key);
  }
  if (typeof instance === "object" && enumerable.call(instance, name)) return (instance as Record<string, unknown>)[name];
  const key = Object.keys(instance).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (instance as Record<string, unknown>)[key];
}

/** The engine's memory: a path not starting with "$" is under $data; then SimpleObjectMemory.getValue. */
function pathReader(path: string): (scope: Scope) => unknown {
  const full = path.length > 0 && path[0] !== "$" ? `$data.${path}` : path;
  const parts = full
    .split(/[.[\]]+/)
    .filter((u) => u !== "")
    .map((u) => ((u.startsWith('"') && u.endsWith('"')) || (u.startsWith("'") && u.endsWith("'")) ? u.slice(1, -1) : u));
  const [head, ...rest] = parts;
  const root = ["$root", "$data", "$index", "$host", "$_acTemplateVersion"].find((k) => k.toLowerCase() === head?.toLowerCase()) as
    keyof Scope | undefined;
  const indices = rest.map((p) => parseInt(p));
  return (scope) => {
    if (!root) return undefined;
    let cur: unknown = scope[root];
    for (let i = 0; i < rest.length; i++) {
      const idx = indices[i]!;
      if (!isNaN(idx) && Array.isArray(cur)) cur = idx >= 0 && idx < cur.length ? cur[idx] : undefined;
      else cur = property(cur, rest[i]!);
    }
    return cur;
  };
}

/** The path of an accessor chain (FunctionUtils.tryAccumulatePath), or undefined when it is not one. */
function accessorPath(e: Expr): string | undefined {
  let path = "";
  let left: Expr | undefined = e;
  while (left) {
    if (left.type !== T.Accessor) return undefined;
    const name = left.children[0] as AEL.Constant;
    path = `${String(name.value)}.${path}`;
    left = left.children.length === 2 ? left.children[1] : undefined;
  }
  path = path.replace(/(\.*$)/g, "").replace(/(\.\[)/g, "[");
  return path === "" ? undefined : path;
}

const truthy = (v: unknown) => (typeof v === "boolean" ? v : v !== null && v !== undefined);

function build(e: Expr): Compiled | null {
  if (e.evaluator !== standard.get(e.type) && e.type !== T.Constant) return null;
  const kids = e.children.map(compile);
  if (kids.some((k) => !k)) return null;
  const [a, b, c] = kids as Compiled[];
  switch (e.type) {
    case T.Constant: {
      const value = (e as AEL.Constant).value as unknown;
      return () => ({ value });
    }
    case T.Accessor: {
      const path = accessorPath(e);
      if (path === undefined) return null;
      const read = pathReader(path);
      return (scope, substitute) => {
        const value = read(scope);
        return { value: value === undefined && substitute ? missing(path) : value };
      };
    }
    case T.Equal:
    case T.NotEqual: {
      if (kids.length !== 2) return null;
      const equal = e.type === T.Equal;
      return (scope) => ({ value: AEL.FunctionUtils.commonEquals(a!(scope, false).value, b!(scope, false).value) === equal });
    }
    case T.And:
      return (scope) => ({ value: kids.every((k) => truthy(k!(scope, false).value)) });
    case T.Or:
      return (scope) => ({ value: kids.some((k) => truthy(k!(scope, false).value)) });
    case T.Not:
      return kids.length === 1 ? (scope) => ({ value: !truthy(a!(scope, false).value) }) : null;
    case T.If:
      return kids.length === 3 ? (scope, substitute) => (truthy(a!(scope, false).value) ? b! : c!)(scope, substitute) : null;
    default:
      return null;
  }
}

/** The compiled form of an expression, when every part of it is of a kind compiled here. */
export function compile(e: Expr): Compiled | null {
  let f = compiled.get(e);
  if (f === undefined) compiled.set(e, (f = build(e)));
  return f;
}

/** Gives an expression object (a wrapper of one) its compiled form. */
export function setCompiled(e: object, f: Compiled | null): void {
  compiled.set(e, f);
}

type Engine = { internalTryEvaluateExpression(e: Expr, context: Scope, allowSubstitutions: boolean): Evaluated };
const engine = ACData.Template as unknown as Engine;
const byLibrary = engine.internalTryEvaluateExpression.bind(engine);

/** The engine's evaluation of one template expression, with compiled expressions run as functions. */
function evaluate(e: Expr, context: Scope, allowSubstitutions: boolean): Evaluated {
  // An interpolated string ("Page ${n} of ${m}") with substitutions: the engine concatenates its
  // parts itself, a part that fails showing as "${part}".
  if (e.type === T.Concat && allowSubstitutions) {
    const parts = e.children.map(compile);
    if (parts.some((p) => !p)) return byLibrary(e, context, allowSubstitutions);
    let value = "";
    parts.forEach((part, i) => {
      let r: Evaluated;
      try {
        r = part!(context, true);
      } catch (error) {
        r = { value: undefined, error };
      }
      value += String((r.error ? `\${${e.children[i]!.toString()}}` : r.value)!.toString());
    });
    return { value, error: undefined };
  }
  const f = compile(e);
  return f ? f(context, allowSubstitutions) : byLibrary(e, context, allowSubstitutions);
}

/** The library's evaluation, for comparing (tests). */
export const evaluateByLibrary = byLibrary;
export const evaluateCompiled = evaluate;
engine.internalTryEvaluateExpression = evaluate;
