// The allocation plan on its own: stratified quotas, independence and even spread, reproducibility.
import { describe, expect, it } from "vitest";
import { planAllocation, stratumQuotas, mayAudit, type PlanAuditor, type PlanCase } from "../../services/audit/plan";
import { rng } from "../../services/random";

const TEAMS = ["A", "B", "C"];
function fixture(nCases: number, auditorsPerTeam: number) {
  const cases: PlanCase[] = Array.from({ length: nCases }, (_, i) => ({
    id: `c${i}`,
    caseRef: `LL${1000 + i}`,
    teamId: TEAMS[i % 3]!,
    planType: i % 4 === 0 ? "CONTACT" : "CHILD_IN_NEED",
    serviceArea: TEAMS[i % 3]!,
    workerId: `w${i % 9}`,
    managerId: `m${i % 3}`,
  }));
  const auditors: PlanAuditor[] = TEAMS.flatMap((t) =>
    Array.from({ length: auditorsPerTeam }, (_, j) => ({ id: `a-${t}${j}`, email: `${t}${j}@x`, teamId: t })),
  );
  return { cases, auditors };
}

describe("allocation plan", () => {
  it("gives proportional quotas with at least one per stratum, and never more than a stratum holds", () => {
    expect(stratumQuotas([100, 50, 2, 0], 10, rng("s"))).toEqual([6, 3, 1, 0]);
    expect(stratumQuotas([3, 1], 10, rng("s"))).toEqual([3, 1]);
    const few = stratumQuotas([10, 10, 10, 10], 2, rng("s"));
    expect(few.reduce((a, b) => a + b, 0)).toBe(2);
    expect(Math.max(...few)).toBe(1);
  });

  it("is reproducible with a seed and differs with another", () => {
    const { cases, auditors } = fixture(120, 3);
    const a = planAllocation({ cases, auditors, target: 30, seed: "one" });
    const b = planAllocation({ cases: [...cases].reverse(), auditors: [...auditors].reverse(), target: 30, seed: "one" });
    const c = planAllocation({ cases, auditors, target: 30, seed: "two" });
    expect(b.audits).toEqual(a.audits);
    expect(c.audits).not.toEqual(a.audits);
  });

  it("never gives a case to its own team, worker or manager, and keeps the spread within one", () => {
    for (const seed of ["a", "b", "c", "d", "e"]) {
      const { cases, auditors } = fixture(90, 2);
      // The worker's manager is also an auditor in another team: never picked for that case.
      auditors.push({ id: "m1", email: "m1@x", teamId: "LEAD" });
      const plan = planAllocation({ cases, auditors, target: 37, seed });
      expect(plan.audits).toHaveLength(37);
      const byId = new Map(cases.map((c) => [c.id, c]));
      for (const p of plan.audits)
        expect(
          mayAudit(
            byId.get(p.caseId)!,
            auditors.find((a) => a.id === p.auditorId)!,
          ),
        ).toBe(true);
      const loads = [...plan.loads.values()];
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    }
  });

  it("rebalances when the least-loaded auditors are all barred from a case", () => {
    // Team A holds most cases, and the only light auditors are in team A: a case from team A must
    // go to someone heavier, so the planner hands one of their cases to the light auditor.
    const teamCases = (team: string): PlanCase[] =>
      Array.from({ length: 4 }, (_, i) => {
        const t = team.toLowerCase();
        return {
          id: `${t}${i}`,
          caseRef: `L${team}${i}`,
          teamId: team,
          planType: "CIN",
          serviceArea: "S",
          workerId: `w${t}`,
          managerId: null,
        };
      });
    const cases: PlanCase[] = [...teamCases("B"), ...teamCases("A")];
    const auditors: PlanAuditor[] = [
      { id: "x", email: "x@x", teamId: "A" },
      { id: "y", email: "y@x", teamId: "B" },
      { id: "z", email: "z@x", teamId: "C" },
      { id: "q", email: "q@x", teamId: "C" },
    ];
    for (const seed of ["1", "2", "3", "4", "5", "6", "7", "8"]) {
      const plan = planAllocation({ cases, auditors, target: 8, seed });
      expect(plan.audits).toHaveLength(8);
      expect([...plan.loads.values()].sort()).toEqual([2, 2, 2, 2]);
      for (const p of plan.audits)
        expect(
          mayAudit(
            cases.find((c) => c.id === p.caseId)!,
            auditors.find((a) => a.id === p.auditorId)!,
          ),
        ).toBe(true);
    }
  });

  it("reports a case no auditor may take instead of dropping it silently", () => {
    const cases: PlanCase[] = [{ id: "c", caseRef: "L1", teamId: "A", planType: "CIN", serviceArea: "S", workerId: "w", managerId: null }];
    const plan = planAllocation({ cases, auditors: [{ id: "x", email: "x@x", teamId: "A" }], target: 1, seed: "s" });
    expect(plan.audits).toHaveLength(0);
    expect(plan.unassignable).toEqual(["c"]);
  });
});
