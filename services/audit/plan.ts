// The allocation plan, as a pure function: stratified random sampling of cases and an even,
// independent spread of auditors. Same input and seed → same plan (the seeded PRNG drives every
// choice; inputs are sorted by stable keys first).
import { rng, shuffle } from "../random";

export interface PlanCase {
  id: string;
  caseRef: string;
  teamId: string;
  planType: string;
  serviceArea: string;
  workerId: string;
  managerId: string | null;
}

export interface PlanAuditor {
  id: string;
  email: string;
  teamId: string | null;
}

export interface PlanInput {
  cases: PlanCase[];
  auditors: PlanAuditor[];
  target: number;
  seed: string;
  /** Audits each auditor already holds this month (other themes), so the month stays even. */
  existingLoad?: Map<string, number>;
}

export interface PlannedAudit {
  caseId: string;
  auditorId: string;
  stratum: string;
}

export interface StratumSummary {
  key: string;
  planType: string;
  serviceArea: string;
  pool: number;
  selected: number;
}

export interface Plan {
  audits: PlannedAudit[];
  strata: StratumSummary[];
  loads: Map<string, number>;
  /** Cases that no auditor may audit (every auditor is in the case's team or line management). */
  unassignable: string[];
}

/** Independence: never the case's own team, the worker themself or the worker's line manager. */
export function mayAudit(c: Pick<PlanCase, "teamId" | "workerId" | "managerId">, a: Pick<PlanAuditor, "id" | "teamId">): boolean {
  return a.teamId !== c.teamId && a.id !== c.workerId && a.id !== c.managerId;
}

/** Proportional quotas (largest remainder), at least one per non-empty stratum when the target allows. */
export function stratumQuotas(sizes: number[], target: number, random: () => number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const n = Math.min(target, total);
  const q = sizes.map(() => 0);
  const nonEmpty = sizes.map((s, i) => (s > 0 ? i : -1)).filter((i) => i >= 0);
  if (n <= 0) return q;
  if (n < nonEmpty.length) {
    for (const i of shuffle(nonEmpty, random).slice(0, n)) q[i] = 1;
    return q;
  }
  for (const i of nonEmpty) q[i] = 1;
  let left = n - nonEmpty.length;
  const ideal = sizes.map((s) => (n * s) / total);
  while (left > 0) {
    let best = -1;
    for (let i = 0; i < sizes.length; i++) {
      if (q[i]! >= sizes[i]!) continue;
      if (best < 0 || ideal[i]! - q[i]! > ideal[best]! - q[best]!) best = i;
    }
    if (best < 0) break;
    q[best]!++;
    left--;
  }
  return q;
}

export function planAllocation(input: PlanInput): Plan {
  const random = rng(input.seed);
  const cases = [...input.cases].sort((a, b) => a.caseRef.localeCompare(b.caseRef));
  const auditors = [...input.auditors].sort((a, b) => a.email.localeCompare(b.email));

  // 1. Strata: plan type × service area, in a stable order.
  const byStratum = new Map<string, PlanCase[]>();
  for (const c of cases) {
    const key = `${c.planType}|${c.serviceArea}`;
    let list = byStratum.get(key);
    if (!list) byStratum.set(key, (list = []));
    list.push(c);
  }
  const keys = [...byStratum.keys()].sort();
  const quotas = stratumQuotas(
    keys.map((k) => byStratum.get(k)!.length),
    input.target,
    random,
  );
  const selected: { c: PlanCase; stratum: string }[] = [];
  const strata: StratumSummary[] = keys.map((key, i) => {
    const pool = byStratum.get(key)!;
    const take = shuffle(pool, random).slice(0, quotas[i]);
    for (const c of take) selected.push({ c, stratum: key });
    const [planType, serviceArea] = key.split("|") as [string, string];
    return { key, planType, serviceArea, pool: pool.length, selected: take.length };
  });

  // 2. Auditors: lowest load first among those who may audit the case; ties broken at random.
  const loads = new Map(auditors.map((a) => [a.id, input.existingLoad?.get(a.id) ?? 0]));
  const assigned = new Map<string, PlannedAudit>();
  const byAuditor = new Map<string, PlannedAudit[]>(auditors.map((a) => [a.id, []]));
  const caseById = new Map(cases.map((c) => [c.id, c]));
  const unassignable: string[] = [];
  const give = (p: PlannedAudit) => {
    assigned.set(p.caseId, p);
    byAuditor.get(p.auditorId)!.push(p);
    loads.set(p.auditorId, loads.get(p.auditorId)! + 1);
  };
  for (const { c, stratum } of shuffle(selected, random)) {
    const eligible = auditors.filter((a) => mayAudit(c, a));
    if (eligible.length === 0) {
      unassignable.push(c.id);
      continue;
    }
    const min = Math.min(...eligible.map((a) => loads.get(a.id)!));
    const globalMin = Math.min(...auditors.map((a) => loads.get(a.id)!));
    const candidates = eligible.filter((a) => loads.get(a.id) === min);
    let chosen = candidates[Math.floor(random() * candidates.length)]!;
    if (min > globalMin) {
      // Every least-loaded auditor is barred from this case: hand one of the chosen auditor's
      // cases to a least-loaded auditor who may audit it, so the spread stays within one.
      const light = auditors.filter((a) => loads.get(a.id) === globalMin);
      let moved = false;
      for (const x of candidates) {
        for (const p of byAuditor.get(x.id)!) {
          const y = light.find((a) => mayAudit(caseById.get(p.caseId)!, a));
          if (!y) continue;
          const list = byAuditor.get(x.id)!;
          list.splice(list.indexOf(p), 1);
          loads.set(x.id, loads.get(x.id)! - 1);
          give({ ...p, auditorId: y.id });
          chosen = x;
          moved = true;
          break;
        }
        if (moved) break;
      }
    }
    give({ caseId: c.id, auditorId: chosen.id, stratum });
  }
  const audits = selected.filter(({ c }) => assigned.has(c.id)).map(({ c }) => assigned.get(c.id)!);
  return { audits, strata, loads, unassignable };
}
