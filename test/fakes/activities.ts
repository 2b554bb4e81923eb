/**
 * Builders of incoming Teams activities (what Teams would POST to the bot's /api/messages).
 * Plain JSON objects; post them with `postToBot(botUrl, activity)` or your own fetch.
 */

export const DEFAULT_BOT_ID = "28:assure-bot";
export const DEFAULT_BOT_NAME = "Assure";
export const DEFAULT_TENANT_ID = "00000000-0000-4000-8000-00000000a55e";

export interface FromUser {
  /** AAD object id of the user. */
  aadObjectId: string;
  /** Teams user id; default `29:<aadObjectId>`. */
  id?: string;
  name?: string;
}

export interface BaseActivityOptions {
  from: FromUser;
  /** Base URL of the fake connector (fake.url). */
  serviceUrl: string;
  /** Default DEFAULT_TENANT_ID. */
  tenantId?: string;
  /** Default `a:conv-<from.id>` (matches the fake connector's deterministic 1:1 ids). */
  conversationId?: string;
  /** Bot id (recipient), default '28:assure-bot'. */
  botId?: string;
  botName?: string;
  /** Activity id; default unique. */
  id?: string;
  locale?: string;
  timestamp?: Date;
}

export interface TeamsIncomingActivity {
  type: string;
  id: string;
  timestamp: string;
  localTimestamp: string;
  localTimezone: string;
  serviceUrl: string;
  channelId: "msteams";
  from: { id: string; name?: string; aadObjectId: string };
  conversation: { id: string; conversationType: "personal"; tenantId: string; isGroup?: boolean };
  recipient: { id: string; name: string };
  channelData: Record<string, unknown>;
  locale: string;
  entities?: unknown[];
  text?: string;
  textFormat?: string;
  value?: unknown;
  name?: string;
  action?: string;
  replyToId?: string;
  attachments?: unknown[];
  membersAdded?: Array<{ id: string; aadObjectId?: string; name?: string }>;
  membersRemoved?: Array<{ id: string; aadObjectId?: string; name?: string }>;
  [key: string]: unknown;
}

let counter = 0;

export function teamsUserId(aadObjectId: string): string {
  return `29:${aadObjectId}`;
}

/** Default personal conversation id for a user, identical to the fake connector's `a:conv-<member id>`. */
export function personalConversationId(from: FromUser): string {
  return `a:conv-${from.id ?? teamsUserId(from.aadObjectId)}`;
}

function base(type: string, o: BaseActivityOptions): TeamsIncomingActivity {
  const tenantId = o.tenantId ?? DEFAULT_TENANT_ID;
  const fromId = o.from.id ?? teamsUserId(o.from.aadObjectId);
  const ts = (o.timestamp ?? new Date()).toISOString();
  counter += 1;
  return {
    type,
    id: o.id ?? `f:${Date.now()}${String(counter).padStart(5, "0")}`,
    timestamp: ts,
    localTimestamp: ts,
    localTimezone: "Europe/London",
    serviceUrl: o.serviceUrl,
    channelId: "msteams",
    from: { id: fromId, aadObjectId: o.from.aadObjectId, ...(o.from.name ? { name: o.from.name } : {}) },
    conversation: {
      id: o.conversationId ?? personalConversationId({ ...o.from, id: fromId }),
      conversationType: "personal",
      tenantId,
    },
    recipient: { id: o.botId ?? DEFAULT_BOT_ID, name: o.botName ?? DEFAULT_BOT_NAME },
    channelData: { tenant: { id: tenantId } },
    locale: o.locale ?? "en-GB",
    entities: [{ type: "clientInfo", locale: o.locale ?? "en-GB", country: "GB", platform: "Web", timezone: "Europe/London" }],
  };
}

export function messageActivity(o: BaseActivityOptions & { text: string; attachments?: unknown[] }): TeamsIncomingActivity {
  const a = base("message", o);
  a.text = o.text;
  a.textFormat = "plain";
  if (o.attachments) a.attachments = o.attachments;
  return a;
}

/** Universal Action (Action.Execute) → invoke `adaptiveCard/action`. */
export function invokeActionExecute(
  o: BaseActivityOptions & { verb: string; data?: Record<string, unknown>; replyToId?: string; actionId?: string },
): TeamsIncomingActivity {
  const a = base("invoke", o);
  a.name = "adaptiveCard/action";
  a.value = {
    action: { type: "Action.Execute", verb: o.verb, data: o.data ?? {}, ...(o.actionId ? { id: o.actionId } : {}) },
    trigger: "manual",
  };
  if (o.replyToId) a.replyToId = o.replyToId;
  a.channelData = { ...a.channelData, source: { name: "message" } };
  return a;
}

/** Action.Submit fallback: a message with `value` = data and no text. */
export function submitActivity(o: BaseActivityOptions & { data: Record<string, unknown>; replyToId?: string }): TeamsIncomingActivity {
  const a = base("message", o);
  a.value = o.data;
  if (o.replyToId) {
    a.replyToId = o.replyToId;
    a.channelData = { ...a.channelData, source: { name: "message" }, legacy: { replyToId: o.replyToId } };
  } else {
    a.channelData = { ...a.channelData, source: { name: "message" } };
  }
  return a;
}

/** App installed ('add') or removed ('remove') in the user's personal scope. */
export function installationUpdate(o: BaseActivityOptions & { action?: "add" | "remove" }): TeamsIncomingActivity {
  const a = base("installationUpdate", o);
  a.action = o.action ?? "add";
  a.channelData = { ...a.channelData, source: null };
  return a;
}

/** conversationUpdate with membersAdded (default: the bot, as Teams sends on personal install). */
export function conversationUpdateMembersAdded(
  o: BaseActivityOptions & { membersAdded?: Array<{ id: string; aadObjectId?: string; name?: string }> },
): TeamsIncomingActivity {
  const a = base("conversationUpdate", o);
  a.membersAdded = o.membersAdded ?? [{ id: o.botId ?? DEFAULT_BOT_ID }];
  a.channelData = { ...a.channelData, eventType: "teamMemberAdded" };
  return a;
}

/** Alias. */
export const membersAdded = conversationUpdateMembersAdded;

/** POSTs an activity to the bot endpoint (e.g. http://127.0.0.1:PORT/api/messages). */
export async function postToBot(
  botUrl: string,
  activity: TeamsIncomingActivity,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(botUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep text */
  }
  return { status: res.status, body };
}
