/**
 * A local fake of the Microsoft Graph endpoints Assure uses, served at
 * `http://127.0.0.1:PORT/v1.0/...`.
 *
 * Realism notes:
 *  - Without `$select`, users come back with Graph's DEFAULT property set, which does NOT include
 *    `department` (nor `managerId`, which is not a Graph property at all). Select it explicitly.
 *  - `$expand=manager($levels=...)` requires the header `ConsistencyLevel: eventual` (400 otherwise).
 *  - Any `Authorization: Bearer <anything>` is accepted; a missing token gives 401 (unless requireAuth: false).
 *  - `GET /chats/{id}/messages` answers from what the fake Bot Connector given as `connector` (or to
 *    `setConnector`) actually accepted: Teams is one backend, so a message the connector took is in
 *    the chat whether or not the bot recorded it. Graph's rules: `$top` ≤ 50 (default 20), `$orderby`
 *    `lastModifiedDateTime desc` (default) or `createdDateTime desc`, `$filter` on
 *    `lastModifiedDateTime` (gt/lt) only with that ordering, on `createdDateTime` only `lt`.
 *    A chat is the connector conversation with that id, or for an installation's chat
 *    (`19:<user>_<bot>@unq.gbl.spaces`) the user's personal conversation, whatever its Bot Framework id.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { fakeTokenResponse, isTokenEndpoint, listen, pathSegments, readBody, sendJson, sleep, splitUrl } from "./httpUtil";
import { ADAPTIVE_CARD_CONTENT_TYPE, type RecordedActivity } from "./botConnector";

export interface GraphUser {
  id: string;
  displayName: string;
  mail?: string | null;
  userPrincipalName: string;
  jobTitle?: string | null;
  department?: string | null;
  /** Id of the user's manager (not a Graph property; drives /manager and $expand=manager). */
  managerId?: string | null;
  givenName?: string | null;
  surname?: string | null;
  officeLocation?: string | null;
  mobilePhone?: string | null;
  accountEnabled?: boolean;
  [key: string]: unknown;
}

export interface GraphTeamsApp {
  /** Catalog id (used in `teamsApp@odata.bind` and `teamsApp/id`). */
  id: string;
  /** Manifest id (used in `teamsApp/externalId`). */
  externalId?: string;
  displayName?: string;
  distributionMethod?: string;
}

export interface FakeGraphOptions {
  users: GraphUser[];
  /** App catalog. If empty/absent, any app id is accepted (externalId = id). */
  apps?: GraphTeamsApp[];
  /** Bot id used to form chat ids `19:<userId>_<botAppId>@unq.gbl.spaces`. Default: the app's id. */
  botAppId?: string;
  /** Pre-installed apps. */
  installed?: Array<{ userId: string; appId: string }>;
  /** Require a Bearer token (default true). */
  requireAuth?: boolean;
  /** Page size when `$top` is absent (default 100; Graph's max is 999). */
  defaultPageSize?: number;
  port?: number;
  latencyMs?: number;
  /** The fake Bot Connector whose accepted activities make the chats' messages (see setConnector). */
  connector?: ChatSource;
  /** Called after a successful install (e.g. to make the fake connector/bot see a conversationUpdate). */
  onInstall?: (info: { userId: string; appId: string; installationId: string; chatId: string }) => void | Promise<void>;
}

/** What the fake Graph reads chats from: the fake Bot Connector's record of accepted activities. */
export interface ChatSource {
  readonly activities: readonly RecordedActivity[];
  /** Teams learns of the person an installation is for: a member with a Teams user id ("29:<Entra id>"). */
  addMember?(member: { id: string; aadObjectId?: string }): void;
}

export interface GraphRequestLogEntry {
  method: string;
  /** Decoded path without query. */
  path: string;
  /** Raw query string (without '?'). */
  query: string;
  status: number;
  time: number;
  durationMs: number;
  authorization?: string;
  consistencyLevel?: string;
  body?: unknown;
}

