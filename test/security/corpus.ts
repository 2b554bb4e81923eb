// The hostile-input corpus: generated and hand-written requests to /api/messages. Each case says
// what a correct service answers: a 4xx, a card (invoke response or a message in the
// conversation), or "any" non-5xx (activities the bot has nothing to say to).
import { randomUUID } from "node:crypto";
import { invokeActionExecute, messageActivity, submitActivity, installationUpdate, type FromUser } from "../fakes/activities";

export interface CorpusCase {
  name: string;
  body: string | Buffer;
  contentType?: string;
  method?: string;
  headers?: Record<string, string>;
  expect: "4xx" | "413" | "card" | "any";
}

export interface CorpusContext {
  serviceUrl: string;
  user: FromUser;
  /** Another staff member (for forged ids). */
  other: { id: string; aadObjectId: string };
  verbs: string[];
}

const j = (o: unknown) => JSON.stringify(o);

function deep(depth: number, leaf: unknown = "x"): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
/** Deep nesting written as text (JSON.stringify would recurse). */
const deepText = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

export const unicodeTexts: [string, string][] = [
  ["RTL override", "\u202Ehelp"],
  ["RTL text", "مساعدة"],
  ["zero-width joiners", "he\u200Bl\u200Dp"],
  ["zero-width only", "\u200B\u200C\u200D\uFEFF"],
  ["lone high surrogate", "help \uD800"],
  ["lone low surrogate", "\uDC00help"],
  ["emoji family", "👩‍👩‍👧‍👦 help"],
  ["emoji only", "🔥🔥🔥"],
  ["NUL byte", "help\u0000"],
  ["combining marks", `h${"\u0301".repeat(2000)}elp`],
  ["fullwidth", "ｈｅｌｐ"],
  ["CRLF", "help\r\n"],
  ["tabs", "\thelp\t"],
  ["only spaces", "     "],
  ["empty", ""],
  ["HTML", "<script>alert(1)</script>"],
  ["adaptive card templating", "${$root.secret} ${json($root)}"],
  ["markdown link", "[click](javascript:alert(1))"],
  ["SQL", 'help\'; DROP TABLE "History"; --'],
  ["format string", "%s%s%s%n"],
  ["path traversal", "../../../../etc/passwd"],
  ["mention markup", "<at>Assure</at> help"],
  ["upper case command", "HELP"],
  ["turkish i", "hİlp"],
  ["BOM", "\uFEFFhelp"],
  ["very long", "help ".repeat(20_000)],
];

export const hostileVerbs = [
  "",
  " ",
  "HELP.SHOW",
  "help.show ",
  " help.show",
  "help.show\u0000",
  "help.show\u200B",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "../../etc/passwd",
  "help.*",
  "help.show;drop",
  "v".repeat(10_000),
  "🔥",
  "\uD800",
  "null",
];

export const hostileData: [string, unknown][] = [
  ["null", null],
  ["array", [1, 2, 3]],
  ["string", "data"],
  ["number", 42],
  ["boolean", true],
  ["__proto__ key", JSON.parse('{"__proto__":{"polluted":"yes"},"verb":"x"}')],
  ["constructor.prototype", { constructor: { prototype: { polluted: "yes" } } }],
  ["nested __proto__", JSON.parse('{"a":{"__proto__":{"polluted":"yes"}},"b":[{"__proto__":{"polluted":"yes"}}]}')],
  ["deep nesting 200", deep(200)],
  ["huge string 200 KB", { note: "x".repeat(200_000) }],
  ["many keys", Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))],
  ["wrong types", { id: 123, auditId: { $ne: null }, page: "1; DROP", grade: "NaN", answers: "[]" }],
  ["NaN-like numbers", { score: 1e308, grade: -0, area: 2 ** 53 + 1 }],
  ["unicode ids", { auditId: "\u202E1234", staffId: "👩", caseRef: "\uD800" }],
];

