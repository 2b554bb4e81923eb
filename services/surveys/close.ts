// Closing a survey campaign (the QA team, or the job at its closing time): no more answers; the
// held answers are opened, coarsened and released to the results together, shuffled; drafts are
// deleted; a repeating survey opens its next round.
import { randomInt } from "node:crypto";
import type { Prisma } from "../../generated/prisma/client";
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { AlreadyDone, NotFound } from "../errors";
import { SURVEY_MISSING } from "./access";
import { cancelJobs } from "../jobs";
import { requireCapability, type Actor } from "../permissions";
import { shuffle } from "../random";
import { suppressGroups } from "../disclosure";
import { transition } from "../stateMachine";
import { loadFormTemplate } from "../forms/templateSchema";
import type { AudienceSpec } from "./audience";
import { dayOnly } from "./days";
import { addUtcMonths } from "../dates";
import { lockCampaign } from "./lock";
import { sendNextStepsPlan } from "./nextSteps";
import { openCampaignTx } from "./open";
import { sealKey, unseal, type SealedAnswers } from "./seal";
import { campaignMachine, CampaignStatus } from "./states";

const cryptoRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

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
  if (!c) throw new NotFound(SURVEY_MISSING);
  if (c.status === CampaignStatus.closed) {
    if (actor) throw new AlreadyDone(`${c.title} is already closed.`);
    return;
  }
  const now = ctx.clock.now();
  await lockCampaign(tx, campaignId, "exclusive");
  const closed = await transition(tx, campaignMachine, "close", {
    id: campaignId,
    actorId: actor?.id ?? null,
    historyAction: "closed",
    write: (from, to) =>
      tx.surveyCampaign.updateMany({ where: { id: campaignId, status: { in: from } }, data: { status: to, closedAt: now } }),
    after: { closedAt: now },
  });
  if (!closed) return;
  await releaseHeldResponses(tx, ctx, campaignId, dayOnly(now, ctx.config.TIMEZONE));
  // Unfinished answers are never kept once they can no longer be sent.
  await tx.surveyParticipation.updateMany({ where: { campaignId }, data: { draft: {} } });
  await cancelJobs(tx, `survey:${campaignId}`);
  await sendNextStepsPlan(tx, ctx, c);
  if (c.repeatEveryMonths) await openNextRound(tx, ctx, { ...c, repeatEveryMonths: c.repeatEveryMonths }, now);
}

/** A repeating survey (managers' standards, quarterly) opens its next round as this one closes. */
async function openNextRound(
  tx: Tx,
  ctx: AppContext,
  c: {
    templateId: string;
    title: string;
    audience: Prisma.JsonValue;
    opensAt: Date;
    closesAt: Date;
    reminderEveryDays: number;
    repeatEveryMonths: number;
  },
  now: Date,
) {
  const template = loadFormTemplate(c.templateId);
  let opensAt = addUtcMonths(c.opensAt, c.repeatEveryMonths);
  let closesAt = addUtcMonths(c.closesAt, c.repeatEveryMonths);
  while (closesAt <= now) {
    opensAt = addUtcMonths(opensAt, c.repeatEveryMonths);
    closesAt = addUtcMonths(closesAt, c.repeatEveryMonths);
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