export interface GraphInstallation {
  installationId: string;
  userId: string;
  appId: string;
  chatId: string;
  time: number;
}

export interface FakeGraph {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/v1.0` */
  readonly v1: string;
  readonly port: number;
  readonly requests: GraphRequestLogEntry[];
  readonly installations: GraphInstallation[];
  readonly stats: { requests: number; total429: number; faults: number; byStatus: Record<number, number> };
  /** Next `count` requests get 429 with Retry-After (seconds, default 1). */
  inject429(count: number, retryAfterSeconds?: number): void;
  /** Next `count` requests get 503 (with Retry-After if given). */
  inject503(count: number, retryAfterSeconds?: number): void;
  injectFaults(spec: {
    status: number;
    count: number;
    retryAfterSeconds?: number;
    match?: (method: string, path: string) => boolean;
  }): void;
  setLatency(ms: number): void;
  addUser(user: GraphUser): void;
  install(userId: string, appId: string): GraphInstallation;
  /** The connector whose accepted activities are the chats' messages (null: no chats). */
  setConnector(connector: ChatSource | null): void;
  uninstall(userId: string, appId: string): boolean;
  /** Clears request log, stats, faults, latency; restores installations to the initial ones. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_USER_PROPS = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

const GRAPH_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata";

function gErr(code: string, message: string): { error: { code: string; message: string; innerError: Record<string, string> } } {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), "request-id": "fake", "client-request-id": "fake" },
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function parseSelect(s: string | null | undefined): string[] | undefined {
  if (!s) return undefined;
  const list = s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

interface ExpandManager {
  levels: number | undefined; // undefined = not specified (one level)
  select: string[] | undefined;
}

/** Parses `manager`, `manager($levels=max)`, `manager($levels=max;$select=id,displayName)`. */
function parseExpand(expand: string | null): ExpandManager | undefined {
  if (!expand) return undefined;
  const m = /^\s*manager\s*(?:\((.*)\))?\s*$/i.exec(expand);
  if (!m) throw new HttpError(400, "Request_BadRequest", `Unsupported $expand '${expand}' in this fake.`);
  let levels: number | undefined;
  let select: string[] | undefined;
  for (const part of (m[1] ?? "")
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v] = part.split("=", 2).map((x) => x.trim());
    if (k?.toLowerCase() === "$levels") {
      if (v?.toLowerCase() === "max") levels = Number.POSITIVE_INFINITY;
      else if (v && /^\d+$/.test(v)) levels = Number(v);
      else throw new HttpError(400, "Request_BadRequest", `Invalid $levels '${v ?? ""}'.`);
    } else if (k?.toLowerCase() === "$select") {
      select = parseSelect(v);
    } else {
      throw new HttpError(400, "Request_BadRequest", `Unsupported expand option '${k ?? ""}'.`);
    }
  }
  return { levels, select };
}

type Filter = (o: Record<string, unknown>) => boolean;

/** Tiny OData $filter: `a eq 'x'`, `a eq true`, `a/b eq 'x'`, `startswith(a,'x')`, joined with ` and `. */
function parseFilter(filter: string | null): Filter | undefined {
  if (!filter) return undefined;
  const parts = filter.split(/\s+and\s+/i);
  const preds: Filter[] = parts.map((p) => {
    const eq = /^\s*([\w/]+)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false|null))\s*$/i.exec(p);
    if (eq) {
      const path = (eq[1] ?? "").split("/");
      const lit = eq[2] !== undefined ? eq[2].replace(/''/g, "'") : eq[3] === "null" ? null : eq[3] === "true";
      return (o) => {
        let v: unknown = o;
        for (const k of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
        if (typeof v === "string" && typeof lit === "string") return v.toLowerCase() === lit.toLowerCase();
        return (v ?? null) === lit;
      };
    }
    const sw = /^\s*startswith\(\s*([\w/]+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i.exec(p);
    if (sw) {
      const k = sw[1] ?? "";
      const lit = (sw[2] ?? "").replace(/''/g, "'").toLowerCase();
      return (o) => {
        const v = o[k];
        return typeof v === "string" && v.toLowerCase().startsWith(lit);
      };
    }
    throw new HttpError(400, "Request_UnsupportedQuery", `Unsupported filter clause '${p}' in this fake.`);
  });
  return (o) => preds.every((f) => f(o));
}

function b64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64url");
}
function unb64(s: string): string {
  return Buffer.from(s, "base64url").toString("utf8");
}

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const users = new Map<string, GraphUser>();
  for (const u of options.users) users.set(u.id, u);
  const apps = options.apps ?? [];
  const requests: GraphRequestLogEntry[] = [];
  let installations: GraphInstallation[] = [];
  let faults: Array<{ status: number; count: number; retryAfterSeconds?: number; match?: (method: string, path: string) => boolean }> = [];
  let latencyMs = options.latencyMs ?? 0;
  let stats = { requests: 0, total429: 0, faults: 0, byStatus: {} as Record<number, number> };
  const defaultPageSize = options.defaultPageSize ?? 100;
  const requireAuth = options.requireAuth ?? true;
  let connector: ChatSource | null = options.connector ?? null;

  function findUser(idOrUpn: string): GraphUser | undefined {
    const byId = users.get(idOrUpn);
    if (byId) return byId;
    const lower = idOrUpn.toLowerCase();
    for (const u of users.values()) if (u.userPrincipalName.toLowerCase() === lower) return u;
    return undefined;
  }

  function requireUser(idOrUpn: string): GraphUser {
    const u = findUser(idOrUpn);
    if (!u)
      throw new HttpError(
        404,
        "Request_ResourceNotFound",
        `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`,
      );
    return u;
  }

  function project(u: GraphUser, select: string[] | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const props = select ?? DEFAULT_USER_PROPS;
    for (const p of props) {
      if (p === "managerId") continue; // not a Graph property
      if (p === "businessPhones") out[p] = (u[p] as unknown) ?? [];
      else out[p] = u[p] ?? null;
    }
    return out;
  }

  function managerChain(
    u: GraphUser,
    levels: number,
    select: string[] | undefined,
    seen: Set<string>,
  ): Record<string, unknown> | undefined {
    if (levels <= 0 || !u.managerId) return undefined;
    const m = users.get(u.managerId);
    if (!m || seen.has(m.id)) return undefined;
    seen.add(m.id);
    const obj: Record<string, unknown> = { "@odata.type": "#microsoft.graph.user", ...project(m, select) };
    const deeper = managerChain(m, levels - 1, select, seen);
    if (deeper) obj.manager = deeper;
    return obj;
  }

  function findApp(appId: string): GraphTeamsApp | undefined {
    if (apps.length === 0) return { id: appId, externalId: appId, displayName: appId, distributionMethod: "organization" };
    return apps.find((a) => a.id === appId || a.externalId === appId);
  }

  function chatIdFor(userId: string, appId: string): string {
    return `19:${userId}_${options.botAppId ?? appId}@unq.gbl.spaces`;
  }

  /**
   * Installations by user and by chat, rebuilt when the list changes (a benchmark installs the app
   * for 10,000 people, and linear scans per request stalled the process serving the fake connector).
   */
  const lookup = {
    of: null as GraphInstallation[] | null,
    size: -1,
    byUser: new Map<string, GraphInstallation[]>(),
    byChat: new Map<string, GraphInstallation>(),
  };
  function installationsBy(): typeof lookup {
    if (lookup.of !== installations || lookup.size !== installations.length) {
      Object.assign(lookup, { of: installations, size: installations.length, byUser: new Map(), byChat: new Map() });
      for (const i of installations) {
        lookup.byUser.set(i.userId, [...(lookup.byUser.get(i.userId) ?? []), i]);
        lookup.byChat.set(i.chatId, i);
      }
    }
    return lookup;
  }
  const installationsOf = (userId: string): GraphInstallation[] => installationsBy().byUser.get(userId) ?? [];

  function install(userId: string, appId: string): GraphInstallation {
    const existing = installationsOf(userId).find((i) => i.appId === appId);
    if (existing) return existing;
    const inst: GraphInstallation = {
      installationId: b64(`${userId}##${appId}`),
      userId,
      appId,
      chatId: chatIdFor(userId, appId),
      time: Date.now(),
    };
    installations.push(inst);
    connector?.addMember?.({ id: `29:${userId}`, aadObjectId: userId });
    if (lookup.of === installations && lookup.size === installations.length - 1) {
      lookup.size++;
      lookup.byUser.set(userId, [...installationsOf(userId), inst]);
      lookup.byChat.set(inst.chatId, inst);
    }
    return inst;
  }

  function initialInstallations(): void {
    installations = [];
    for (const i of options.installed ?? []) install(i.userId, findApp(i.appId)?.id ?? i.appId);
  }
  initialInstallations();

  function installationJson(i: GraphInstallation, expandApp: boolean): Record<string, unknown> {
    const app = findApp(i.appId) ?? { id: i.appId };
    return {
      id: i.installationId,
      ...(expandApp
        ? {
            teamsApp: {
              id: app.id,
              externalId: app.externalId ?? null,
              displayName: app.displayName ?? null,
              distributionMethod: app.distributionMethod ?? "organization",
            },
          }
        : {}),
    };
  }

  /**
   * The connector's accepted activities by conversation and by personal recipient's Entra id,
   * indexed as they come (a scan of a 10,000-message fan-out per read stalled the process that
   * also serves the fake connector, and so its rate limiter's clock).
   */
  const index = {
    seen: 0,
    lastSeq: 0,
    source: null as ChatSource | null,
    byConversation: new Map<string, RecordedActivity[]>(),
    byAad: new Map<string, RecordedActivity[]>(),
  };
  function indexed(): typeof index {
    const acts = connector?.activities ?? [];
    // Rebuilt when the connector changed or was reset (its last indexed activity is no longer there).
    if (index.source !== connector || (index.seen > 0 && acts[index.seen - 1]?.seq !== index.lastSeq))
      Object.assign(index, { seen: 0, lastSeq: 0, source: connector, byConversation: new Map(), byAad: new Map() });
    const push = (m: Map<string, RecordedActivity[]>, k: string, a: RecordedActivity): void => {
      const l = m.get(k);
      if (l) l.push(a);
      else m.set(k, [a]);
    };
    for (; index.seen < acts.length; index.seen++) {
      const a = acts[index.seen]!;
      push(index.byConversation, a.conversationId, a);
      const aad = a.body?.recipient?.aadObjectId;
      if (aad && (a.body?.conversation as { conversationType?: string } | undefined)?.conversationType === "personal")
        push(index.byAad, aad, a);
      index.lastSeq = a.seq;
    }
    return index;
  }

  /** The connector activities in this chat (see the header), in order. */
  function chatActivities(chatId: string): RecordedActivity[] {
    const ix = indexed();
    const inst = installationsBy().byChat.get(chatId);
    const own = ix.byConversation.get(chatId) ?? [];
    if (!inst) return own;
    const personal = (ix.byAad.get(inst.userId) ?? []).filter((a) => a.conversationId !== chatId);
    return personal.length ? [...own, ...personal].sort((a, b) => a.seq - b.seq) : own;
  }

  /** The chat's bot messages as Graph's chatMessage objects (state after updates and deletes). */
  function chatMessages(chatId: string): Array<Record<string, unknown>> {
    const byId = new Map<string, { created: number; modified: number; deleted?: number; a: RecordedActivity }>();
    for (const a of chatActivities(chatId)) {
      if (a.body?.type === "typing") continue;
      const m = byId.get(a.activityId);
      if (a.kind === "send" || a.kind === "reply") byId.set(a.activityId, { created: a.time, modified: a.time, a });
      else if (m && a.kind === "update") Object.assign(m, { modified: a.time, a });
      else if (m && a.kind === "delete") Object.assign(m, { modified: a.time, deleted: a.time });
    }
    if (byId.size === 0 && !installationsBy().byChat.has(chatId))
      throw new HttpError(404, "NotFound", `Chat '${chatId}' not found (or the app has no access to it).`);
    return [...byId.entries()].map(([id, m]) => {
      const body = m.a.body ?? {};
      const from = body.from;
      const iso = (t: number): string => new Date(t).toISOString();
      const attachments = m.deleted
        ? []
        : (body.attachments ?? []).map((att, i) => ({
            id: `${id}-${i}`,
            contentType: att.contentType ?? null,
            contentUrl: null,
            // Graph returns a card as its JSON text.
            content: att.contentType === ADAPTIVE_CARD_CONTENT_TYPE ? JSON.stringify(att.content) : (att.content ?? null),
            name: att.name ?? null,
            thumbnailUrl: null,
            teamsAppId: null,
          }));
      return {
        id,
        replyToId: null,
        etag: String(m.modified),
        messageType: "message",
        createdDateTime: iso(m.created),
        lastModifiedDateTime: iso(m.modified),
        lastEditedDateTime: m.modified !== m.created && !m.deleted ? iso(m.modified) : null,
        deletedDateTime: m.deleted ? iso(m.deleted) : null,
        subject: null,
        summary: null,
        chatId,
        importance: "normal",
        locale: "en-us",
        webUrl: null,
        channelIdentity: null,
        policyViolation: null,
        eventDetail: null,
        from: {
          application: {
            "@odata.type": "#microsoft.graph.teamworkApplicationIdentity",
            id: (from?.id ?? options.botAppId ?? "").replace(/^28:/, ""),
            displayName: from?.name ?? null,
            applicationIdentityType: "bot",
          },
          device: null,
          user: null,
        },
        body: m.deleted
          ? { contentType: "text", content: "" }
          : {
              contentType: "html",
              content: `${typeof body.text === "string" ? body.text : ""}${attachments.map((x) => `<attachment id="${x.id}"></attachment>`).join("")}`,
            },
        attachments,
        mentions: [],
        reactions: [],
      };
    });
  }

  /** `GET /chats/{id}/messages` with Graph's paging and its narrow $orderby/$filter support. */
  function chatMessagesPage(chatId: string, query: URLSearchParams): Record<string, unknown> {
    const topRaw = query.get("$top");
    const top = topRaw !== null ? Number(topRaw) : 20;
    if (!Number.isInteger(top) || top < 1 || top > 50)
      throw new HttpError(400, "BadRequest", `Invalid page size '${topRaw ?? ""}': $top must be between 1 and 50.`);
    const orderby = (query.get("$orderby") ?? "lastModifiedDateTime desc").trim().replace(/\s+/g, " ");
    if (orderby !== "lastModifiedDateTime desc" && orderby !== "createdDateTime desc")
      throw new HttpError(
        400,
        "BadRequest",
        `$orderby '${orderby}' is not supported: use lastModifiedDateTime desc or createdDateTime desc.`,
      );
    const key = orderby.split(" ")[0] as "lastModifiedDateTime" | "createdDateTime";
    const preds: Array<(m: Record<string, unknown>) => boolean> = [];
    const filter = query.get("$filter");
    if (filter) {
      if (query.get("$orderby") === null)
        throw new HttpError(400, "BadRequest", "$filter is supported only together with $orderby on the same property.");
      for (const clause of filter.split(/\s+and\s+/i)) {
        const c = /^\s*(lastModifiedDateTime|createdDateTime)\s+(gt|lt)\s+(\S+)\s*$/.exec(clause);
        const t = c ? Date.parse(c[3]!) : NaN;
        if (!c || Number.isNaN(t) || c[1] !== key || (key === "createdDateTime" && c[2] !== "lt"))
          throw new HttpError(
            400,
            "BadRequest",
            `Unsupported $filter clause '${clause}': lastModifiedDateTime gt/lt with $orderby=lastModifiedDateTime desc, or createdDateTime lt with $orderby=createdDateTime desc.`,
          );
        const op = c[2];
        preds.push((m) => (op === "gt" ? Date.parse(String(m[key])) > t : Date.parse(String(m[key])) < t));
      }
    }
    const all = chatMessages(chatId)
      .filter((m) => preds.every((p) => p(m)))
      .sort((a, b) => Date.parse(String(b[key])) - Date.parse(String(a[key])) || String(b.id).localeCompare(String(a.id)));
    const skip = query.get("$skiptoken");
    const offset = skip ? Number(unb64(skip).replace(/^offset:/, "")) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, "BadRequest", "Invalid skip token");
    const out: Record<string, unknown> = {
      "@odata.context": `${GRAPH_CONTEXT}#chats('${chatId}')/messages`,
      "@odata.count": Math.min(top, Math.max(0, all.length - offset)),
      value: all.slice(offset, offset + top),
    };
    if (offset + top < all.length) {
      const next = new URLSearchParams();
      for (const [k, v] of query) if (k !== "$skiptoken") next.set(k, v);
      next.set("$top", String(top));
      next.set("$skiptoken", b64(`offset:${offset + top}`));
      out["@odata.nextLink"] = `${url}v1.0/chats/${encodeURIComponent(chatId)}/messages?${next.toString()}`;
    }
    return out;
  }

  async function route(
    method: string,
    segs: string[],
    query: URLSearchParams,
    headers: IncomingMessage["headers"],
    body: unknown,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const [ver, coll, userId, sub, sub2, sub3] = segs;
    if (ver !== "v1.0" && ver !== "beta") throw new HttpError(404, "NotFound", "Unknown API version");
    if (coll === "chats" && userId !== undefined && sub === "messages" && segs.length === 4) {
      if (method !== "GET") throw new HttpError(405, "BadRequest", "Method not allowed");
      return { status: 200, body: chatMessagesPage(userId, query) };
    }
    if (coll !== "users") throw new HttpError(404, "NotFound", `Unsupported resource '${coll ?? ""}' in this fake.`);
    const select = parseSelect(query.get("$select"));

    // GET /users
    if (userId === undefined) {
      if (method !== "GET") throw new HttpError(405, "Request_BadRequest", "Method not allowed");
      const topRaw = query.get("$top");
      const top = topRaw !== null ? Number(topRaw) : defaultPageSize;
      if (!Number.isInteger(top) || top < 1 || top > 999)
        throw new HttpError(
          400,
          "Request_UnsupportedQuery",
          `Invalid page size specified: '${topRaw ?? ""}'. Must be between 1 and 999 inclusive.`,
        );
      const filter = parseFilter(query.get("$filter"));
      let all = [...users.values()];
      if (filter) all = all.filter((u) => filter(u));
      const skipToken = query.get("$skiptoken");
      let offset = 0;
      if (skipToken) {
        offset = Number(unb64(skipToken).replace(/^offset:/, ""));
        if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, "Directory_InvalidSkipToken", "Invalid skip token");
      }
      const page = all.slice(offset, offset + top).map((u) => project(u, select));
      const out: Record<string, unknown> = { "@odata.context": `${GRAPH_CONTEXT}#users` };
      if (query.get("$count") === "true") out["@odata.count"] = all.length;
      out.value = page;
      if (offset + top < all.length) {
        const next = new URLSearchParams();
        for (const [k, v] of query) if (k !== "$skiptoken") next.set(k, v);
        next.set("$top", String(top));
        next.set("$skiptoken", b64(`offset:${offset + top}`));
        out["@odata.nextLink"] = `${url}v1.0/users?${next.toString()}`;
      }
      return { status: 200, body: out };
    }

    const user = requireUser(userId);

    // GET /users/{id}
    if (sub === undefined) {
      if (method !== "GET") throw new HttpError(405, "Request_BadRequest", "Method not allowed");
      const expand = parseExpand(query.get("$expand"));
      const out: Record<string, unknown> = { "@odata.context": `${GRAPH_CONTEXT}#users/$entity`, ...project(user, select) };
      if (expand) {
        if (expand.levels !== undefined) {
          const cl = String(headers["consistencylevel"] ?? "").toLowerCase();
          if (cl !== "eventual")
            throw new HttpError(
              400,
              "Request_UnsupportedQuery",
              "$levels in $expand requires the 'ConsistencyLevel: eventual' request header.",
            );
        }
        const chain = managerChain(user, expand.levels ?? 1, expand.select, new Set([user.id]));
        if (chain) out.manager = chain;
      }
      return { status: 200, body: out };
    }

    if (sub === "manager" && sub2 === undefined && method === "GET") {
      const m = user.managerId ? users.get(user.managerId) : undefined;
      if (!m)
        throw new HttpError(
          404,
          "Request_ResourceNotFound",
          "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
        );
      return {
        status: 200,
        body: {
          "@odata.context": `${GRAPH_CONTEXT}#directoryObjects/$entity`,
          "@odata.type": "#microsoft.graph.user",
          ...project(m, select),
        },
      };
    }

    if (sub === "directReports" && sub2 === undefined && method === "GET") {
      const reports = [...users.values()].filter((u) => u.managerId === user.id);
      return {
        status: 200,
        body: {
          "@odata.context": `${GRAPH_CONTEXT}#directoryObjects`,
          value: reports.map((u) => ({ "@odata.type": "#microsoft.graph.user", ...project(u, select) })),
        },
      };
    }

    if (sub === "teamwork" && sub2 === "installedApps") {
      const instId = sub3;
      const tail = segs[6];
      if (instId === undefined) {
        if (method === "POST") {
          const bind = (body as Record<string, unknown> | undefined)?.["teamsApp@odata.bind"];
          if (typeof bind !== "string") throw new HttpError(400, "BadRequest", "Body must contain 'teamsApp@odata.bind'.");
          const mm = /teamsApps(?:\/|\(')([^/')]+)/.exec(bind);
          const appId = mm?.[1];
          if (!appId) throw new HttpError(400, "BadRequest", `Invalid teamsApp@odata.bind '${bind}'.`);
          const app = findApp(appId);
          if (!app) throw new HttpError(404, "NotFound", `App '${appId}' not found in the app catalog.`);
          if (installationsOf(user.id).some((i) => i.appId === app.id)) throw new HttpError(409, "Conflict", "App is already installed.");
          const inst = install(user.id, app.id);
          if (options.onInstall)
            await options.onInstall({ userId: user.id, appId: app.id, installationId: inst.installationId, chatId: inst.chatId });
          return { status: 201 };
        }
        if (method === "GET") {
          const expandApp = /(^|,)\s*teamsApp\b/.test(query.get("$expand") ?? "");
          const filter = parseFilter(query.get("$filter"));
          let list = installationsOf(user.id).map((i) => installationJson(i, true));
          if (filter) list = list.filter((o) => filter(o));
          if (!expandApp) list = list.map((o) => ({ id: o.id }));
          return {
            status: 200,
            body: { "@odata.context": `${GRAPH_CONTEXT}#users('${user.id}')/teamwork/installedApps`, value: list },
          };
        }
        throw new HttpError(405, "BadRequest", "Method not allowed");
      }
      const inst = installationsOf(user.id).find((i) => i.installationId === instId);
      if (!inst) throw new HttpError(404, "NotFound", `Installation '${instId}' not found.`);
      if (tail === undefined) {
        if (method === "GET") {
          const expandApp = /(^|,)\s*teamsApp\b/.test(query.get("$expand") ?? "");
          return { status: 200, body: installationJson(inst, expandApp) };
        }
        if (method === "DELETE") {
          installations = installations.filter((i) => i !== inst);
          return { status: 204 };
        }
      }
      if (tail === "chat" && segs.length === 7 && method === "GET") {
        return {
          status: 200,
          body: {
            "@odata.context": `${GRAPH_CONTEXT}#chats/$entity`,
            id: inst.chatId,
            topic: null,
            chatType: "oneOnOne",
            tenantId: null,
            createdDateTime: new Date(inst.time).toISOString(),
            lastUpdatedDateTime: new Date(inst.time).toISOString(),
          },
        };
      }
    }
    throw new HttpError(404, "NotFound", `No route for ${method} /${segs.join("/")} in this fake.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const { rawPath, rawQuery } = splitUrl(req.url ?? "/");
    const segs = pathSegments(rawPath);
    const authorization = req.headers.authorization;
    const cl = req.headers["consistencylevel"];
    const log: GraphRequestLogEntry = {
      method,
      path: "/" + segs.join("/"),
      query: decodeURIComponentSafe(rawQuery),
      status: 0,
      time: started,
      durationMs: 0,
      ...(authorization !== undefined ? { authorization } : {}),
      ...(typeof cl === "string" ? { consistencyLevel: cl } : {}),
    };
    requests.push(log);
    stats.requests += 1;
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      log.status = status;
      log.durationMs = Date.now() - started;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (status === 429) stats.total429 += 1;
      sendJson(res, status, body, headers);
    };

    const raw = await readBody(req);
    if (latencyMs > 0) await sleep(latencyMs);

    const fIdx = faults.findIndex((f) => f.count > 0 && (!f.match || f.match(method, log.path)));
    const fault = fIdx >= 0 ? faults[fIdx] : undefined;
    if (fault) {
      fault.count -= 1;
      if (fault.count <= 0) faults.splice(fIdx, 1);
      if (fault.status !== 429) stats.faults += 1;
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined || fault.status === 429 ? { "Retry-After": String(fault.retryAfterSeconds ?? 1) } : {};
      const code = fault.status === 429 ? "TooManyRequests" : fault.status === 503 ? "serviceNotAvailable" : "generalException";
      reply(fault.status, gErr(code, `Injected fault ${fault.status}`), headers);
      return;
    }

    if (isTokenEndpoint(method, segs)) {
      reply(200, fakeTokenResponse());
      return;
    }

    if (requireAuth && !/^Bearer\s+\S+/i.test(authorization ?? "")) {
      reply(401, gErr("InvalidAuthenticationToken", "Access token is empty."));
      return;
    }

    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        reply(400, gErr("BadRequest", "Invalid JSON body"));
        return;
      }
      log.body = body;
    }

    try {
      const r = await route(method, segs, new URLSearchParams(rawQuery), req.headers, body);
      reply(r.status, r.body, r.headers);
    } catch (e) {
      if (e instanceof HttpError) reply(e.status, gErr(e.code, e.message));
      else reply(500, gErr("generalException", String(e)));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendJson(res, 500, gErr("generalException", String(err))));
  });
  const { port, close } = await listen(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    v1: `${url}v1.0`,
    port,
    requests,
    get installations() {
      return installations;
    },
    get stats() {
      return stats;
    },
    inject429(count, retryAfterSeconds = 1) {
      if (count > 0) faults.push({ status: 429, count, retryAfterSeconds });
    },
    inject503(count, retryAfterSeconds) {
      if (count > 0) faults.push({ status: 503, count, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
    },
    injectFaults(spec) {
      if (spec.count > 0) faults.push({ ...spec });
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    addUser(user) {
      users.set(user.id, user);
    },
    install(userId, appId) {
      return install(userId, findApp(appId)?.id ?? appId);
    },
    setConnector(c) {
      connector = c;
    },
    uninstall(userId, appId) {
      const before = installations.length;
      installations = installations.filter((i) => !(i.userId === userId && i.appId === appId));
      return installations.length < before;
    },
    reset() {
      requests.length = 0;
      stats = { requests: 0, total429: 0, faults: 0, byStatus: {} };
      faults = [];
      latencyMs = options.latencyMs ?? 0;
      initialInstallations();
    },
    close,
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
