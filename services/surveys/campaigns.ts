// Survey campaigns: the QA team opens a survey (any form template) for an audience with a window;
// invitations go out through the outbox; reminders reach non-respondents only; the form is paged,
// keeps a draft and can be resumed; closing the window stops answers.
//
// Anonymous against someone who reads the whole database (system columns included) and the logs.
// What links a person to a survey is SurveyParticipation (invited, responded yes/no, their
// unfinished draft). What they answered carries no staff id, no conversation id, no time and no
// order, and cannot be read until the campaign closes:
// - submit (one transaction): the participation is marked responded and the answers are held
//   sealed (seal.ts: encrypted under a key outside the database, padded to one size per form). The
//   held row shares the transaction id of the participation update, which says only that this
//   person answered, which the participation says anyway;
// - close: every held answer set is opened, team and role are kept only for groups of at least
//   MIN_GROUP_SIZE of the campaign's answers (coarsen), and all are written to SurveyResponse in one
//   shuffled insert dated with the closing day; the sealed rows are deleted. Results read only
//   SurveyResponse of closed campaigns (results.ts), so there is one view of the answers.
// Nothing else is written on submit (no history row, no outbox message, no receipt), and the bot
// logs survey page presses without the actor. docs/DPIA.md says what this rests on and its limits.
import { MANAGEMENT_ROLES } from "../directory/roles";
import { randomInt } from "node:crypto";
import type { Prisma } from "../../generated/prisma/client";
import type { Role } from "../../generated/prisma/enums";
import type { AppContext } from "../context";
import { quietHours } from "../context";
import type { Tx } from "../db";
import { AlreadyDone, Closed, Conflict, NotFound, NotPermitted, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { sendNextStepsPlan } from "./nextSteps";
import { may, requireCapability, type Actor } from "../permissions";
import { shuffle } from "../random";
import { peopleCount, suppressGroups } from "../disclosure";
import { seal, sealedSize, sealKey, unseal, type SealedAnswers } from "./seal";
import { isoDate, localDate, nextDeliveryTime, parseIsoDate, zonedInstant } from "../workingTime";
import { loadFormTemplate, type Audience, type FormTemplate } from "../forms/templateSchema";
import { stepForm, type Answers, type FormNav, type FormPageView } from "../forms/engine";

/** Who a campaign is for. Empty lists mean "no filter"; all filters must hold. */
export interface AudienceSpec {
  roles?: Role[];
  teams?: string[];
  /** New starters: staff whose start date falls in [startedFrom, startedTo] (ISO dates). */
  startedFrom?: string;
  startedTo?: string;
}

export interface OpenCampaignInput {
  templateId: string;
  audience: AudienceSpec;
  opensAt: Date;
  closesAt: Date;
  title?: string;
  reminderEveryDays?: number;
  repeatEveryMonths?: number | null;
  /** Exactly these people instead of the audience's match (the induction questionnaire's starters). */
  staffIds?: string[];
}

export const MANAGER_ROLES: Role[] = MANAGEMENT_ROLES;
const QA_ROLES: Role[] = ["QA_TEAM", "HEAD_OF_QA"];

/** The form audience of a member of staff, from the directory (used when a form has no role question). */
export function directoryAudience(roles: Role[]): Audience {
  if (roles.some((r) => MANAGER_ROLES.includes(r))) return "manager";
  if (roles.some((r) => QA_ROLES.includes(r)) && !roles.includes("PRACTITIONER")) return "qa";
  return "practitioner";
}

/** Audience choices on the "open a survey" form → the service's AudienceSpec. */
export function parseAudience(values: string[], today: Date): AudienceSpec {
  const spec: AudienceSpec = {};
  const roles = new Set<string>();
  const teams: string[] = [];
  for (const v of values) {
    if (v === "practitioners") roles.add("PRACTITIONER");
    else if (v === "managers") MANAGER_ROLES.forEach((r) => roles.add(r));
    else if (v === "starters") {
      const from = new Date(today);
      from.setUTCMonth(from.getUTCMonth() - 4);
      const to = new Date(today);
      to.setUTCMonth(to.getUTCMonth() - 3);
      spec.startedFrom = from.toISOString().slice(0, 10);
      spec.startedTo = to.toISOString().slice(0, 10);
    } else if (v.startsWith("team:")) teams.push(v.slice(5));
  }
  if (roles.size) spec.roles = [...roles] as Role[];
  if (teams.length) spec.teams = teams;
  return spec;
}

const CLOSED_MESSAGE = (title: string, closedOn: string) =>
  `${title} closed on ${closedOn}, so answers can no longer be taken. Nothing from this card was recorded. Thank you for your time.`;

export function formatDay(at: Date, tz: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

/** Local calendar day of an instant, as a Date for a @db.Date column (UTC midnight). */
export function dayOnly(at: Date, tz: string): Date {
  return new Date(`${isoDate(localDate(at, tz))}T00:00:00Z`);
}

/** Start of a local day ("2026-12-01" → 00:00 Europe/London). */
export function startOfLocalDay(iso: string, tz: string): Date {
  return zonedInstant(parseIsoDate(iso), 0, 0, tz);
}

/** End of a local day: 00:00 on the following day. */
export function endOfLocalDay(iso: string, tz: string): Date {
  const d = parseIsoDate(iso);
  const next = new Date(Date.UTC(d.y, d.m - 1, d.d + 1));
  return zonedInstant({ y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() }, 0, 0, tz);
}

const cryptoRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

export type CampaignState = "scheduled" | "open" | "closed";

export function campaignState(c: { status: string; opensAt: Date; closesAt: Date }, now: Date): CampaignState {
  if (c.status === "closed" || now >= c.closesAt) return "closed";
  return now < c.opensAt ? "scheduled" : "open";
}

async function audienceStaff(tx: Tx, template: FormTemplate, spec: AudienceSpec) {
  // Partner agencies' guests are not council staff: they are never in a survey's audience.
  const where: Prisma.StaffWhereInput = { active: true, partnerAgency: null };
  // A form typed in on someone else's behalf (the parent/carer phone survey) is for the people who
  // make the calls, whatever audience was asked for.
  const roles = template.enteredBy === "qa" ? QA_ROLES : spec.roles;
  if (roles?.length) where.roles = { hasSome: roles };
  if (spec.teams?.length && template.enteredBy !== "qa") where.teamId = { in: spec.teams };
  if (spec.startedFrom || spec.startedTo) {
    where.startDate = {
      ...(spec.startedFrom ? { gte: new Date(`${spec.startedFrom}T00:00:00Z`) } : {}),
      ...(spec.startedTo ? { lte: new Date(`${spec.startedTo}T00:00:00Z`) } : {}),
    };
  }
  return tx.staff.findMany({ where, select: { id: true }, orderBy: { id: "asc" } });
}

function addMonths(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

function inviteData(
  c: { id: string; title: string; closesAt: Date },
  template: FormTemplate,
  ctx: AppContext,
  kind: "invite" | "reminder",
) {
  const tz = ctx.config.TIMEZONE;
  return {
    kind,
    campaignId: c.id,
    title: c.title,
    heading: kind === "reminder" ? `Reminder: ${c.title}` : c.title,
    description: template.description ?? "",
    closes: `Open until ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}.`,
    privacy: template.anonymous
      ? `Your answers are anonymous: they are stored without your name, your Teams chat or the time you answered, and results are shown only for groups of at least ${ctx.config.MIN_GROUP_SIZE} people.`
      : "",
    onBehalf: template.enteredBy === "qa",
  };
}

/** Opens a campaign: participations for the audience, invitations, the close job and reminders. */
export async function openCampaign(ctx: AppContext, actor: Actor | null, input: OpenCampaignInput) {
  if (actor) requireCapability(actor, "survey.manage");
  let template: FormTemplate;
  try {
    template = loadFormTemplate(input.templateId);
  } catch {
    throw new ValidationFailed("There is no such form.", { templateId: `No form template called ${input.templateId}.` });
  }
  const now = ctx.clock.now();
  const fieldErrors: Record<string, string> = {};
  if (!(input.closesAt > input.opensAt)) fieldErrors.closesOn = "The survey must close after it opens.";
  if (!(input.closesAt > now)) fieldErrors.closesOn = "The closing date is in the past.";
  const every = input.reminderEveryDays ?? 7;
  if (!Number.isInteger(every) || every < 0 || every > 60)
    fieldErrors.reminderEveryDays = "Reminders: a whole number of days from 0 (none) to 60.";
  if (Object.keys(fieldErrors).length) throw new ValidationFailed("The survey could not be opened.", fieldErrors);
  return ctx.db.$transaction((tx) => openCampaignTx(tx, ctx, actor, template, input), { timeout: 60_000 });
}

/** The writes of opening a campaign, in the caller's transaction (also used to repeat one). */
export async function openCampaignTx(tx: Tx, ctx: AppContext, actor: Actor | null, template: FormTemplate, input: OpenCampaignInput) {
  const now = ctx.clock.now();
  const every = input.reminderEveryDays ?? 7;
  const repeat = input.repeatEveryMonths === undefined ? (template.frequency === "quarterly" ? 3 : null) : input.repeatEveryMonths;
  const staff = input.staffIds ? input.staffIds.map((id) => ({ id })) : await audienceStaff(tx, template, input.audience);
  if (!staff.length) throw new ValidationFailed("Nobody in the directory matches that audience.", { audience: "No staff match." });
  const campaign = await tx.surveyCampaign.create({
    data: {
      templateId: template.id,
      templateVersion: template.version,
      title: input.title ?? template.title,
      audience: input.audience as Prisma.InputJsonValue,
      opensAt: input.opensAt,
      closesAt: input.closesAt,
      status: "open",
      createdById: actor?.id ?? null,
      reminderEveryDays: template.enteredBy ? 0 : every,
      repeatEveryMonths: repeat,
    },
  });
  await inviteToCampaign(
    tx,
    ctx,
    campaign,
    template,
    staff.map((s) => s.id),
  );
  await scheduleJob(tx, {
    key: `survey:${campaign.id}:close`,
    name: "survey.close",
    runAt: input.closesAt,
    data: { campaignId: campaign.id },
  });
  if (campaign.reminderEveryDays > 0) {
    const first = new Date(Math.max(input.opensAt.getTime(), now.getTime()) + campaign.reminderEveryDays * 86_400_000);
    if (first < input.closesAt) {
      await scheduleJob(tx, {
        key: `survey:${campaign.id}:reminder:1`,
        name: "survey.reminder",
        runAt: first,
        data: { campaignId: campaign.id, n: 1 },
      });
    }
  }
  await recordHistory(tx, {
    entityType: "survey_campaign",
    entityId: campaign.id,
    action: "opened",
    actorId: actor?.id ?? null,
    after: {
      templateId: template.id,
      version: template.version,
      audience: input.audience,
      invited: staff.length,
      opensAt: input.opensAt,
      closesAt: input.closesAt,
    },
  });
  return { campaign, invited: staff.length };
}

/** Participations and invitations (a routine message: held through quiet hours) for people added to a campaign. */
export async function inviteToCampaign(
  tx: Tx,
  ctx: AppContext,
  campaign: { id: string; title: string; opensAt: Date; closesAt: Date },
  template: FormTemplate,
  staffIds: string[],
): Promise<void> {
  const now = ctx.clock.now();
  await tx.surveyParticipation.createMany({ data: staffIds.map((staffId) => ({ campaignId: campaign.id, staffId, invitedAt: now })) });
  const { notBefore } = deliveryOf(ctx, "survey.invite", campaign.opensAt > now ? campaign.opensAt : now);
  for (const id of staffIds) {
    await enqueueMessage(tx, {
      recipientId: id,
      idempotencyKey: `survey:${campaign.id}:invite:${id}`,
      cardKey: `survey:${campaign.id}:invite`,
      payload: { template: "survey-invite", data: inviteData(campaign, template, ctx, "invite") },
      notBefore,
    });
  }
}

/** Job: remind those who have not answered (never those who have), then schedule the next reminder. */
export async function sendReminders(tx: Tx, ctx: AppContext, campaignId: string, n: number): Promise<number> {
  const c = await tx.surveyCampaign.findUnique({ where: { id: campaignId } });
  const now = ctx.clock.now();
  if (!c || campaignState(c, now) !== "open") return 0;
  const template = loadFormTemplate(c.templateId);
  const pending = await tx.surveyParticipation.findMany({ where: { campaignId, responded: false }, select: { id: true, staffId: true } });
  const sendAt = nextDeliveryTime(now, quietHours(ctx.config));
  const data = inviteData(c, template, ctx, "reminder");
  for (const p of pending) {
    await enqueueMessage(tx, {
      recipientId: p.staffId,
      idempotencyKey: `survey:${campaignId}:reminder:${n}:${p.staffId}`,
      payload: { template: "survey-invite", data },
      notBefore: sendAt,
    });
  }
  if (pending.length)
    await tx.surveyParticipation.updateMany({ where: { id: { in: pending.map((p) => p.id) } }, data: { remindedAt: now } });
  const next = new Date(now.getTime() + c.reminderEveryDays * 86_400_000);
  if (c.reminderEveryDays > 0 && next < c.closesAt) {
    await scheduleJob(tx, {
      key: `survey:${campaignId}:reminder:${n + 1}`,
      name: "survey.reminder",
      runAt: next,
      data: { campaignId, n: n + 1 },
    });
  }
  return pending.length;
}

/**
 * Submits (shared) and the close (exclusive) of one campaign exclude each other, so no answer is
 * held after the close has released them. An advisory lock: a row lock would leave the locker's
 * transaction id in the row.
 */
async function lockCampaign(tx: Tx, campaignId: string, mode: "shared" | "exclusive"): Promise<void> {
  const key = `survey:${campaignId}`;
  if (mode === "shared") await tx.$queryRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))::text`;
  else await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))::text`;
}

interface OpenedRow {
  answers: Prisma.JsonValue;
  teamId: string | null;
  roleGroup: string | null;
}

/**
 * Team and role group stored with each answer set, decided on all of a campaign's answers at once.
 * The role group a person gave is visible in their answers anyway (the form routes by it), so the
 * team is what must not single anyone out: for each directory role group, a team is kept only when
 * at least `min` answers of that role come from it, with secondary suppression so the answers whose
 * team was dropped are at least `min` too (else a reader could work out who they are by elimination).
 * The role group column is kept for role groups given by at least `min` people, the same way.
 */
export function coarsen(rows: SealedAnswers[], min: number): OpenedRow[] {
  const shown = (keys: (string | null)[]) => {
    const counts = new Map<string, number>();
    for (const k of keys) if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
    const groups = suppressGroups(
      [...counts].map(([key, n]) => ({ key, n })),
      min,
    );
    return new Set(groups.filter((g) => !g.suppressed).map((g) => g.key));
  };
  const roles = shown(rows.map((r) => r.stated));
  const teamsOf = new Map<string | null, Set<string>>();
  for (const d of new Set(rows.map((r) => r.directory))) teamsOf.set(d, shown(rows.filter((r) => r.directory === d).map((r) => r.teamId)));
  return rows.map((r) => ({
    answers: r.answers as Prisma.JsonValue,
    teamId: r.teamId !== null && teamsOf.get(r.directory)!.has(r.teamId) ? r.teamId : null,
    roleGroup: r.stated !== null && roles.has(r.stated) ? r.stated : null,
  }));
}

/** Opens a closed campaign's sealed answers and writes them to SurveyResponse in one shuffled insert, dated `day`. */
async function releaseHeldResponses(tx: Tx, ctx: AppContext, campaignId: string, day: Date): Promise<number> {
  const held = await tx.$queryRaw<{ sealed: Uint8Array }[]>`
    DELETE FROM "SurveyResponseHolding" WHERE "campaignId" = ${campaignId} RETURNING sealed`;
  if (!held.length) return 0;
  const key = sealKey(ctx.config);
  const rows = coarsen(
    held.map((h) => unseal(key, h.sealed)),
    ctx.config.MIN_GROUP_SIZE,
  );
  await tx.surveyResponse.createMany({
    data: shuffle(rows, cryptoRandom).map((h) => ({
      campaignId,
      submittedOn: day,
      roleGroup: h.roleGroup,
      teamId: h.teamId,
      answers: h.answers as Prisma.InputJsonValue,
    })),
  });
  return held.length;
}

/** Closes a campaign (QA, or the job at closesAt): no more answers, held answers flushed, drafts deleted. */
export async function closeCampaign(ctx: AppContext, actor: Actor | null, campaignId: string): Promise<void> {
  if (actor) requireCapability(actor, "survey.manage");
  await ctx.db.$transaction((tx) => closeCampaignTx(tx, ctx, actor, campaignId), { timeout: 60_000 });
}

export async function closeCampaignTx(tx: Tx, ctx: AppContext, actor: Actor | null, campaignId: string): Promise<void> {
  const c = await tx.surveyCampaign.findUnique({ where: { id: campaignId } });
  if (!c) throw new NotFound("That survey does not exist.");
  if (c.status === "closed") {
    if (actor) throw new AlreadyDone(`${c.title} is already closed.`);
    return;
  }
  const now = ctx.clock.now();
  await lockCampaign(tx, campaignId, "exclusive");
  const r = await tx.surveyCampaign.updateMany({
    where: { id: campaignId, status: { not: "closed" } },
    data: { status: "closed", closedAt: now },
  });
  if (r.count === 0) return;
  await releaseHeldResponses(tx, ctx, campaignId, dayOnly(now, ctx.config.TIMEZONE));
  // Unfinished answers are never kept once they can no longer be sent.
  await tx.surveyParticipation.updateMany({ where: { campaignId }, data: { draft: {} } });
  await cancelJobs(tx, `survey:${campaignId}`);
  await recordHistory(tx, {
    entityType: "survey_campaign",
    entityId: campaignId,
    action: "closed",
    actorId: actor?.id ?? null,
    after: { closedAt: now },
  });
  await sendNextStepsPlan(tx, ctx, c);
  if (c.repeatEveryMonths) {
    // A repeating survey (managers' standards, quarterly) opens its next round as this one closes.
    const template = loadFormTemplate(c.templateId);
    let opensAt = addMonths(c.opensAt, c.repeatEveryMonths);
    let closesAt = addMonths(c.closesAt, c.repeatEveryMonths);
    while (closesAt <= now) {
      opensAt = addMonths(opensAt, c.repeatEveryMonths);
      closesAt = addMonths(closesAt, c.repeatEveryMonths);
    }
    await openCampaignTx(tx, ctx, null, template, {
      templateId: c.templateId,
      title: c.title,
      audience: c.audience as AudienceSpec,
      opensAt,
      closesAt,
      reminderEveryDays: c.reminderEveryDays,
      repeatEveryMonths: c.repeatEveryMonths,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Answering.

interface Draft {
  answers?: Answers;
  page?: number;
}

/**
 * A draft is the person's own, but it holds all but the last page of what they will submit, and the
 * old row version stays readable (dead tuples, WAL, backups) after the submit clears it: so it is
 * sealed and padded like held answers, and its size says nothing about the answers released later.
 */
function sealDraft(ctx: AppContext, template: FormTemplate, draft: Draft): Prisma.InputJsonValue {
  const sealed = seal(sealKey(ctx.config), sealedSize(template), { answers: draft, teamId: null, stated: null, directory: null });
  return { sealed: Buffer.from(sealed).toString("base64") };
}

/** The draft of a participation (sealed; plain from before drafts were sealed; {} when none). */
export function openDraft(ctx: AppContext, draft: Prisma.JsonValue): Draft {
  const d = (draft ?? {}) as { sealed?: string } & Draft;
  if (typeof d.sealed !== "string") return d;
  return unseal(sealKey(ctx.config), Buffer.from(d.sealed, "base64")).answers as Draft;
}

export interface MySurvey {
  campaignId: string;
  title: string;
  closes: string;
  resume: boolean;
  onBehalf: boolean;
}

/** The open surveys a member of staff has still to answer (and on-behalf forms they can fill in). */
export async function myOpenSurveys(ctx: AppContext, actor: Actor): Promise<MySurvey[]> {
  const now = ctx.clock.now();
  const rows = await ctx.db.surveyParticipation.findMany({
    where: { staffId: actor.id, campaign: { status: { not: "closed" }, opensAt: { lte: now }, closesAt: { gt: now } } },
    include: { campaign: true },
    orderBy: { campaign: { closesAt: "asc" } },
  });
  return rows
    .map((p) => ({ p, t: loadFormTemplate(p.campaign.templateId) }))
    .filter(({ p, t }) => t.enteredBy || !p.responded)
    .map(({ p, t }) => ({
      campaignId: p.campaignId,
      title: p.campaign.title,
      closes: formatDay(new Date(p.campaign.closesAt.getTime() - 1), ctx.config.TIMEZONE),
      resume: Object.keys(openDraft(ctx, p.draft).answers ?? {}).length > 0,
      onBehalf: Boolean(t.enteredBy),
    }));
}

export type AnswerOutcome =
  | { kind: "page"; template: FormTemplate; view: FormPageView }
  | { kind: "submitted"; title: string; message: string; again: boolean; campaignId: string };

/**
 * One press of Start / Resume / Back / Next / Save / Submit on a survey card. The draft is the
 * participation's; the answers leave it only on submit, into the anonymous holding table.
 */
export async function answerSurvey(
  ctx: AppContext,
  actor: Actor,
  input: { campaignId: string; page: number; nav: FormNav; data: Record<string, unknown> },
): Promise<AnswerOutcome> {
  const tz = ctx.config.TIMEZONE;
  return ctx.db.$transaction(async (tx) => {
    const c = await tx.surveyCampaign.findUnique({ where: { id: input.campaignId } });
    if (!c) throw new NotFound("That survey does not exist.");
    const now = ctx.clock.now();
    const state = campaignState(c, now);
    if (state === "closed")
      throw new Closed(
        CLOSED_MESSAGE(c.title, formatDay(c.closedAt && c.closedAt < c.closesAt ? c.closedAt : new Date(c.closesAt.getTime() - 1), tz)),
      );
    if (state === "scheduled") throw new Closed(`${c.title} opens on ${formatDay(c.opensAt, tz)}.`);
    // Lock the participation row: a double click on Submit records once.
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "SurveyParticipation" WHERE "campaignId" = ${c.id} AND "staffId" = ${actor.id} FOR UPDATE`;
    if (!rows.length) throw new NotPermitted("This survey was not sent to you. If you think it should have been, tell the QA team.");
    const p = await tx.surveyParticipation.findUniqueOrThrow({ where: { id: rows[0]!.id } });
    const template = loadFormTemplate(c.templateId);
    if (template.version !== c.templateVersion) {
      throw new Conflict(
        `The ${template.title} form changed (version ${c.templateVersion} → ${template.version}) after this survey opened; the QA team needs to reopen it.`,
      );
    }
    const onBehalf = Boolean(template.enteredBy);
    if (onBehalf && !may(actor, "survey.manage")) throw new NotPermitted("This form is filled in by the QA team.");
    if (p.responded && !onBehalf)
      throw new AlreadyDone(`You have already answered ${c.title}. Thank you. Answers are anonymous, so they cannot be changed.`);
    const draft = openDraft(ctx, p.draft);
    const dirAudience = directoryAudience(actor.roles);
    const step = stepForm(
      template,
      { answers: draft.answers ?? {}, page: draft.page ?? 0 },
      { ...input, directoryAudience: onBehalf ? undefined : dirAudience },
    );
    if (step.complete) {
      await lockCampaign(tx, c.id, "shared");
      const open = await tx.surveyCampaign.findUnique({ where: { id: c.id }, select: { status: true } });
      if (open?.status === "closed") throw new Closed(CLOSED_MESSAGE(c.title, formatDay(now, tz)));
      // One transaction: participation marked (no response id, no time), draft cleared, answers sealed.
      await tx.surveyParticipation.update({ where: { id: p.id }, data: onBehalf ? { draft: {} } : { responded: true, draft: {} } });
      const stated = step.audience ?? dirAudience;
      await tx.surveyResponseHolding.create({
        data: {
          campaignId: c.id,
          sealed: seal(sealKey(ctx.config), sealedSize(template), {
            answers: step.complete,
            teamId: onBehalf ? null : actor.teamId,
            stated: onBehalf ? null : stated,
            directory: onBehalf ? null : dirAudience,
          }),
        },
      });
      return {
        kind: "submitted",
        campaignId: c.id,
        again: onBehalf,
        title: onBehalf ? "Recorded" : "Thank you",
        message: onBehalf
          ? `The answers for this family were recorded anonymously in ${c.title}. You can enter another family's answers.`
          : `Your answers to ${c.title} were recorded anonymously. They cannot be traced back to you.`,
      };
    }
    await tx.surveyParticipation.update({ where: { id: p.id }, data: { draft: sealDraft(ctx, template, step.state) } });
    const anonymityLine = template.anonymous ? " Your answers are anonymous." : "";
    return {
      kind: "page",
      template,
      view: {
        answers: step.state.answers,
        page: step.page,
        errors: step.errors,
        raw: step.raw,
        notice: step.notice,
        directoryAudience: onBehalf ? undefined : dirAudience,
        verb: "survey.page",
        actionData: { campaignId: c.id },
        subtitle: onBehalf
          ? `Entered on behalf of a family during a phone call. Do not type names. Open until ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}.`
          : `Open until ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}.${anonymityLine}`,
      },
    };
  });
}

export interface CampaignSummary {
  id: string;
  title: string;
  templateId: string;
  state: CampaignState;
  window: string;
  invited: number;
  /** People who answered (families entered, for a form filled in on their behalf), as shown: "12" or "fewer than 5". */
  answered: string;
  onBehalf: boolean;
}

/** Campaigns for the QA team's overview: newest first. */
export async function listCampaigns(ctx: AppContext, actor: Actor, limit = 8): Promise<CampaignSummary[]> {
  requireCapability(actor, "survey.manage");
  const now = ctx.clock.now();
  const tz = ctx.config.TIMEZONE;
  const cs = await ctx.db.surveyCampaign.findMany({ orderBy: { opensAt: "desc" }, take: limit });
  const counts = await ctx.db.surveyParticipation.groupBy({
    by: ["campaignId", "responded"],
    where: { campaignId: { in: cs.map((c) => c.id) } },
    _count: { _all: true },
  });
  const responses = await ctx.db.surveyResponse.groupBy({
    by: ["campaignId"],
    where: { campaignId: { in: cs.map((c) => c.id) } },
    _count: { _all: true },
  });
  const held = await ctx.db.surveyResponseHolding.groupBy({
    by: ["campaignId"],
    where: { campaignId: { in: cs.map((c) => c.id) } },
    _count: { _all: true },
  });
  return cs.map((c) => {
    const onBehalf = Boolean(loadFormTemplate(c.templateId).enteredBy);
    const of = (responded: boolean) =>
      counts.filter((x) => x.campaignId === c.id && x.responded === responded).reduce((n, x) => n + x._count._all, 0);
    const entered =
      (responses.find((r) => r.campaignId === c.id)?._count._all ?? 0) + (held.find((r) => r.campaignId === c.id)?._count._all ?? 0);
    return {
      id: c.id,
      title: c.title,
      templateId: c.templateId,
      state: campaignState(c, now),
      window: `${formatDay(c.opensAt, tz)} – ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}`,
      invited: of(true) + of(false),
      answered: peopleCount(onBehalf ? entered : of(true), ctx.config.MIN_GROUP_SIZE),
      onBehalf,
    };
  });
}
