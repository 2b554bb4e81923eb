// Readable routes: every card verb and text command maps to one handler. The card data is parsed
// with the route's zod schema before the handler runs; the handler calls one use case with the
// authenticated actor and renders its result. No business rules here: they live in services/.
import { z } from "zod";
import { ValidationFailed } from "../services/errors";
import type { AppContext } from "../services/context";
import type { Actor, Capability } from "../services/permissions";
import { renderCard, type CardJson } from "../cards/render";
import type { CardData } from "../cards/schemas/cardData";

export interface RouteReply {
  card?: CardJson;
  text?: string;
}

export interface RouteRequest<D> {
  app: AppContext;
  actor: Actor;
  data: D;
  /** Where the request came from: a card button (Execute/Submit) or a typed command. */
  via: "execute" | "submit" | "command";
  /** Text after the command word, for typed commands. */
  args: string;
  requestId: string;
}

export interface Route<S extends z.ZodTypeAny = z.ZodTypeAny> {
  verb: string;
  /** Function-level check done before the handler runs (object-level checks are in services). */
  capability: Capability;
  schema: S;
  /** Logged without the actor (anonymous survey answering: the last press of a person is their submit). */
  anonymous?: boolean;
  handle(req: RouteRequest<z.infer<S>>): Promise<RouteReply>;
  /**
   * The form again, with what the person typed and a message at each field, when the use case
   * refuses the input (ValidationFailed). Without it, or when it returns nothing, the error card.
   */
  reshow?(req: RouteRequest<z.infer<S>>, err: ValidationFailed): Promise<RouteReply | undefined>;
}

export interface Command {
  /** What the user types (lower case, may be several words). */
  words: string;
  verb: string;
  description: string;
  /** Shown as a button on the help card. */
  button?: string;
  /** Listed in help only on a local development run (authentication off, NODE_ENV=development). */
  devOnly?: boolean;
}

/** A typed command: `command("my audits", "audits.mine", "Audits you carry out…", { button: "My audits" })`. */
export const command = (words: string, verb: string, description: string, more: Pick<Command, "button" | "devOnly"> = {}): Command => ({
  words,
  verb,
  description,
  ...more,
});

export const defineRoute = <S extends z.ZodTypeAny>(r: Route<S>): Route<S> => r;

/** The schema of a route that reads no card data: it shows the caller's own things, so no id comes from a card. */
export const noData = z.object({}).passthrough();

type Req<S extends z.ZodTypeAny> = RouteRequest<z.infer<S>>;
/** Builds the form again from what was typed and the refusal (see `Route.reshow`). */
export type Reshow<S extends z.ZodTypeAny> = NonNullable<Route<S>["reshow"]>;
/** A card whose template the use case chose (an observation's card depends on its status). */
export interface ChosenCard {
  template: string;
  data: Record<string, unknown>;
}

/** A route in one line: `route(verb, capability, schema, handle, reshow?)`. */
export function route<S extends z.ZodTypeAny>(
  verb: string,
  capability: Capability,
  schema: S,
  handle: (req: Req<S>) => Promise<RouteReply>,
  reshow?: Reshow<S>,
): Route<S> {
  return defineRoute({ verb, capability, schema, handle, ...(reshow ? { reshow } : {}) });
}

/** A form's two buttons, Save (a draft) and Submit: one use case, told which was pressed. */
export function saveOrSubmit<S extends z.ZodTypeAny>(
  [saveVerb, submitVerb]: readonly [string, string],
  capability: Capability,
  schema: S,
  handle: (req: Req<S>, submit: boolean) => Promise<RouteReply>,
  reshow?: Reshow<S>,
): Route<S>[] {
  return [
    route(saveVerb, capability, schema, (req) => handle(req, false), reshow),
    route(submitVerb, capability, schema, (req) => handle(req, true), reshow),
  ];
}

