/**
 * A local fake of the Bot Framework Connector REST API (v3) as Microsoft Teams serves it.
 *
 * Teams is replaced ONLY at this HTTP boundary: the bot talks to it with botbuilder's real
 * ConnectorClient, because incoming test activities carry `serviceUrl = fake.url`.
 *
 * Start in-process: `const fake = await startFakeConnector(); ... await fake.close();`
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { EventEmitter } from "node:events";
import { fakeTokenResponse, isTokenEndpoint, listen, pathSegments, readBody, sendJson, sleep, splitUrl } from "./httpUtil";
import { rng as seededRandom } from "../../services/random";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/** Teams' documented per-bot-per-conversation limits for sending, written here apart from the
 * sender's own copy (services/delivery/pacer.ts) so that the fake catches a wrong figure there. */
export const TEAMS_PER_CONVERSATION_LIMITS: readonly RateWindow[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];
/** Teams' limits for reading conversation members (double the send limits). */
export const TEAMS_PER_CONVERSATION_READ_LIMITS: readonly RateWindow[] = [
  { limit: 14, windowMs: 1_000 },
  { limit: 16, windowMs: 2_000 },
  { limit: 120, windowMs: 30_000 },
  { limit: 3_600, windowMs: 3_600_000 },
];

export interface RateWindow {
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** Sliding windows applied per conversation to send/reply/update/delete/create. Default: Teams' 7/1s, 8/2s, 60/30s, 1800/h. */
  perConversation?: readonly RateWindow[];
  /** Sliding windows applied per conversation to GET members. Default: 14/1s, 16/2s, 120/30s, 3600/h. */
  perConversationRead?: readonly RateWindow[];
  /** Global per-app ceiling over every request (default 50). */
  globalLimit?: number;
  /** Window of the global ceiling in ms (default 1000). */
  globalWindowMs?: number;
}

/** A user in the fake's directory (becomes a TeamsChannelAccount in GET members). */
export interface DirectoryMember {
  /** Teams user id, e.g. `29:1abc...`. */
  id: string;
  aadObjectId?: string;
  name?: string;
  givenName?: string;
  surname?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: "user" | "guest" | "anonymous";
}

export interface FakeConnectorOptions {
  /** Port to listen on (default 0 = ephemeral). Always binds 127.0.0.1. */
  port?: number;
  /** Rate limits; `false` disables all limits. Default: Teams limits with a 50 req/s global ceiling. */
  rateLimits?: RateLimitOptions | false;
  /** If true, requests without `Authorization: Bearer <x>` get 401; a function can validate the header value. */
  requireAuth?: boolean | ((authorizationHeader: string) => boolean);
  /** Member directory used by GET members and to resolve create-conversation members. */
  members?: DirectoryMember[];
  /** Activities whose JSON body is larger than this get 413 MessageSizeTooBig. Default 100 KiB; 0 disables. */
  maxActivityBytes?: number;
  /** POST /v3/conversations without tenantId (body.tenantId or channelData.tenant.id) gets 400. Default true. */
  requireTenantId?: boolean;
  /** Fixed latency (ms) added before every response. */
  latencyMs?: number;
  /** Override how the deterministic 1:1 conversation id is made. Default `a:conv-<member id>`. */
  conversationIdFor?: (member: { id: string; aadObjectId?: string }) => string;
  /** Called with every Adaptive Card content of a recorded send, reply or update (e.g. to check it). */
  onCard?: (card: unknown) => void;
}

export type ActivityKind = "send" | "reply" | "update" | "delete";

/** A Bot Framework activity as JSON (loosely typed on purpose). */
export interface ActivityJson {
  type?: string;
  id?: string;
  text?: string;
  replyToId?: string;
  attachments?: Array<{ contentType?: string; content?: unknown; name?: string }>;
  recipient?: { id?: string; aadObjectId?: string; name?: string };
  from?: { id?: string; name?: string };
  conversation?: { id?: string };
  channelData?: unknown;
  value?: unknown;
  [key: string]: unknown;
}

export interface RecordedActivity {
  seq: number;
  kind: ActivityKind;
  conversationId: string;
  activityId: string;
  /** For replies: the activity replied to. */
  replyToId?: string;
  /** Parsed JSON body (undefined for delete). */
  body: ActivityJson | undefined;
  /** Epoch ms when recorded. */
  time: number;
  /** Byte size of the raw JSON body. */
  bytes: number;
  authorization?: string;
}