export function buildCorpus(c: CorpusContext): CorpusCase[] {
  const out: CorpusCase[] = [];
  const user = c.user;
  const su = c.serviceUrl;
  const msg = (text: string, extra: Record<string, unknown> = {}) => ({
    ...messageActivity({ from: user, serviceUrl: su, text }),
    ...extra,
  });
  const inv = (verb: string, data: unknown, extra: Record<string, unknown> = {}) => {
    const a = invokeActionExecute({ from: user, serviceUrl: su, verb, data: {} });
    (a.value as { action: { data: unknown } }).action.data = data;
    return { ...a, ...extra };
  };

  // 1. Not JSON, or JSON that is not an activity.
  const notJson = [
    "{",
    "[",
    "}{",
    "{'type':'message'}",
    '{"type":"message",}',
    "NaN",
    "undefined",
    "\u0000",
    '{"type":"message"',
    "<xml/>",
    "type=message",
  ];
  for (const b of notJson) out.push({ name: `invalid JSON ${j(b)}`, body: b, expect: "4xx" });
  for (const b of ["null", "true", "123", '"message"', "[]", "[{}]", "{}", '{"type":null}', '{"type":123}', '{"type":[]}', '{"type":{}}'])
    out.push({ name: `JSON that is not an activity ${b}`, body: b, expect: "4xx" });
  out.push({ name: "empty body", body: "", expect: "4xx" });
  out.push({ name: "BOM before JSON", body: `\uFEFF${j(msg("help"))}`, expect: "any" });
  out.push({ name: "deep nesting 100000 (text)", body: deepText(100_000), expect: "4xx" });
  out.push({ name: "deep nesting in activity value (5000)", body: `{"type":"message","value":${deepText(5000)}}`, expect: "4xx" });

  // 2. Content types and methods.
  const good = j(msg("help"));
  for (const ct of [
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
  ])
    out.push({ name: `content-type ${ct}`, body: good, contentType: ct, expect: "4xx" });
  out.push({ name: "no content-type", body: good, contentType: "", expect: "4xx" });
  out.push({ name: "json with charset", body: good, contentType: "application/json; charset=utf-8", expect: "card" });
  out.push({ name: "json with unsupported charset", body: good, contentType: "application/json; charset=utf-16", expect: "4xx" });
  out.push({ name: "gzip claimed, not gzip", body: good, headers: { "Content-Encoding": "gzip" }, expect: "4xx" });
  out.push({ name: "unknown content-encoding", body: good, headers: { "Content-Encoding": "br2" }, expect: "4xx" });
  for (const m of ["GET", "PUT", "DELETE", "PATCH"])
    out.push({ name: `method ${m}`, body: m === "GET" ? "" : good, method: m, expect: "4xx" });

  // 3. Size: the body limit is 256 KB.
  out.push({ name: "1 MB text message", body: j(msg("x".repeat(1_000_000))), expect: "413" });
  out.push({ name: "300 KB card data", body: j(inv("help.show", { note: "y".repeat(300_000) })), expect: "413" });
  out.push({ name: "200 KB text message (under the limit)", body: j(msg("z".repeat(200_000))), expect: "card" });

  // 4. Activity envelope with wrong types / missing fields.
  const envelopes: [string, Record<string, unknown>][] = [
    ["type unknown", { type: "nonsense" }],
    ["type empty", { type: "" }],
    ["from missing", { from: undefined }],
    ["from null", { from: null }],
    ["from string", { from: "29:abc" }],
    ["from number", { from: 7 }],
    ["from without aadObjectId", { from: { id: "29:x" } }],
    ["aadObjectId number", { from: { id: "29:x", aadObjectId: 123 } }],
    ["aadObjectId object", { from: { id: "29:x", aadObjectId: { $ne: null } } }],
    ["aadObjectId SQL", { from: { id: "29:x", aadObjectId: "' OR 1=1 --" } }],
    ["aadObjectId of someone else with my id", { from: { id: `29:${user.aadObjectId}`, aadObjectId: randomUUID() } }],
    ["conversation missing", { conversation: undefined }],
    ["conversation null", { conversation: null }],
    ["conversation string", { conversation: "a:1" }],
    ["conversation id number", { conversation: { id: 5, conversationType: "personal" } }],
    ["conversation group chat", { conversation: { id: "19:group", conversationType: "groupChat", tenantId: "t" } }],
    ["conversationType channel", { conversation: { id: "19:chan", conversationType: "channel" } }],
    ["serviceUrl missing", { serviceUrl: undefined }],
    ["serviceUrl number", { serviceUrl: 42 }],
    ["serviceUrl unreachable", { serviceUrl: "http://127.0.0.1:1/" }],
    ["serviceUrl javascript:", { serviceUrl: "javascript:alert(1)" }],
    ["serviceUrl file:", { serviceUrl: "file:///etc/passwd" }],
    ["recipient missing", { recipient: undefined }],
    ["recipient null", { recipient: null }],
    ["channelId other", { channelId: "webchat" }],
    ["channelId number", { channelId: 9 }],
    ["channelData string", { channelData: "x" }],
    ["channelData __proto__", { channelData: JSON.parse('{"__proto__":{"polluted":"yes"}}') }],
    ["entities string", { entities: "x" }],
    ["entities huge", { entities: Array.from({ length: 2000 }, () => ({ type: "mention", text: "<at>x</at>" })) }],
    ["attachments string", { attachments: "x" }],
    ["attachments junk", { attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: "{" }] }],
    ["timestamp junk", { timestamp: "yesterday" }],
    ["timestamp far future", { timestamp: "9999-12-31T23:59:59Z" }],
    ["locale junk", { locale: "../../x" }],
    ["replyToId unknown", { replyToId: "1:doesnotexist" }],
    ["id missing", { id: undefined }],
    ["id huge", { id: "i".repeat(50_000) }],
  ];
  for (const [name, extra] of envelopes) {
    const broken = { ...msg("help"), ...extra };
    out.push({ name: `message: ${name}`, body: j(broken), expect: "any" });
    const brokenInvoke = { ...inv("help.show", {}), ...extra };
    out.push({ name: `invoke: ${name}`, body: j(brokenInvoke), expect: "any" });
  }

  // 5. Text edge cases (typed commands).
  for (const [name, text] of unicodeTexts) out.push({ name: `text: ${name}`, body: j(msg(text)), expect: "card" });
  for (const t of [123, null, {}, [], true])
    out.push({ name: `text of type ${j(t)}`, body: j({ ...msg("help"), text: t }), expect: "any" });

  // 6. Invoke value shapes.
  const values: [string, unknown][] = [
    ["null", null],
    ["string", "x"],
    ["array", []],
    ["no action", {}],
    ["action null", { action: null }],
    ["action string", { action: "help.show" }],
    ["verb number", { action: { type: "Action.Execute", verb: 7, data: {} } }],
    ["verb missing", { action: { type: "Action.Execute", data: {} } }],
    ["verb object", { action: { type: "Action.Execute", verb: { toString: "help.show" }, data: {} } }],
    ["type Action.Submit", { action: { type: "Action.Submit", verb: "help.show", data: {} } }],
  ];
  for (const [name, value] of values)
    out.push({ name: `invoke value ${name}`, body: j({ ...inv("help.show", {}), value }), expect: "4xx" });
  for (const n of ["adaptiveCard/unknown", "", "signin/verifyState", "composeExtension/query", "task/fetch", "config/fetch"])
    out.push({ name: `invoke name ${j(n)}`, body: j({ ...inv("help.show", {}), name: n }), expect: "4xx" });

  // 7. Unknown verbs, through Execute and through the Submit fallback.
  for (const v of hostileVerbs) {
    out.push({ name: `execute unknown verb ${j(v.slice(0, 20))}`, body: j(inv(v, {})), expect: "card" });
    out.push({
      name: `submit unknown verb ${j(v.slice(0, 20))}`,
      body: j(submitActivity({ from: user, serviceUrl: su, data: { verb: v } })),
      expect: "card",
    });
  }

  // 8. Every real verb with hostile data and with forged ids of other people's objects.
  const forged = {
    auditId: randomUUID(),
    moderationId: randomUUID(),
    escalationId: randomUUID(),
    actionId: randomUUID(),
    campaignId: randomUUID(),
    staffId: c.other.id,
    practitionerId: c.other.id,
    auditorId: c.other.id,
    actorId: c.other.id,
    aadObjectId: c.other.aadObjectId,
    caseRef: "LL000000",
    version: -1,
  };
  for (const verb of c.verbs) {
    for (const [name, data] of hostileData) {
      out.push({ name: `${verb} execute with ${name}`, body: j(inv(verb, data)), expect: "card" });
      if (data && typeof data === "object" && !Array.isArray(data))
        out.push({
          name: `${verb} submit with ${name}`,
          body: j(submitActivity({ from: user, serviceUrl: su, data: { ...(data as object), verb } })),
          expect: "card",
        });
    }
    out.push({ name: `${verb} execute with forged ids`, body: j(inv(verb, forged)), expect: "card" });
    out.push({
      name: `${verb} submit with forged ids`,
      body: j(submitActivity({ from: user, serviceUrl: su, data: { ...forged, verb } })),
      expect: "card",
    });
    out.push({
      name: `${verb} submit with verb as number`,
      body: j(submitActivity({ from: user, serviceUrl: su, data: { verb: 1 } })),
      expect: "card",
    });
  }

  // 9. Replayed and out-of-order activities.
  const replay = msg("help", { id: "replayed-activity-1" });
  out.push({ name: "activity (first)", body: j(replay), expect: "card" });
  out.push({ name: "same activity id replayed", body: j(replay), expect: "card" });
  out.push({ name: "same activity id replayed again", body: j(replay), expect: "card" });
  const staleSubmit = submitActivity({ from: user, serviceUrl: su, data: { verb: "help.show" }, replyToId: "1:card-from-last-year" });
  out.push({ name: "submit replying to an unknown card", body: j({ ...staleSubmit, timestamp: "2020-01-01T00:00:00Z" }), expect: "card" });
  out.push({
    name: "invoke for an old card",
    body: j(inv("help.show", {}, { replyToId: "1:old", timestamp: "2001-01-01T00:00:00Z" })),
    expect: "card",
  });
  out.push({
    name: "install then uninstall",
    body: j(installationUpdate({ from: user, serviceUrl: su, action: "remove" })),
    expect: "any",
  });
  out.push({
    name: "installationUpdate unknown action",
    body: j({ ...installationUpdate({ from: user, serviceUrl: su }), action: "explode" }),
    expect: "any",
  });
  out.push({
    name: "unknown user typed message",
    body: j(msg("help", { from: { id: "29:nobody", aadObjectId: randomUUID() } })),
    expect: "card",
  });
  out.push({
    name: "unknown user invoke",
    body: j(inv("help.show", {}, { from: { id: "29:nobody", aadObjectId: randomUUID() } })),
    expect: "card",
  });
  return out;
}

