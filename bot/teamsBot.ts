// Teams activities → routes. Captures conversation references, turns typed commands and card
// actions (Action.Execute invokes and Action.Submit fallbacks) into route calls, and maps domain
// errors to cards. Holds no business rules.
import type { z } from "zod";
import { randomUUID } from "node:crypto";
import {
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Activity,
} from "botbuilder";
import type { AppContext } from "../services/context";
import { actorByAadId } from "../services/directory/staff";
import { DomainError, ValidationFailed, UnknownUser } from "../services/errors";
import { cardTextRules } from "../cards/schemas/common";
import { requireCapability, type Actor } from "../services/permissions";
import { saveConversationReference } from "../services/conversations";
import { cardAttachment, renderCard, CARD_CONTENT_TYPE, type CardJson } from "../cards/render";
import { runRoute, type Router, type RouteReply } from "./router";

export interface BotHooks {
  /** Called after a user's conversation reference is stored (wakes the sender for waiting cards). */
  onReachable?(staffId: string): void;
}

const errorTitles: Record<string, string> = {
  validation_failed: "Please check your answers",
  not_permitted: "Not allowed",
  not_found: "Not found",
  already_done: "Already done",
  conflict: "Someone else got there first",
  unknown_user: "Assure does not know you yet",
  closed: "Closed",
};

const FALLBACK_TITLE = "That did not work";
const INTERNAL_ERROR_TITLE = "Something went wrong on our side";

/** Every title an error card (errorCard) can carry: lets scripts tell an error card from a result. */
export const ERROR_CARD_TITLES: readonly string[] = [...Object.values(errorTitles), FALLBACK_TITLE, INTERNAL_ERROR_TITLE];

/** zod's own messages ("Invalid input: expected number, received NaN") are for developers, not for the card. */
function plainMessage(message: string): string {
  if (!message.startsWith("Invalid")) return message;
  return /received undefined/.test(message) ? "missing" : "not a valid value";
}

/**
 * A submitted field's question as its card names it, where the card's schema describes the field
 * (`.describe("Opens on")`): errors name questions, never input ids.
 */
function fieldLabel(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  type Node = { description?: string; def?: { innerType?: Node; in?: Node; shape?: Record<string, Node>; catchall?: Node } };
  const unwrap = (n: Node | undefined): Node | undefined => {
    while (n && !n.description && (n.def?.innerType || n.def?.in)) n = n.def.innerType ?? n.def.in;
    return n;
  };
  let n: Node | undefined = unwrap(schema as unknown as Node);
  for (const k of path) n = unwrap(n?.def?.shape?.[String(k)] ?? n?.def?.catchall);
  return path.length ? n?.description : undefined;
}

export function errorCard(err: unknown, requestId: string): CardJson {
  if (err instanceof DomainError) {
    // A field's id is for the card, not for people: its question's label when the service gave it, else the problem alone.
    const details =
      err instanceof ValidationFailed
        ? Object.entries(err.fieldErrors).map(([k, v]) => ({ detail: err.fieldLabels[k] ? `${err.fieldLabels[k]}: ${v}` : v }))
        : [];
    return renderCard("error", { title: errorTitles[err.code] ?? FALLBACK_TITLE, message: err.message, details, reference: "" });
  }
  return renderCard("error", {
    title: INTERNAL_ERROR_TITLE,
    message: "Nothing you entered was lost. Please try again in a minute; if it keeps happening tell the QA team and quote the reference.",
    details: [],
    reference: requestId,
  });
}