export interface RequestLogEntry {
  method: string;
  /** Raw (still URL-encoded) path, without query. */
  path: string;
  /** Decoded path (conversation ids readable). */
  decodedPath: string;
  /** HTTP status; 0 if the socket was destroyed without a response. */
  status: number;
  /** Epoch ms at arrival. */
  time: number;
  durationMs: number;
  authorization?: string;
  /** What produced the response. */
  outcome: "ok" | "throttled" | "fault" | "random-fault" | "reset" | "answer lost" | "blocked" | "error";
  conversationId?: string;
  /** Epoch ms at which the rate limiter counted (or refused) the request. */
  limitedAt?: number;
  /** Which of Teams' windows refused it: the tenant's or the conversation's (throttled requests only). */
  limitedBy?: "global" | "conversation";
  /** The client's TCP port: which connection (and so which sender process) made the request. */
  remotePort?: number;
}

export interface FaultSpec {
  status: 429 | 500 | 502 | 503 | 504 | 412 | number;
  count: number;
  /** For 429: Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
  /** Only requests matching this predicate consume the fault. */
  match?: (req: { method: string; path: string; conversationId?: string }) => boolean;
}

export interface RandomFaultSpec {
  rate429?: number;
  rate5xx?: number;
  /** Probability of destroying the socket without a response. */
  rateReset?: number;
  seed?: number;
  /** 5xx statuses to draw from (default [503]). */
  statuses5xx?: number[];
  /** Retry-After for random 429s (default 1). */
  retryAfterSeconds?: number;
}

export type BlockCode = "ConversationBlockedByUser" | "BotDisabledByAdmin" | "BotNotInConversationRoster" | (string & {});

export interface ConnectorStats {
  requests: number;
  /** 429s produced by the rate limiter. */
  throttled: number;
  /** All 429 responses (rate limiter + injected + random). */
  total429: number;
  /** Injected/random non-429 faults. */
  faults: number;
  resets: number;
  blocked: number;
  byStatus: Record<number, number>;
}

export interface SentToOptions {
  /** Include typing activities (default false). */
  includeTyping?: boolean;
}

export interface FakeConnector {
  /** Base URL with trailing slash, e.g. `http://127.0.0.1:PORT/`. Use as activity.serviceUrl. */
  readonly url: string;
  readonly port: number;
  /** Every send/reply/update/delete accepted (2xx), in order. */
  readonly activities: RecordedActivity[];
  /** Every request, including rejected ones. */
  readonly requests: RequestLogEntry[];
  readonly stats: ConnectorStats;
  /** Convenience: number of 429s from the rate limiter. */
  readonly throttledCount: number;
  /** Activities (send/reply/update, not delete, not typing by default) to a conversation id, member id (29:...) or AAD object id. */
  sentTo(target: string, options?: SentToOptions): RecordedActivity[];
  /** Adaptive Card content of the last activity (send/reply/update) to the target carrying one. */
  lastCardTo(target: string): Record<string, unknown> | undefined;
  /** All Adaptive Card contents sent to the target, in order. */
  cardsTo(target: string): Array<Record<string, unknown>>;
  /** Current state of a message (after updates); undefined if unknown; `deleted` if deleted. */
  messageState(conversationId: string, activityId: string): { body: ActivityJson; deleted: boolean } | undefined;
  /** Resolves with the first recorded activity (existing or future) matching predicate; rejects after timeoutMs (default 5000). */
  waitFor(predicate: (a: RecordedActivity) => boolean, timeoutMs?: number): Promise<RecordedActivity>;
  /** Resolves when at least `count` recorded activities match. */
  waitForCount(predicate: (a: RecordedActivity) => boolean, count: number, timeoutMs?: number): Promise<RecordedActivity[]>;
  /** Clears recordings, request log, stats, rate windows, faults, blocks, latency, known messages and conversations. Keeps directory and options. */
  reset(): void;
  /** Next `count` matching requests fail with `status`. Faults queue in order. */
  injectFaults(spec: FaultSpec): void;
  /** Next `count` requests get their socket destroyed without a response. */
  injectResets(count: number): void;
  /**
   * Next `count` requests that succeed are carried out (a send is recorded, Teams has the message)
   * and then their socket is destroyed instead of answering: the answer was lost on the way back.
   */
  injectLostAnswers(count: number): void;
  /** Requests to/for this conversation id, member id or AAD id get 403 `{error:{code}}`. */
  blockUser(conversationOrMemberId: string, code?: BlockCode): void;
  unblockUser(conversationOrMemberId: string): void;
  setLatency(ms: number, jitterMs?: number): void;
  /** Seeded random faults; pass null to turn off. */
  setRandomFaults(spec: RandomFaultSpec | null): void;
  /** Replace rate limits at runtime (`false` disables). Clears windows. */
  setRateLimits(limits: RateLimitOptions | false): void;
  addMember(member: DirectoryMember): void;
  /** Make the fake know a conversation (e.g. one the test invented) and its members. */
  registerConversation(conversationId: string, memberIds: string[]): void;
  close(): Promise<void>;
}

