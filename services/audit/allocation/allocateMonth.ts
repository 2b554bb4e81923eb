// Step 1 of the collaborative case audit (Bexley Children's Social Care Quality Assurance
// Framework, §1.3): the QA team allocates a month's audits. Cases are sampled at random, stratified
// across plan types and service areas, optionally for a theme; each goes to an auditor (Deputy TM
// and above) from another team, spread evenly; a case audited within AUDIT_REPEAT_WINDOW_MONTHS is
// left out. Idempotent per (month, theme): a second run shows what the first allocated.
import { randomBytes } from "node:crypto";
import type { AppContext } from "../../context";
import { quietHours } from "../../context";
import { heldUntilText } from "../../delivery/held";
import { ValidationFailed } from "../../errors";
import type { Actor } from "../../permissions";
import { getGradeScale } from "../../catalogue";
import { isoDate, nextDeliveryTime } from "../../workingTime";
import { planAllocation, type PlanAuditor, type PlanCase } from "../plan";
import { planTypeLabel, resolveTheme, type AuditTheme } from "../themes";
import { loadAuditors, monthLoads } from "./auditors";
import { lastWorkingDayOfMonth, MONTH_RE } from "./dates";
import { shiftMonth } from "../../dates";
import { cycleSummary, type AllocateOptions, type AllocationRow, type AllocationSummary } from "./summary";
import { writeCycle, type MonthPlan } from "./writeCycle";

export const DEFAULT_TARGET = 30;

function validateOptions(o: AllocateOptions): { month: string; target: number } {
  const errors: Record<string, string> = {};
  if (!MONTH_RE.test(o.month ?? "")) errors.month = "Give the month as YYYY-MM, e.g. 2026-12.";
  const target = o.target ?? DEFAULT_TARGET;
  if (!Number.isInteger(target) || target < 1 || target > 1000) errors.target = "The target is a whole number of audits from 1 to 1000.";
  if (o.seed !== undefined && (o.seed.length < 1 || o.seed.length > 64)) errors.seed = "A seed is 1 to 64 characters.";
  if (Object.keys(errors).length) throw new ValidationFailed("Some allocation settings are not valid.", errors);
  return { month: o.month, target };
}

/** Allocates (or, with dryRun, previews) a month's audits. */
export async function allocateMonth(ctx: AppContext, actor: Actor | null, opts: AllocateOptions): Promise<AllocationSummary> {
  const started = performance.now();
  const { month, target } = validateOptions(opts);
  const theme = resolveTheme(opts.theme);
  const themeId = theme?.id ?? "";
  const already = async (cycleId: string) => ({
    ...(await cycleSummary(ctx, cycleId)),
    dryRun: !!opts.dryRun,
    alreadyAllocated: true,
    ms: performance.now() - started,
  });
  const existing = await ctx.db.auditCycle.findUnique({ where: { month_theme: { month, theme: themeId } } });
  if (existing) return already(existing.id);

  const seed = opts.seed ?? randomBytes(6).toString("hex");
  const plan = planMonth(await loadCandidates(ctx, month, theme), { month, target, seed, theme });
  const summary = { ...plan.summary, dryRun: !!opts.dryRun };
  if (opts.dryRun) return { ...summary, ms: performance.now() - started };

  const now = ctx.clock.now();
  const notBefore = nextDeliveryTime(now, quietHours(ctx.config));
  const gradeScaleId = getGradeScale(ctx.config.GRADE_SCALE).id;
  try {
    const cycleId = await ctx.db.$transaction((tx) => writeCycle(tx, ctx, actor, plan, { themeId, gradeScaleId, now, notBefore }), {
      timeout: 120_000,
    });
    const heldUntil = notBefore > now ? heldUntilText(notBefore, ctx.config.TIMEZONE) : undefined;
    return { ...summary, cycleId, heldUntil, ms: performance.now() - started };
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      // Another run for the same month and theme won the race: show what it allocated.
      const winner = await ctx.db.auditCycle.findUnique({ where: { month_theme: { month, theme: themeId } } });
      if (winner) return { ...(await already(winner.id)), dryRun: false };
    }
    throw err;
  }
}

