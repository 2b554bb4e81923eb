// Readable routes: every card verb and text command maps to one handler. A handler validates the
// card data with the card's zod schema, calls a service with the authenticated actor, and returns
// a card. No business rules here: they live in services/.
import type { z } from "zod";
import type { AppContext } from "../services/context";
import type { Actor, Capability } from "../services/permissions";
import type { CardJson } from "../cards/render";

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

export const defineRoute = <S extends z.ZodTypeAny>(r: Route<S>): Route<S> => r;

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