interface ConversationState {
  id: string;
  /** ids and aad ids of members */
  memberKeys: Set<string>;
  members: DirectoryMember[];
  tenantId?: string;
  isGroup: boolean;
}

class SlidingLimiter {
  private readonly times = new Map<string, number[]>();

  /** Returns ms until allowed (0 = allowed now). Does not record. */
  check(key: string, windows: readonly RateWindow[], now: number): number {
    const arr = this.times.get(key);
    if (!arr || arr.length === 0) return 0;
    let wait = 0;
    for (const w of windows) {
      if (w.limit <= 0) continue;
      const start = now - w.windowMs;
      const first = lowerBound(arr, start);
      const count = arr.length - first;
      if (count >= w.limit) {
        // `count - limit + 1` entries must leave the window; the last of them is arr[first + count - limit].
        const t = arr[first + count - w.limit];
        if (t !== undefined) wait = Math.max(wait, t + w.windowMs - now);
      }
    }
    return wait > 0 ? wait : 0;
  }

  record(key: string, windows: readonly RateWindow[], now: number): void {
    let arr = this.times.get(key);
    if (!arr) {
      arr = [];
      this.times.set(key, arr);
    }
    arr.push(now);
    const maxWindow = windows.reduce((m, w) => Math.max(m, w.windowMs), 0);
    const cut = lowerBound(arr, now - maxWindow);
    if (cut > 1024) arr.splice(0, cut); // amortised pruning
  }

  clear(): void {
    this.times.clear();
  }
}

