// What a month's allocation holds: for a repeated run, for the allocation card and for reports.
import type { AppContext } from "../../context";
import { NotFound } from "../../errors";
import { isoDate } from "../../workingTime";
import type { StratumSummary } from "../plan";
import { planTypeLabel, resolveTheme, type AuditTheme } from "../themes";
import { loadAuditors, monthLoads } from "./auditors";
import { lastWorkingDayOfMonth } from "./dates";

export interface AllocateOptions {
  month: string;
  theme?: string | null;
  target?: number;
  seed?: string;
  dryRun?: boolean;
}

export interface AllocationRow {
  auditId?: string;
  caseRef: string;
  planType: string;
  teamId: string;
  auditorId: string;
  auditor: string;
  auditorTeamId: string | null;
  practitionerId: string;
}

export interface AllocationSummary {
  cycleId: string | null;
  month: string;
  theme: AuditTheme | null;
  target: number;
  seed: string;
  dryRun: boolean;
  alreadyAllocated: boolean;
  dueDate: string;
  poolSize: number;
  excludedRecent: number;
  auditorCount: number;
  strata: (StratumSummary & { label: string })[];
  loads: { auditorId: string; name: string; count: number }[];
  allocations: AllocationRow[];
  unassignable: string[];
  declines: number;
  ms: number;
  /** When the cards this run wrote are held by quiet hours: until when ("Mon 7 Dec, 08:00"). */
  heldUntil?: string;
}

/** What a cycle allocated (for a repeated run and for reports). */
export async function cycleSummary(ctx: AppContext, cycleId: string): Promise<AllocationSummary> {
  const cycle = await ctx.db.auditCycle.findUnique({
    where: { id: cycleId },
    include: { audits: { include: { case: { select: { caseRef: true, planType: true, team: { select: { serviceArea: true } } } } } } },
  });
  if (!cycle) throw new NotFound("No such audit cycle.");
  const auditors = await loadAuditors(ctx.db);
  const loads = await monthLoads(ctx.db, cycle.month);
  const nameOf = new Map(auditors.map((a) => [a.id, a]));
  const strata = new Map<string, StratumSummary & { label: string }>();
  for (const a of cycle.audits) {
    const key = `${a.case.planType}|${a.case.team.serviceArea}`;
    const s = strata.get(key) ?? {
      key,
      planType: a.case.planType,
      serviceArea: a.case.team.serviceArea,
      pool: 0,
      selected: 0,
      label: `${planTypeLabel(a.case.planType)} · ${a.case.team.serviceArea}`,
    };
    s.selected++;
    strata.set(key, s);
  }
  const theme = resolveTheme(cycle.theme);
  return {
    cycleId: cycle.id,
    month: cycle.month,
    theme,
    target: cycle.target,
    seed: cycle.seed,
    dryRun: false,
    alreadyAllocated: false,
    dueDate: isoDate(lastWorkingDayOfMonth(cycle.month)),
    poolSize: 0,
    excludedRecent: 0,
    auditorCount: auditors.length,
    strata: [...strata.values()].sort((a, b) => a.key.localeCompare(b.key)),
    loads: auditors.map((a) => ({ auditorId: a.id, name: a.name, count: loads.get(a.id) ?? 0 })),
    allocations: cycle.audits
      .map((a) => ({
        auditId: a.id,
        caseRef: a.case.caseRef,
        planType: a.case.planType,
        teamId: a.teamId,
        auditorId: a.auditorId,
        auditor: nameOf.get(a.auditorId)?.name ?? "",
        auditorTeamId: nameOf.get(a.auditorId)?.teamId ?? null,
        practitionerId: a.practitionerId,
      }))
      .sort((a, b) => a.caseRef.localeCompare(b.caseRef)),
    unassignable: [],
    declines: (await declinesForCycle(ctx, cycle.id)).count,
    ms: 0,
  };
}

/** Declines (swap requests) in a cycle, with their reasons: counted in the monthly report. */
export async function declinesForCycle(ctx: AppContext, cycleId: string) {
  const audits = await ctx.db.audit.findMany({ where: { cycleId }, select: { id: true, case: { select: { caseRef: true } } } });
  const refOf = new Map(audits.map((a) => [a.id, a.case.caseRef]));
  const rows = await ctx.db.history.findMany({
    where: { entityType: "audit", action: "swapped", entityId: { in: audits.map((a) => a.id) } },
    orderBy: { id: "asc" },
  });
  return {
    count: rows.length,
    declines: rows.map((r) => ({
      auditId: r.entityId,
      caseRef: refOf.get(r.entityId) ?? "",
      byId: r.actorId,
      toId: (r.after as { auditorId?: string } | null)?.auditorId ?? null,
      reason: (r.after as { reason?: string } | null)?.reason ?? "",
      at: r.at,
    })),
  };
}
