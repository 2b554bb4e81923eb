// Moderation sampling (Bexley Children's Social Care Quality Assurance Framework, §1.3, fig 1.4): the QA team takes a sample of the audits completed
// in the last six months, stratified by auditor and grade so every auditor and every grade is
// represented, and allocates each to a moderator with a return date. A moderator never moderates
// an audit they did, nor a case they manage (the worker's line-management chain up to the SM).
import type { AppContext } from "../context";
import type { Db, Tx } from "../db";
import { requireCapability, type Actor } from "../permissions";
import { recordHistory } from "../history";
import { scheduleJob } from "../jobs";
import { ValidationFailed } from "../errors";
import { addWorkingDays } from "../workingTime";
import { rng, shuffle } from "../random";
import { publishModeration } from "./card";
import { DEFAULT_RETURN_WORKING_DAYS, excludedModerators, moderatorCandidates } from "./eligibility";
import { OVERDUE_JOB, overdueJobKey } from "./model";
import { moderationMachine, OPEN_MODERATION_STATUSES } from "./states";
import { auditMachine } from "../audit/states";

export const SAMPLE_WINDOW_MONTHS = 6;
export { DEFAULT_RETURN_WORKING_DAYS, excludedModerators, MODERATOR_ROLES, moderatorCandidates } from "./eligibility";

const monthsBefore = (d: Date, months: number) => {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() - months);
  return x;
};

/** Completed (submitted, not yet moderated) audits of the last six months. */
export async function eligibleAudits(db: Db | Tx, now: Date) {
  return db.audit.findMany({
    where: {
      status: auditMachine.steps.finalise.from[0],
      submittedAt: { gte: monthsBefore(now, SAMPLE_WINDOW_MONTHS), lte: now },
      moderations: { none: {} },
    },
    include: { case: true },
    orderBy: { submittedAt: "asc" },
  });
}

/**
 * A stratified sample: each stratum gets floor(fraction × size), then the remaining places go to
 * the strata with the largest remainders (ties at random), so the total is ceil(fraction × N).
 */
export function stratifiedSample<T>(items: readonly T[], stratum: (t: T) => string, fraction: number, random: () => number): T[] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = stratum(it);
    groups.set(k, [...(groups.get(k) ?? []), it]);
  }
  const target = Math.min(items.length, Math.ceil(fraction * items.length - 1e-9));
  const plan = [...groups.entries()].map(([key, members]) => {
    const exact = fraction * members.length;
    return {
      key,
      members: shuffle(members, random),
      take: Math.floor(exact + 1e-9),
      rest: exact - Math.floor(exact + 1e-9),
      tie: random(),
    };
  });
  let left = target - plan.reduce((n, p) => n + p.take, 0);
  for (const p of [...plan].sort((a, b) => b.rest - a.rest || a.tie - b.tie)) {
    if (left <= 0) break;
    if (p.take < p.members.length) {
      p.take++;
      left--;
    }
  }
  return plan.flatMap((p) => p.members.slice(0, p.take));
}

export interface SampleOptions {
  /** 0 < fraction ≤ 1 (10% → 0.1). */
  fraction: number;
  returnWorkingDays?: number;
  seed?: string;
}

export interface SampleResult {
  eligible: number;
  sampled: number;
  unallocated: number;
  byModerator: { name: string; count: number }[];
  moderationIds: string[];
}

export function parsePercent(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(s);
  const v = m ? Number(m[1]) : NaN;
  if (!(v > 0 && v <= 100)) throw new ValidationFailed("Give the sample size as a percentage between 1 and 100.", { percent: "1–100%" });
  return v / 100;
}

export async function sampleForModeration(ctx: AppContext, actor: Actor, opts: SampleOptions): Promise<SampleResult> {
  requireCapability(actor, "moderation.sample");
  if (!(opts.fraction > 0 && opts.fraction <= 1))
    throw new ValidationFailed("The sample must be between 1% and 100%.", { percent: "1–100%" });
  const days = opts.returnWorkingDays ?? DEFAULT_RETURN_WORKING_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 60)
    throw new ValidationFailed("Return within 1–60 working days.", { returnDays: "1–60" });
  const now = ctx.clock.now();
  const random = rng(opts.seed ?? now.toISOString());
  return ctx.db.$transaction(
    async (tx) => {
      const audits = await eligibleAudits(tx, now);
      const sample = stratifiedSample(audits, (a) => `${a.auditorId}|${a.gradeBand ?? ""}`, opts.fraction, random);
      const candidates = await moderatorCandidates(tx);
      const open = await tx.moderation.groupBy({
        by: ["moderatorId"],
        where: { status: { in: [...OPEN_MODERATION_STATUSES] } },
        _count: true,
      });
      const load = new Map(open.map((o) => [o.moderatorId, o._count]));
      const returnAt = addWorkingDays(now, days, ctx.config.TIMEZONE);
      const ids: string[] = [];
      const per = new Map<string, number>();
      let unallocated = 0;
      for (const a of sample) {
        const excluded = await excludedModerators(tx, a);
        const eligible = shuffle(
          candidates.filter((c) => !excluded.has(c.id)),
          random,
        ).sort((x, y) => (load.get(x.id) ?? 0) - (load.get(y.id) ?? 0));
        const chosen = eligible[0];
        if (!chosen) {
          unallocated++;
          continue;
        }
        load.set(chosen.id, (load.get(chosen.id) ?? 0) + 1);
        per.set(chosen.name, (per.get(chosen.name) ?? 0) + 1);
        const m = await tx.moderation.create({
          data: { auditId: a.id, moderatorId: chosen.id, allocatedById: actor.id, returnDate: returnAt, createdAt: now },
        });
        ids.push(m.id);
        await recordHistory(tx, {
          entityType: "moderation",
          entityId: m.id,
          action: "allocated",
          actorId: actor.id,
          after: { auditId: a.id, moderatorId: chosen.id, returnDate: returnAt, sample: `${Math.round(opts.fraction * 100)}%` },
        });
        await scheduleJob(tx, { key: overdueJobKey(m.id, 1), name: OVERDUE_JOB, runAt: returnAt, data: { id: m.id, n: 1 } });
        await publishModeration(tx, ctx, m.id);
      }
      return {
        eligible: audits.length,
        sampled: ids.length,
        unallocated,
        byModerator: [...per.entries()].map(([name, count]) => ({ name, count })).sort((a, b) => a.name.localeCompare(b.name)),
        moderationIds: ids,
      };
    },
    { timeout: 120_000 },
  );
}

/** What the QA team sees before sampling: eligible audits, open and overdue moderations. */
export async function samplingOverview(ctx: AppContext, actor: Actor) {
  requireCapability(actor, "moderation.sample");
  const now = ctx.clock.now();
  const [eligible, open, overdue] = await Promise.all([
    eligibleAudits(ctx.db, now).then((a) => a.length),
    ctx.db.moderation.count({ where: { status: { in: [...OPEN_MODERATION_STATUSES] } } }),
    ctx.db.moderation.count({ where: { status: moderationMachine.initial, returnDate: { lt: now } } }),
  ]);
  return { eligible, open, overdue };
}