/** First index with arr[i] > value (arr ascending). */
function lowerBound(arr: number[], value: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

const FAULT_CODES: Record<number, string> = {
  400: "BadArgument",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  412: "PreconditionFailed",
  413: "MessageSizeTooBig",
  429: "ThrottledRequest",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

type Route =
  | { op: "createConversation" }
  | { op: "send"; conversationId: string }
  | { op: "reply"; conversationId: string; activityId: string }
  | { op: "update"; conversationId: string; activityId: string }
  | { op: "delete"; conversationId: string; activityId: string }
  | { op: "members"; conversationId: string }
  | { op: "pagedMembers"; conversationId: string }
  | { op: "member"; conversationId: string; memberId: string }
  | { op: "token" };

function matchRoute(method: string, segs: string[]): Route | undefined {
  if (isTokenEndpoint(method, segs)) return { op: "token" };
  if (segs[0] !== "v3" || segs[1] !== "conversations") return undefined;
  const conversationId = segs[2];
  if (segs.length === 2) return method === "POST" ? { op: "createConversation" } : undefined;
  if (conversationId === undefined) return undefined;
  const sub = segs[3];
  if (sub === "activities") {
    const activityId = segs[4];
    if (segs.length === 4 && method === "POST") return { op: "send", conversationId };
    if (segs.length === 5 && activityId !== undefined) {
      if (method === "POST") return { op: "reply", conversationId, activityId };
      if (method === "PUT") return { op: "update", conversationId, activityId };
      if (method === "DELETE") return { op: "delete", conversationId, activityId };
    }
    return undefined;
  }
  if (sub === "members" && method === "GET") {
    if (segs.length === 4) return { op: "members", conversationId };
    const memberId = segs[4];
    if (segs.length === 5 && memberId !== undefined) return { op: "member", conversationId, memberId };
  }
  if (sub === "pagedmembers" && method === "GET" && segs.length === 4) return { op: "pagedMembers", conversationId };
  return undefined;
}

function toChannelAccount(m: DirectoryMember): Record<string, unknown> {
  return {
    id: m.id,
    name: m.name,
    aadObjectId: m.aadObjectId,
    givenName: m.givenName,
    surname: m.surname,
    email: m.email,
    userPrincipalName: m.userPrincipalName,
    tenantId: m.tenantId,
    userRole: m.userRole ?? "user",
  };
}

function isAdaptive(att: { contentType?: string } | undefined): boolean {
  return !!att && att.contentType === ADAPTIVE_CARD_CONTENT_TYPE;
}

function cardContent(content: unknown): Record<string, unknown> | undefined {
  if (typeof content === "string") {
    try {
      return JSON.parse(content) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  if (content && typeof content === "object") return content as Record<string, unknown>;
  return undefined;
}

export async function startFakeConnector(options: FakeConnectorOptions = {}): Promise<FakeConnector> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const activities: RecordedActivity[] = [];
  const requests: RequestLogEntry[] = [];
  const directory: DirectoryMember[] = [...(options.members ?? [])];
  const conversations = new Map<string, ConversationState>();
  const messages = new Map<string, { body: ActivityJson; deleted: boolean }>();
  const blocks = new Map<string, BlockCode>();
  const limiter = new SlidingLimiter();
  const maxActivityBytes = options.maxActivityBytes ?? 100 * 1024;
  const requireTenantId = options.requireTenantId ?? true;

  let rateLimits: Required<RateLimitOptions> | false = normaliseLimits(options.rateLimits);
  let faults: FaultSpec[] = [];
  let resetsPending = 0;
  let lostAnswersPending = 0;
  let latencyMs = options.latencyMs ?? 0;
  let jitterMs = 0;
  let jitterRng = seededRandom(1);
  let random: { spec: RandomFaultSpec; rng: () => number } | null = null;
  let seq = 0;
  let activitySeq = 0;
  let stats: ConnectorStats = emptyStats();

  function emptyStats(): ConnectorStats {
    return { requests: 0, throttled: 0, total429: 0, faults: 0, resets: 0, blocked: 0, byStatus: {} };
  }

  function normaliseLimits(l: RateLimitOptions | false | undefined): Required<RateLimitOptions> | false {
    if (l === false) return false;
    return {
      perConversation: l?.perConversation ?? TEAMS_PER_CONVERSATION_LIMITS,
      perConversationRead: l?.perConversationRead ?? TEAMS_PER_CONVERSATION_READ_LIMITS,
      globalLimit: l?.globalLimit ?? 50,
      globalWindowMs: l?.globalWindowMs ?? 1_000,
    };
  }

  const key = (conv: string, id: string): string => `${conv}\n${id}`;

  // The directory by id and Entra id (the first member in order wins), rebuilt after a change: a
  // directory of 10,000 people scanned per request delayed the fake's own loop.
  let byKey: Map<string, DirectoryMember> | undefined;
  function findMember(idOrAad: string): DirectoryMember | undefined {
    if (!byKey) {
      byKey = new Map();
      for (const m of directory) for (const k of [m.id, m.aadObjectId]) if (k !== undefined && !byKey.has(k)) byKey.set(k, m);
    }
    return byKey.get(idOrAad);
  }

  function conversationIdFor(member: { id: string; aadObjectId?: string }): string {
    if (options.conversationIdFor) return options.conversationIdFor(member);
    return `a:conv-${member.id}`;
  }

  function getConversation(conversationId: string): ConversationState {
    let c = conversations.get(conversationId);
    if (!c) {
      c = { id: conversationId, memberKeys: new Set(), members: [], isGroup: false };
      // Derive the member of a deterministic 1:1 id we would have produced.
      if (conversationId.startsWith("a:conv-")) {
        const mid = conversationId.slice("a:conv-".length);
        const m = findMember(mid);
        addConvMember(c, m ?? { id: mid });
      }
      conversations.set(conversationId, c);
    }
    return c;
  }

  function addConvMember(c: ConversationState, m: DirectoryMember): void {
    if (!c.members.some((x) => x.id === m.id)) c.members.push(m);
    c.memberKeys.add(m.id);
    if (m.aadObjectId) c.memberKeys.add(m.aadObjectId);
  }

  function blockFor(conversationId: string | undefined, memberIds: string[] = []): BlockCode | undefined {
    if (blocks.size === 0) return undefined;
    if (conversationId !== undefined) {
      const b = blocks.get(conversationId);
      if (b) return b;
      const c = conversations.get(conversationId) ?? getConversation(conversationId);
      for (const k of c.memberKeys) {
        const bk = blocks.get(k);
        if (bk) return bk;
      }
    }
    for (const id of memberIds) {
      const b = blocks.get(id);
      if (b) return b;
      const m = findMember(id);
      if (m) {
        const bm = blocks.get(m.id) ?? (m.aadObjectId ? blocks.get(m.aadObjectId) : undefined);
        if (bm) return bm;
      }
    }
    return undefined;
  }

  function record(a: Omit<RecordedActivity, "seq" | "time">): RecordedActivity {
    const rec: RecordedActivity = { ...a, seq: ++seq, time: Date.now() };
    activities.push(rec);
    if (options.onCard)
      for (const att of rec.body?.attachments ?? []) if (att.contentType === ADAPTIVE_CARD_CONTENT_TYPE) options.onCard(att.content);
    emitter.emit("activity", rec);
    return rec;
  }

  function newActivityId(): string {
    activitySeq += 1;
    // Teams activity ids look like epoch-ms strings; keep them unique and sortable.
    return `${Date.now()}${String(activitySeq).padStart(6, "0")}`;
  }

  function matchesTarget(a: RecordedActivity, target: string): boolean {
    if (a.conversationId === target) return true;
    const c = conversations.get(a.conversationId);
    if (c?.memberKeys.has(target)) return true;
    const r = a.body?.recipient;
    return !!r && (r.id === target || r.aadObjectId === target);
  }

  function sentTo(target: string, opts: SentToOptions = {}): RecordedActivity[] {
    return activities.filter((a) => a.kind !== "delete" && (opts.includeTyping || a.body?.type !== "typing") && matchesTarget(a, target));
  }

  function cardsOf(a: RecordedActivity): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const att of a.body?.attachments ?? []) {
      if (isAdaptive(att)) {
        const c = cardContent(att.content);
        if (c) out.push(c);
      }
    }
    return out;
  }

  function respond(res: ServerResponse, log: RequestLogEntry, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (lostAnswersPending > 0 && status >= 200 && status < 300) {
      lostAnswersPending -= 1;
      log.outcome = "answer lost";
      res.socket?.destroy();
      return;
    }
    log.status = status;
    sendJson(res, status, body, headers);
  }

  function throttle(res: ServerResponse, log: RequestLogEntry, waitMs: number): void {
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    stats.throttled += 1;
    log.outcome = "throttled";
    respond(res, log, 429, errorBody("ThrottledRequest", `Too many requests. Retry after ${retryAfter} seconds.`), {
      "Retry-After": String(retryAfter),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const { rawPath, rawQuery } = splitUrl(req.url ?? "/");
    const query = new URLSearchParams(rawQuery);
    const segs = pathSegments(rawPath);
    const authorization = req.headers.authorization;
    const route = matchRoute(method, segs);
    const conversationId = route && "conversationId" in route ? route.conversationId : undefined;
    const log: RequestLogEntry = {
      method,
      path: rawPath,
      decodedPath: "/" + segs.join("/"),
      status: 0,
      time: started,
      durationMs: 0,
      outcome: "ok",
      ...(req.socket.remotePort !== undefined ? { remotePort: req.socket.remotePort } : {}),
      ...(authorization !== undefined ? { authorization } : {}),
      ...(conversationId !== undefined ? { conversationId } : {}),
    };
    requests.push(log);
    stats.requests += 1;
    res.on("close", () => {
      log.durationMs = Date.now() - started;
      stats.byStatus[log.status] = (stats.byStatus[log.status] ?? 0) + 1;
      if (log.status === 429) stats.total429 += 1;
    });

    if (resetsPending > 0) {
      resetsPending -= 1;
      stats.resets += 1;
      log.outcome = "reset";
      req.socket.destroy();
      return;
    }

    const raw = await readBody(req);

    const delay = latencyMs + (jitterMs > 0 ? Math.floor(jitterRng() * jitterMs) : 0);
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;

    // Injected faults (FIFO, first matching).
    const faultIdx = faults.findIndex(
      (f) =>
        f.count > 0 &&
        (!f.match || f.match({ method, path: log.decodedPath, ...(conversationId !== undefined ? { conversationId } : {}) })),
    );
    const fault = faultIdx >= 0 ? faults[faultIdx] : undefined;
    if (fault) {
      fault.count -= 1;
      if (fault.count <= 0) faults.splice(faultIdx, 1);
      log.outcome = "fault";
      if (fault.status !== 429) stats.faults += 1;
      const headers: Record<string, string> = fault.status === 429 ? { "Retry-After": String(fault.retryAfterSeconds ?? 1) } : {};
      const code = FAULT_CODES[fault.status] ?? "Fault";
      respond(res, log, fault.status, errorBody(code, `Injected fault ${fault.status}`), headers);
      return;
    }

    if (random) {
      const { spec, rng } = random;
      const r = rng();
      const p429 = spec.rate429 ?? 0;
      const p5xx = spec.rate5xx ?? 0;
      const pReset = spec.rateReset ?? 0;
      if (r < p429) {
        log.outcome = "random-fault";
        const ra = String(spec.retryAfterSeconds ?? 1);
        respond(res, log, 429, errorBody("ThrottledRequest", "Random throttle"), { "Retry-After": ra });
        return;
      }
      if (r < p429 + p5xx) {
        const list = spec.statuses5xx && spec.statuses5xx.length > 0 ? spec.statuses5xx : [503];
        const status = list[Math.floor(rng() * list.length)] ?? 503;
        log.outcome = "random-fault";
        stats.faults += 1;
        respond(res, log, status, errorBody(FAULT_CODES[status] ?? "Fault", `Random fault ${status}`));
        return;
      }
      if (r < p429 + p5xx + pReset) {
        log.outcome = "reset";
        stats.resets += 1;
        req.socket.destroy();
        return;
      }
    }

    if (route?.op === "token") {
      respond(res, log, 200, fakeTokenResponse());
      return;
    }

    if (options.requireAuth) {
      const ok =
        typeof options.requireAuth === "function"
          ? authorization !== undefined && options.requireAuth(authorization)
          : /^Bearer\s+\S+/i.test(authorization ?? "");
      if (!ok) {
        log.outcome = "error";
        respond(res, log, 401, { message: "Authorization has been denied for this request." });
        return;
      }
    }

    if (!route) {
      log.outcome = "error";
      respond(res, log, 404, errorBody("NotFound", `No route for ${method} ${log.decodedPath}`));
      return;
    }

    let body: ActivityJson | undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8")) as ActivityJson;
      } catch {
        log.outcome = "error";
        respond(res, log, 400, errorBody("BadSyntax", "Invalid JSON body"));
        return;
      }
    }
    const isWrite = route.op === "send" || route.op === "reply" || route.op === "update" || route.op === "createConversation";
    if (isWrite && maxActivityBytes > 0 && raw.length > maxActivityBytes) {
      log.outcome = "error";
      respond(res, log, 413, errorBody("MessageSizeTooBig", `Activity body is ${raw.length} bytes; limit is ${maxActivityBytes}.`));
      return;
    }

    // Rate limits.
    const now = Date.now();
    let convKey: string | undefined;
    let convWindows: readonly RateWindow[] = [];
    let createMembers: string[] = [];
    let createdId: string | undefined;
    if (route.op === "createConversation") {
      const members = Array.isArray(body?.members) ? (body.members as Array<{ id?: string; aadObjectId?: string }>) : [];
      createMembers = members.map((m) => m.id ?? m.aadObjectId ?? "").filter((x) => x.length > 0);
      const first = createMembers[0];
      if (body?.isGroup !== true && first !== undefined) {
        const dm = findMember(first);
        const memberAad = members[0]?.aadObjectId ?? dm?.aadObjectId;
        createdId = conversationIdFor({ id: dm?.id ?? first, ...(memberAad ? { aadObjectId: memberAad } : {}) });
      }
    }
    if (rateLimits) {
      const g = rateLimits.globalLimit > 0 ? [{ limit: rateLimits.globalLimit, windowMs: rateLimits.globalWindowMs }] : [];
      if (route.op === "members" || route.op === "member" || route.op === "pagedMembers") {
        convKey = `r:${route.conversationId}`;
        convWindows = rateLimits.perConversationRead;
      } else if (conversationId !== undefined) {
        convKey = `w:${conversationId}`;
        convWindows = rateLimits.perConversation;
      } else if (createdId !== undefined) {
        convKey = `c:${createdId}`;
        convWindows = rateLimits.perConversation;
      }
      log.limitedAt = now;
      const waitGlobal = limiter.check("global", g, now);
      const waitConv = convKey ? limiter.check(convKey, convWindows, now) : 0;
      const wait = Math.max(waitGlobal, waitConv);
      if (wait > 0) {
        log.limitedBy = waitGlobal >= waitConv ? "global" : "conversation";
        throttle(res, log, wait);
        return;
      }
      limiter.record("global", g, now);
      if (convKey) limiter.record(convKey, convWindows, now);
    }

    // Blocks.
    const blocked = route.op === "createConversation" ? blockFor(createdId, createMembers) : blockFor(conversationId);
    if (blocked) {
      stats.blocked += 1;
      log.outcome = "blocked";
      const msg =
        blocked === "ConversationBlockedByUser"
          ? "User blocked the conversation with the bot."
          : blocked === "BotDisabledByAdmin"
            ? "The bot is disabled by admin."
            : `Forbidden: ${blocked}`;
      respond(res, log, 403, errorBody(blocked, msg));
      return;
    }

    const recordBase = authorization !== undefined ? { authorization } : {};

    switch (route.op) {
      case "createConversation": {
        const tenantId =
          (typeof body?.tenantId === "string" ? body.tenantId : undefined) ??
          (body?.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
        if (requireTenantId && !tenantId) {
          log.outcome = "error";
          respond(res, log, 400, errorBody("BadArgument", "Tenant id is required (tenantId or channelData.tenant.id)."));
          return;
        }
        if (createMembers.length === 0) {
          log.outcome = "error";
          respond(res, log, 400, errorBody("BadArgument", "Conversation must have at least one member."));
          return;
        }
        const id = createdId ?? `19:fake-group-${++activitySeq}@thread.v2`;
        const conv = getConversation(id);
        conv.isGroup = body?.isGroup === true;
        if (tenantId) conv.tenantId = tenantId;
        const members = (body?.members ?? []) as Array<{ id?: string; aadObjectId?: string; name?: string }>;
        for (const m of members) {
          const mid = m.id ?? m.aadObjectId;
          if (!mid) continue;
          const dm = findMember(mid);
          addConvMember(
            conv,
            dm ?? { id: mid, ...(m.aadObjectId ? { aadObjectId: m.aadObjectId } : {}), ...(m.name ? { name: m.name } : {}) },
          );
        }
        const result: Record<string, unknown> = { id, serviceUrl: url };
        const initial = body?.activity as ActivityJson | undefined;
        if (initial && typeof initial === "object") {
          const activityId = newActivityId();
          const bytes = Buffer.byteLength(JSON.stringify(initial));
          messages.set(key(id, activityId), { body: initial, deleted: false });
          record({ ...recordBase, kind: "send", conversationId: id, activityId, body: initial, bytes });
          result.activityId = activityId;
        }
        respond(res, log, 201, result);
        return;
      }
      case "send":
      case "reply": {
        if (!body) {
          log.outcome = "error";
          respond(res, log, 400, errorBody("BadArgument", "Activity body required"));
          return;
        }
        const conv = getConversation(route.conversationId);
        const r = body.recipient;
        if (r?.id && !conv.isGroup) {
          const dm = findMember(r.id) ?? (r.aadObjectId ? findMember(r.aadObjectId) : undefined);
          addConvMember(conv, dm ?? { id: r.id, ...(r.aadObjectId ? { aadObjectId: r.aadObjectId } : {}) });
        }
        const activityId = newActivityId();
        messages.set(key(route.conversationId, activityId), { body, deleted: false });
        record({
          ...recordBase,
          kind: route.op,
          conversationId: route.conversationId,
          activityId,
          ...(route.op === "reply" ? { replyToId: route.activityId } : {}),
          body,
          bytes: raw.length,
        });
        respond(res, log, 201, { id: activityId });
        return;
      }
      case "update": {
        const m = messages.get(key(route.conversationId, route.activityId));
        if (!m || m.deleted) {
          log.outcome = "error";
          respond(res, log, 404, errorBody("ActivityNotFoundInConversation", `Unknown activity ${route.activityId}`));
          return;
        }
        if (!body) {
          log.outcome = "error";
          respond(res, log, 400, errorBody("BadArgument", "Activity body required"));
          return;
        }
        m.body = body;
        record({
          ...recordBase,
          kind: "update",
          conversationId: route.conversationId,
          activityId: route.activityId,
          body,
          bytes: raw.length,
        });
        respond(res, log, 200, { id: route.activityId });
        return;
      }
      case "delete": {
        const m = messages.get(key(route.conversationId, route.activityId));
        if (!m || m.deleted) {
          log.outcome = "error";
          respond(res, log, 404, errorBody("ActivityNotFoundInConversation", `Unknown activity ${route.activityId}`));
          return;
        }
        m.deleted = true;
        record({
          ...recordBase,
          kind: "delete",
          conversationId: route.conversationId,
          activityId: route.activityId,
          body: undefined,
          bytes: 0,
        });
        respond(res, log, 200, undefined);
        return;
      }
      case "members":
      case "pagedMembers": {
        const conv = getConversation(route.conversationId);
        if (conv.members.length === 0) {
          log.outcome = "error";
          respond(res, log, 404, errorBody("ConversationNotFound", `Unknown conversation ${route.conversationId}`));
          return;
        }
        const list = conv.members.map((m) => toChannelAccount(findMember(m.id) ?? m));
        if (route.op === "members") {
          respond(res, log, 200, list);
        } else {
          const pageSize = Math.max(1, Number(query.get("pageSize") ?? "500") || 500);
          const start = Number(query.get("continuationToken") ?? "0") || 0;
          const page = list.slice(start, start + pageSize);
          const next = start + pageSize < list.length ? String(start + pageSize) : undefined;
          respond(res, log, 200, { members: page, ...(next ? { continuationToken: next } : {}) });
        }
        return;
      }
      case "member": {
        const m = findMember(route.memberId);
        if (!m) {
          log.outcome = "error";
          respond(res, log, 404, errorBody("MemberNotFoundInConversation", `Member ${route.memberId} not found`));
          return;
        }
        respond(res, log, 200, toChannelAccount(m));
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendJson(res, 500, errorBody("FakeError", String(err)));
    });
  });
  server.keepAliveTimeout = 5_000;
  const { port, close } = await listen(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}/`;

  function waitForCount(predicate: (a: RecordedActivity) => boolean, count: number, timeoutMs = 5_000): Promise<RecordedActivity[]> {
    return new Promise((resolve, reject) => {
      const matched = activities.filter(predicate);
      if (matched.length >= count) {
        resolve(matched.slice(0, count));
        return;
      }
      const onActivity = (a: RecordedActivity): void => {
        if (!predicate(a)) return;
        matched.push(a);
        if (matched.length >= count) {
          clearTimeout(timer);
          emitter.off("activity", onActivity);
          resolve(matched.slice(0, count));
        }
      };
      const timer = setTimeout(() => {
        emitter.off("activity", onActivity);
        reject(new Error(`waitFor: ${matched.length}/${count} matching activities after ${timeoutMs} ms (${activities.length} recorded)`));
      }, timeoutMs);
      emitter.on("activity", onActivity);
    });
  }

  const fake: FakeConnector = {
    url,
    port,
    activities,
    requests,
    get stats() {
      return stats;
    },
    get throttledCount() {
      return stats.throttled;
    },
    sentTo,
    lastCardTo(target) {
      const list = sentTo(target);
      for (let i = list.length - 1; i >= 0; i--) {
        const a = list[i];
        if (!a) continue;
        const cards = cardsOf(a);
        const last = cards[cards.length - 1];
        if (last) return last;
      }
      return undefined;
    },
    cardsTo(target) {
      return sentTo(target).flatMap(cardsOf);
    },
    messageState(conversationId, activityId) {
      return messages.get(key(conversationId, activityId));
    },
    async waitFor(predicate, timeoutMs = 5_000) {
      const [a] = await waitForCount(predicate, 1, timeoutMs);
      return a as RecordedActivity;
    },
    waitForCount,
    reset() {
      activities.length = 0;
      requests.length = 0;
      stats = emptyStats();
      limiter.clear();
      faults = [];
      resetsPending = 0;
      lostAnswersPending = 0;
      blocks.clear();
      latencyMs = options.latencyMs ?? 0;
      jitterMs = 0;
      random = null;
      messages.clear();
      conversations.clear();
    },
    injectFaults(spec) {
      if (spec.count > 0) faults.push({ ...spec });
    },
    injectResets(count) {
      resetsPending += count;
    },
    injectLostAnswers(count) {
      lostAnswersPending += count;
    },
    blockUser(id, code = "ConversationBlockedByUser") {
      blocks.set(id, code);
    },
    unblockUser(id) {
      blocks.delete(id);
    },
    setLatency(ms, jitter = 0) {
      latencyMs = ms;
      jitterMs = jitter;
      jitterRng = seededRandom(1);
    },
    setRandomFaults(spec) {
      random = spec ? { spec, rng: seededRandom(spec.seed ?? 42) } : null;
    },
    setRateLimits(limits) {
      rateLimits = normaliseLimits(limits);
      limiter.clear();
    },
    addMember(member) {
      const i = directory.findIndex((m) => m.id === member.id);
      if (i >= 0) {
        directory[i] = member;
        byKey = undefined;
      } else {
        directory.push(member);
        for (const k of [member.id, member.aadObjectId]) if (k !== undefined && byKey && !byKey.has(k)) byKey.set(k, member);
      }
    },
    registerConversation(conversationId, memberIds) {
      const c = getConversation(conversationId);
      for (const id of memberIds) addConvMember(c, findMember(id) ?? { id });
    },
    close,
  };
  return fake;
}
