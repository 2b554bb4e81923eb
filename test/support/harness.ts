// The end-to-end harness: the real service (HTTP, bot, services, PostgreSQL) with Teams replaced
// only at its HTTP boundary by the fake Bot Connector. Tests act as staff members by posting real
// Teams activities to /api/messages and read what the bot sent back from the fake.
import { unescapeMarkdown } from "../../cards/markdown";
import { loadConfig } from "../../services/config";
import { ManualClock, type Clock } from "../../services/clock";
import { createLogger } from "../../services/logger";
import { startService, type RunningService } from "../../bot/service";
import { startFakeConnector, type FakeConnector, type FakeConnectorOptions } from "../fakes/botConnector";
import {
  invokeActionExecute,
  messageActivity,
  personalConversationId,
  postToBot,
  submitActivity,
  installationUpdate,
  type FromUser,
} from "../fakes/activities";
import { createTestDatabase, type TestDatabase } from "./testDb";
import { PEOPLE, type Person } from "./people";
import { runDueJobs } from "../../services/jobs";
import { buildJobHandlers } from "../../services/jobHandlers";
import { noteCard } from "./cardGuard";
import type { Role } from "../../generated/prisma/enums";

export interface HarnessOptions {
  clock?: Clock;
  env?: Record<string, string>;
  seed?: boolean;
  startSender?: boolean;
  connector?: FakeConnectorOptions;
}

export interface StaffRef {
  id: string;
  name: string;
  email: string;
  aadObjectId: string | null;
  teamId: string | null;
  roles: Role[];
  lineManagerId: string | null;
}

export class Harness {
  constructor(
    readonly service: RunningService,
    readonly connector: FakeConnector,
    readonly database: TestDatabase,
    readonly clock: Clock,
  ) {}

  get db() {
    return this.service.ctx.db;
  }
  get endpoint() {
    return `${this.service.url}/api/messages`;
  }

  from(s: StaffRef): FromUser {
    if (!s.aadObjectId) throw new Error(`${s.email} has no Entra id`);
    return { aadObjectId: s.aadObjectId, name: s.name };
  }

  conversationOf(s: StaffRef): string {
    return personalConversationId(this.from(s));
  }

  /** Staff with a role (optionally in a team), in a stable order. */
  async staffWithRole(role: Role, teamId?: string): Promise<StaffRef[]> {
    return this.db.staff.findMany({ where: { roles: { has: role }, ...(teamId ? { teamId } : {}) }, orderBy: { email: "asc" } });
  }

  async one(role: Role, teamId?: string): Promise<StaffRef> {
    const s = (await this.staffWithRole(role, teamId))[0];
    if (!s) throw new Error(`no staff with role ${role}`);
    return s;
  }

  /** A staff member by email. */
  byEmail(email: string): Promise<StaffRef> {
    return this.db.staff.findUniqueOrThrow({ where: { email } });
  }

  /** The demo directory's named people (support/people.ts). */
  async people(): Promise<Record<Person, StaffRef>> {
    const rows = await this.db.staff.findMany({ where: { email: { in: Object.values(PEOPLE) } } });
    const people = {} as Record<Person, StaffRef>;
    for (const [k, email] of Object.entries(PEOPLE) as [Person, string][]) {
      const s = rows.find((r) => r.email === email);
      if (!s) throw new Error(`${email} is not in the directory`);
      people[k] = s;
    }
    return people;
  }

  /** Runs the scheduled jobs due by the harness clock. */
  runJobs() {
    return runDueJobs(this.service.ctx, buildJobHandlers());
  }

  /** The user opens the bot (personal install): their conversation becomes known. */
  async install(s: StaffRef) {
    return postToBot(this.endpoint, installationUpdate({ from: this.from(s), serviceUrl: this.connector.url }));
  }

  /** Every active member of staff opens the bot, and what that sends is delivered; returns them by email. */
  async installEveryone(): Promise<StaffRef[]> {
    const staff = await this.db.staff.findMany({ where: { active: true }, orderBy: { email: "asc" } });
    for (const s of staff) await this.install(s);
    await this.drainOutbox();
    return staff;
  }

  /** Types a message; returns the HTTP status and the cards the bot sent in reply. */
  async say(s: StaffRef, text: string) {
    const before = this.connector.sentTo(this.conversationOf(s)).length;
    const res = await postToBot(this.endpoint, messageActivity({ from: this.from(s), serviceUrl: this.connector.url, text }));
    const after = this.connector.sentTo(this.conversationOf(s)).slice(before);
    return {
      status: res.status,
      cards: after.flatMap((a) => (a.body?.attachments ?? []).map((x) => x.content as Record<string, unknown>)),
      activities: after,
    };
  }