/**
 * Markdown that Teams (and markdown-it, the reference renderer's processor) would render as markup
 * if it reached a TextBlock or FactSet as typed: every item carries the marker "INJ" so the card
 * text it lands in can be found. Line-start constructs (headings, lists, quotes) come after a line
 * break when joined with "\n".
 */
export const markdownCorpus = [
  "INJ1 [Sign in again](https://evil.example/login)",
  "INJ2 ![img](https://evil.example/pixel.png)",
  "INJ3 **URGENT** __bold__ *em* _em_ ~~gone~~ `code`",
  "# INJ4 heading",
  "- INJ5 bullet",
  "* INJ6 bullet",
  "+ INJ7 bullet",
  "1. INJ8 numbered",
  "2) INJ9 numbered",
  "> INJ10 quote",
  "INJ11 <at>Head of Service</at>",
  "INJ12 <b>bold</b> <a href='https://evil.example'>x</a> <img src=x onerror=alert(1)>",
  "INJ13 &lt;tag&gt; &amp; &#42;",
  "INJ14 <https://evil.example/auto>",
  "INJ15 | a | b |",
  "INJ16 a*b a_b \\* back\\slash",
];

/** Characters a CommonMark backslash can escape. */
const ESCAPED = /\\([!-/:-@[-`{-~])/g;

/** The markup constructs left in markdown text (escaped characters are not markup). */
export function markupIn(markdown: string): string[] {
  const t = markdown.replace(ESCAPED, "\u0000");
  const found: string[] = [];
  const checks: [string, RegExp][] = [
    ["link or image", /\[[^\]\n]*\]\(/],
    ["emphasis", /\*\*|__|~~|(^|[\s(])[*_][^\s*_]/m],
    ["code", /`/],
    ["heading", /^[ \t]*#/m],
    ["list", /^[ \t]*([-+*]|\d+[.)])(\s|$)/m],
    ["quote", /^[ \t]*>/m],
    ["HTML, mention or autolink", /<[A-Za-z/!?]/],
    ["entity", /&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i],
    ["table", /\|/],
  ];
  for (const [name, re] of checks) if (re.test(t)) found.push(name);
  return found;
}
