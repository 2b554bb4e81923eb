// The Bot Connector end of a proactive send: one client per service URL (the bot's credentials
// from bot/credentials.ts, the same as the HTTP edge's), the activity of a message (rendered once
// per distinct payload, marked with its outbox id), one request, and its failure as the retry
// policy reads it.
import { TurnContext, type Activity, type ConfigurationBotFrameworkAuthentication, type ConversationReference } from "botbuilder";
import type { ConnectorClient } from "botframework-connector";
import type { OutboxPayload } from "../services/outbox";
import { parseRetryAfter, type RequestFailure } from "../services/delivery/retry";
import { cardAttachment, markCard, renderCard, type CardJson } from "../cards/render";
import { proactiveConnector } from "./credentials";
import { cachedPromise } from "./promiseCache";

/** What one request needs of a held message. */
export interface RequestTarget {
  id: string;
  kind: string;
  payload: OutboxPayload;
  conversationId: string;
  serviceUrl: string;
  reference: Partial<ConversationReference>;
  /** For updates: the activity to replace. */
  activityId?: string;
}

export interface RequestOptions {
  timeout: number;
  /** Called when the request's body is being written (the moment Teams' windows count). */
  onUploadProgress: () => void;
}

/**
 * How often the bot's token is renewed ahead of need. Entra ID tokens last 60–90 minutes and
 * botbuilder renews one 5 minutes before it expires, inside the request that finds it stale: that
 * request would wait for the authority and be written long after its slot. Renewed every 10 minutes
 * by a timer, the token a request finds is never stale.
 */
export const TOKEN_REFRESH_MS = 10 * 60_000;

/** The part of a client's credentials that fetches the bot's token (botframework-connector's AppCredentials). */
interface TokenSource {
  shouldSetToken?(): boolean;
  getToken?(forceRefresh?: boolean): Promise<string>;
}

export class ConnectorRequests {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private readonly rendered = new Map<string, { type: "message"; card?: CardJson; text?: string }>();
  private readonly refreshTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly auth: ConfigurationBotFrameworkAuthentication,
    private readonly appId: string,
    private readonly opts: { tokenRefreshMs?: number; onTokenError?: (err: unknown) => void } = {},
  ) {}

  /**
   * Creates (or reuses) the client of a service URL ahead of the first request, with its token:
   * the first request does not fetch it after its slot.
   */
  client(serviceUrl: string): Promise<ConnectorClient> {
    return cachedPromise(this.clients, serviceUrl, async () => {
      const client = await proactiveConnector(this.auth, this.appId, serviceUrl);
      // The pipeline would retry 429/5xx up to 3 times by itself, invisibly and uncounted.
      (client as unknown as { client: { pipeline: { removePolicy(p: { name: string }): unknown } } }).client.pipeline.removePolicy({
        name: "defaultRetryPolicy",
      });
      await this.keepTokenFresh(client.credentials as TokenSource);
      return client;
    });
  }

  private async keepTokenFresh(credentials: TokenSource): Promise<void> {
    if (!credentials.getToken || !credentials.shouldSetToken?.()) return; // no app password: no token
    await credentials.getToken();
    const timer = setInterval(() => {
      credentials.getToken!(true).catch((err: unknown) => this.opts.onTokenError?.(err));
    }, this.opts.tokenRefreshMs ?? TOKEN_REFRESH_MS);
    timer.unref();
    this.refreshTimers.add(timer);
  }

  /** Stops renewing tokens (the sender stopped). */
  close(): void {
    for (const t of this.refreshTimers) clearInterval(t);
    this.refreshTimers.clear();
  }

  /**
   * A fan-out sends the same card to many people: each distinct payload is rendered once, then each
   * copy is marked with its outbox id (the card's root id), which Graph shows in the chat.
   */
  activityFor(t: RequestTarget): Partial<Activity> {
    const key = JSON.stringify(t.payload);
    let base = this.rendered.get(key);
    if (!base) {
      const p = t.payload;
      base = p.template ? { type: "message", card: renderCard(p.template, p.data ?? {}) } : { type: "message", text: p.text ?? "" };
      if (this.rendered.size > 200) this.rendered.clear();
      this.rendered.set(key, base);
    }
    const activity: Partial<Activity> = base.card
      ? { type: "message", attachments: [cardAttachment(markCard(base.card, t.id))] }
      : { type: "message", text: base.text };
    return TurnContext.applyConversationReference(activity, t.reference, false);
  }

  /** A chat member's Teams user id ("29:…") from their Entra object id (see MemberLookup). */
  async member(serviceUrl: string, chatId: string, aadObjectId: string): Promise<{ id: string; name?: string }> {
    const client = await this.client(serviceUrl);
    const m = (await client.conversations.getConversationMember(chatId, aadObjectId)) as { id?: string; name?: string };
    if (!m.id) throw new Error("the member has no id");
    return { id: m.id, ...(m.name ? { name: m.name } : {}) };
  }

  /** Sends (or, for an update, replaces) the message; resolves to the activity id Teams gave it. */
  async request(
    t: RequestTarget,
    activity: Partial<Activity>,
    client: ConnectorClient,
    options: RequestOptions,
  ): Promise<string | undefined> {
    if (t.kind === "update") {
      await client.conversations.updateActivity(t.conversationId, t.activityId!, { ...activity, id: t.activityId } as Activity, options);
      return t.activityId;
    }
    const res = await client.conversations.sendToConversation(t.conversationId, activity as Activity, options);
    return res.id;
  }
}

/** A failed request as the retry policy reads it (status, error code of the body, Retry-After). */
export function failureOf(err: unknown, now: number): RequestFailure {
  const e = err as {
    statusCode?: number;
    code?: string;
    message?: string;
    response?: { headers?: { get(n: string): string | undefined }; bodyAsText?: string | null };
  };
  const status = typeof e.statusCode === "number" && e.statusCode > 0 ? e.statusCode : undefined;
  let errorCode = "";
  try {
    errorCode = (JSON.parse(e.response?.bodyAsText ?? "{}") as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    /* not JSON */
  }
  const retryAfterMs = parseRetryAfter(e.response?.headers?.get("retry-after"), now);
  return {
    ...(status !== undefined ? { status } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(e.code ? { networkCode: e.code } : {}),
    message: e.message ?? String(err),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