export class AssureBot extends TeamsActivityHandler {
  constructor(
    private readonly app: AppContext,
    private readonly router: Router,
    private readonly hooks: BotHooks = {},
  ) {
    super();
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      const actor = await this.identify(context).catch(() => undefined);
      if (actor)
        await context.sendActivity({
          attachments: [cardAttachment((await this.dispatch(context, actor, "help.show", {}, "command", "")).card!)],
        });
      await next();
    });
  }

  /** Stores the conversation reference of a known staff member (personal scope). */
  private async identify(context: TurnContext): Promise<Actor> {
    const activity = context.activity;
    const actor = await actorByAadId(this.app.db, activity.from?.aadObjectId);
    if (activity.conversation?.conversationType === "personal" || !activity.conversation?.conversationType) {
      const changed = await saveConversationReference(
        this.app.db,
        actor.id,
        TurnContext.getConversationReference(activity),
        activity.conversation.tenantId,
      );
      if (changed) this.hooks.onReachable?.(actor.id);
    }
    return actor;
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const requestId = randomUUID();
    const activity = context.activity;
    let actor: Actor;
    try {
      actor = await this.identify(context);
    } catch (err) {
      await context.sendActivity({ attachments: [cardAttachment(errorCard(err, requestId))] });
      return;
    }
    // Action.Submit fallback: the card's data arrives as activity.value with the verb inside.
    if (activity.value && typeof activity.value === "object" && !activity.text) {
      const value = activity.value as Record<string, unknown>;
      const verb = typeof value.verb === "string" ? value.verb : "";
      const reply = await this.dispatch(context, actor, verb, value, "submit", "", requestId);
      await this.deliverReply(context, reply, activity.replyToId);
      return;
    }
    const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? "").trim();
    const match = this.router.matchCommand(text);
    if (!match) {
      const card = renderCard("error", {
        title: "I did not understand that",
        message: `"${text.slice(0, 80)}" is not a command I know. Type "help" to see what you can do.`,
        details: [],
        reference: "",
      });
      await context.sendActivity({ attachments: [cardAttachment(card)] });
      return;
    }
    const reply = await this.dispatch(context, actor, match.command.verb, {}, "command", match.args, requestId);
    await this.deliverReply(context, reply);
  }

  private async deliverReply(context: TurnContext, reply: RouteReply, replaceActivityId?: string): Promise<void> {
    const activity: Partial<Activity> = reply.card ? { attachments: [cardAttachment(reply.card)] } : { text: reply.text ?? "Done." };
    if (replaceActivityId && reply.card) {
      try {
        await context.updateActivity({ ...activity, id: replaceActivityId, type: "message" });
        return;
      } catch (err) {
        this.app.log.warn({ err }, "could not update the card in place; sending a new one");
      }
    }
    await context.sendActivity(activity);
  }

  /** Runs a route with validation, permission check and error mapping. */
  async dispatch(
    context: TurnContext,
    actor: Actor,
    verb: string,
    raw: unknown,
    via: "execute" | "submit" | "command",
    args: string,
    requestId = randomUUID(),
  ): Promise<RouteReply> {
    const route = this.router.get(verb);
    const log = this.app.log.child(route?.anonymous ? { requestId, verb } : { requestId, verb, actorId: actor.id });
    if (!route) {
      log.warn("unknown verb");
      return {
        card: renderCard("error", {
          title: "This button is not recognised",
          message: 'The card may be out of date. Type "help" to start again.',
          details: [],
          reference: "",
        }),
      };
    }
    try {
      requireCapability(actor, route.capability);
      const { verb: _v, ...rest } = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
      const parsed = cardTextRules.pipe(route.schema).safeParse(rest);
      if (!parsed.success) {
        const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "card", plainMessage(i.message)]));
        const fieldLabels = Object.fromEntries(
          parsed.error.issues.flatMap((i) => {
            const label = fieldLabel(route.schema, i.path);
            return label ? [[i.path.join("."), label]] : [];
          }),
        );
        throw new ValidationFailed("Some answers are not valid. Nothing was saved from this submission.", fieldErrors, fieldLabels);
      }
      const reply = await runRoute(route, { app: this.app, actor, data: parsed.data, via, args, requestId });
      log.info("handled");
      return reply;
    } catch (err) {
      if (err instanceof DomainError) log.info({ code: err.code }, err.message);
      else log.error({ err }, "route failed");
      return { card: errorCard(err, requestId) };
    }
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const requestId = randomUUID();
    let card: CardJson;
    try {
      const actor = await this.identify(context);
      const action = invokeValue?.action;
      const verb = action && typeof action.verb === "string" ? action.verb : "";
      const reply = await this.dispatch(context, actor, verb, action?.data ?? {}, "execute", "", requestId);
      card = reply.card ?? renderCard("message", { title: "", text: reply.text ?? "Done." });
    } catch (err) {
      if (!(err instanceof UnknownUser)) this.app.log.error({ err, requestId }, "invoke failed");
      card = errorCard(err, requestId);
    }
    return { statusCode: 200, type: CARD_CONTENT_TYPE, value: card as unknown as Record<string, unknown> };
  }
}