/** The common route: the parsed card data goes to one use case, whose card data is shown with `template`. */
export function cardRoute<S extends z.ZodTypeAny, N extends string>(
  verb: string,
  capability: Capability,
  schema: S,
  template: N,
  run: (req: Req<S>) => Promise<CardData<N>>,
  reshow?: Reshow<S>,
): Route<S> {
  return route(verb, capability, schema, async (req) => reply(template, await run(req)), reshow);
}

/** A route that takes no card data and shows one card built from the actor alone ("my audits"). */
export function showRoute<N extends string>(
  verb: string,
  capability: Capability,
  template: N,
  load: (app: AppContext, actor: Actor) => Promise<CardData<N>>,
): Route<typeof noData> {
  return cardRoute(verb, capability, noData, template, ({ app, actor }) => load(app, actor));
}

/** The reply showing one card: what `reshow` gives back with the form's data again. */
export const reply = <N extends string>(template: N, data: CardData<N>): RouteReply => ({ card: renderCard(template, data) });

/** The reply showing the card a use case chose. */
export const replyWith = ({ template, data }: ChosenCard): RouteReply => reply(template, data);

/** The use case of a button that names one thing: `byId("sampleId", resultsForActor)` calls it with the card's id. */
export const byId =
  <K extends string, R>(key: K, useCase: (app: AppContext, actor: Actor, id: string) => Promise<R>) =>
  ({ app, actor, data }: RouteRequest<Record<K, string>>): Promise<R> =>
    useCase(app, actor, data[key]);

/**
 * A `reshow` for a card with one checked field: the card again (`load`) with the field's problem at
 * `<field>Error`. A refusal about anything else is left to the error card.
 */
export const fieldAgain =
  <D, N extends string>(template: N, field: string, load: (req: RouteRequest<D>) => Promise<CardData<N>>) =>
  async (req: RouteRequest<D>, err: ValidationFailed): Promise<RouteReply | undefined> => {
    const problem = err.fieldErrors[field];
    return problem ? reply(template, { ...(await load(req)), [`${field}Error`]: problem }) : undefined;
  };

/** The use case of a form that takes the whole card: `fromCard(respond)` calls it with the parsed data. */
export const fromCard =
  <D, R>(useCase: (app: AppContext, actor: Actor, data: D) => Promise<R>) =>
  ({ app, actor, data }: RouteRequest<D>): Promise<R> =>
    useCase(app, actor, data);

/** Parses a second, stricter schema inside a handler: its problems reach `reshow` like the use case's. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, data: unknown, message: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new ValidationFailed(message, Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? "card"), i.message])));
}

/** Runs a route's handler; a refused input shows the form again where the route says how. */
export async function runRoute<S extends z.ZodTypeAny>(route: Route<S>, req: RouteRequest<z.infer<S>>): Promise<RouteReply> {
  try {
    return await route.handle(req);
  } catch (err) {
    const again = err instanceof ValidationFailed && route.reshow ? await route.reshow(req, err) : undefined;
    if (again) return again;
    throw err;
  }
}

export class Router {
  private routes = new Map<string, Route>();
  readonly commands: Command[] = [];

  add(...routes: Route[]): this {
    for (const r of routes) {
      if (this.routes.has(r.verb)) throw new Error(`Route ${r.verb} defined twice`);
      this.routes.set(r.verb, r);
    }
    return this;
  }

  command(...commands: Command[]): this {
    this.commands.push(...commands);
    return this;
  }

  get(verb: string): Route | undefined {
    return this.routes.get(verb);
  }

  verbs(): string[] {
    return [...this.routes.keys()].sort();
  }

  /** Longest command whose words start the text: "my audits please" → "my audits". */
  matchCommand(text: string): { command: Command; args: string } | undefined {
    const t = text.trim().toLowerCase().replace(/\s+/g, " ");
    const sorted = [...this.commands].sort((a, b) => b.words.length - a.words.length);
    for (const c of sorted) {
      if (t === c.words || t.startsWith(`${c.words} `)) return { command: c, args: text.trim().slice(c.words.length).trim() };
    }
    return undefined;
  }
}