  /** Presses an Action.Execute button; returns the card that replaces it. */
  async execute(s: StaffRef, verb: string, data: Record<string, unknown> = {}, replyToId?: string) {
    const res = await postToBot(
      this.endpoint,
      invokeActionExecute({ from: this.from(s), serviceUrl: this.connector.url, verb, data, replyToId }),
    );
    const body = res.body as { statusCode?: number; type?: string; value?: Record<string, unknown> } | undefined;
    // The card that replaces the pressed one is checked like every card sent (cardGuard.ts).
    if (body?.type === "application/vnd.microsoft.card.adaptive") noteCard(body.value);
    return { status: res.status, invokeStatus: body?.statusCode, card: body?.value ?? {}, text: cardText(body?.value) };
  }

  /** Presses a button on a client without Universal Actions (Action.Submit fallback). */
  async submit(s: StaffRef, data: Record<string, unknown>, replyToId?: string) {
    const before = this.connector.activities.length;
    const res = await postToBot(this.endpoint, submitActivity({ from: this.from(s), serviceUrl: this.connector.url, data, replyToId }));
    return { status: res.status, activities: this.connector.activities.slice(before) };
  }

  /** Delivers everything due in the outbox now. */
  async drainOutbox(): Promise<number> {
    const sender = this.service.sender;
    if (!sender) throw new Error("drainOutbox needs the sender in this process (BACKGROUND_WORK=inline)");
    let total = 0;
    for (;;) {
      const n = await sender.drainOnce(100);
      total += n;
      if (n === 0) return total;
    }
  }

  async close() {
    await this.service.close();
    await this.connector.close();
    await this.database.drop();
  }
}

/** All text in a card (TextBlocks, FactSets, titles), for assertions a user would make by reading. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    for (const k of ["text", "title", "value", "label", "placeholder"])
      if (typeof o[k] === "string" || typeof o[k] === "number") out.push(String(o[k]));
    for (const [k, v] of Object.entries(o)) if (k !== "fallback" && typeof v === "object") walk(v);
  };
  walk(card);
  // As Teams shows it: text from data is markdown-escaped (cards/render.ts).
  return unescapeMarkdown(out.join("\n"));
}

/** Buttons (verb and title) on a card. */
export function cardActions(card: unknown): { verb: string; title: string; data: Record<string, unknown> }[] {
  const out: { verb: string; title: string; data: Record<string, unknown> }[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    if (o.type === "Action.Execute")
      out.push({ verb: String(o.verb), title: String(o.title ?? ""), data: (o.data as Record<string, unknown>) ?? {} });
    for (const [k, v] of Object.entries(o)) if (k !== "fallback" && typeof v === "object") walk(v);
  };
  walk(card);
  return out;
}

/** The configuration of a service under test: any free port, quiet, no scheduler, the sender driven by the test. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    DEMO_SEED: "false",
    SCHEDULER_ENABLED: "false",
    BACKGROUND_WORK: "inline", // the tests drive the sender and its clock in this process
    DELIVERY_POLL_MS: "60000",
    DATABASE_URL: databaseUrl,
    ...env,
  });
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const connector = await startFakeConnector({ ...(opts.connector ?? { rateLimits: false }), onCard: noteCard });
  const database = await createTestDatabase({ seed: opts.seed ?? true });
  const clock = opts.clock ?? new ManualClock();
  const config = testConfig(database.url, opts.env);
  const service = await startService({
    config,
    clock,
    log: createLogger(config.LOG_LEVEL),
    databaseUrl: database.url,
    seedDemo: false,
    startSender: opts.startSender ?? false,
  });
  return new Harness(service, connector, database, clock);
}

/** The Input element with this id on a card (to read what a page shows or kept). */
export function inputOf(card: unknown, id: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  const walk = (n: unknown) => {
    if (found || !n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Record<string, unknown>;
    if (o.id === id && typeof o.type === "string" && o.type.startsWith("Input.")) found = o;
    else Object.values(o).forEach(walk);
  };
  walk(card);
  return found;
}

/** The audit version and page an audit form card saves with (its audit.page.save buttons). */
export const versionOf = (card: unknown) => Number(cardActions(card).find((a) => a.verb === "audit.page.save")?.data.version);
export const pageOf = (card: unknown) => String(cardActions(card).find((a) => a.verb === "audit.page.save")?.data.page);