type Candidates = Awaited<ReturnType<typeof loadCandidates>>;

/** Active cases with an active worker (of the theme's plan types), recent audits, auditors and their loads. */
async function loadCandidates(ctx: AppContext, month: string, theme: AuditTheme | null) {
  const window = ctx.config.AUDIT_REPEAT_WINDOW_MONTHS;
  const recentMonths = window > 0 ? Array.from({ length: 2 * window - 1 }, (_, i) => shiftMonth(month, i - (window - 1))) : [];
  const [cases, recent, auditors, loads] = await Promise.all([
    ctx.db.case.findMany({
      where: {
        active: true,
        worker: { active: true },
        ...(theme && theme.planTypes.length ? { planType: { in: theme.planTypes } } : {}),
      },
      select: {
        id: true,
        caseRef: true,
        teamId: true,
        planType: true,
        workerId: true,
        team: { select: { serviceArea: true } },
        worker: { select: { lineManagerId: true } },
      },
    }),
    recentMonths.length
      ? ctx.db.audit.findMany({ where: { cycle: { month: { in: recentMonths } } }, select: { caseId: true }, distinct: ["caseId"] })
      : Promise.resolve([]),
    loadAuditors(ctx.db),
    monthLoads(ctx.db, month),
  ]);
  return { cases, recentIds: new Set(recent.map((r) => r.caseId)), auditors, loads };
}

/** The sample and who audits what (no writes): what a dry run shows and what the write stores. */
function planMonth(
  { cases, recentIds, auditors, loads }: Candidates,
  o: { month: string; target: number; seed: string; theme: AuditTheme | null },
): MonthPlan & { summary: AllocationSummary } {
  const pool: PlanCase[] = cases
    .filter((c) => c.workerId && !recentIds.has(c.id))
    .map((c) => ({
      id: c.id,
      caseRef: c.caseRef,
      teamId: c.teamId,
      planType: c.planType,
      serviceArea: c.team.serviceArea || c.teamId,
      workerId: c.workerId!,
      managerId: c.worker?.lineManagerId ?? null,
    }));
  const planAuditors: PlanAuditor[] = auditors.map((a) => ({ id: a.id, email: a.email, teamId: a.teamId }));
  const plan = planAllocation({ cases: pool, auditors: planAuditors, target: o.target, seed: o.seed, existingLoad: loads });
  const due = lastWorkingDayOfMonth(o.month);
  const caseById = new Map(pool.map((c) => [c.id, c]));
  const auditorById = new Map(auditors.map((a) => [a.id, a]));
  const picks = plan.audits.map((p) => ({ case: caseById.get(p.caseId)!, auditor: auditorById.get(p.auditorId)! }));
  const rows: AllocationRow[] = picks.map(({ case: c, auditor: a }) => ({
    caseRef: c.caseRef,
    planType: c.planType,
    teamId: c.teamId,
    auditorId: a.id,
    auditor: a.name,
    auditorTeamId: a.teamId,
    practitionerId: c.workerId,
  }));
  const excludedRecent = cases.filter((c) => recentIds.has(c.id)).length;
  const summary: AllocationSummary = {
    cycleId: null,
    month: o.month,
    theme: o.theme,
    target: o.target,
    seed: o.seed,
    dryRun: false,
    alreadyAllocated: false,
    dueDate: isoDate(due),
    poolSize: pool.length,
    excludedRecent,
    auditorCount: auditors.length,
    strata: plan.strata.map((s) => ({ ...s, label: `${planTypeLabel(s.planType)} · ${s.serviceArea}` })),
    loads: auditors.map((a) => ({ auditorId: a.id, name: a.name, count: plan.loads.get(a.id) ?? 0 })),
    allocations: rows,
    unassignable: plan.unassignable.map((id) => caseById.get(id)!.caseRef),
    declines: 0,
    ms: 0,
  };
  return { ...o, due, picks, rows, pool, excludedRecent, summary };
}
