// `npm run allocate -- --month 2026-12 [--theme assessment] [--target 30] [--seed x] [--dry-run] [--by email]`
// Allocates a month's collaborative case audits (the same service as the QA team's "allocate" card):
// stratified random sample, auditors from another team, spread evenly, repeat window respected,
// reproducible with --seed, idempotent per (month, theme). Prints the allocation, then one JSON line.
import { parseArgs } from "node:util";
import { allocateMonth, DEFAULT_TARGET } from "../services/audit/allocation";
import { planTypeLabel } from "../services/audit/themes";
import { ValidationFailed } from "../services/errors";
import type { Actor } from "../services/permissions";
import { actorOf } from "../services/directory/staff";
import { quietInfo, runCli } from "./cli";

const { values } = parseArgs({
  options: {
    month: { type: "string" },
    theme: { type: "string", default: "" },
    target: { type: "string", default: String(DEFAULT_TARGET) },
    seed: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    by: { type: "string" },
  },
});
if (!values.month) {
  console.error(
    "usage: npm run allocate -- --month YYYY-MM [--theme assessment|childrens-plans|safeguarding-risk] [--target 30] [--seed x] [--dry-run] [--by qa.email]",
  );
  process.exit(2);
}

await runCli(
  async (ctx) => {
    const { db, config } = ctx;
    let actor: Actor | null = null;
    if (values.by) {
      const s = await db.staff.findUnique({ where: { email: values.by } });
      if (!s) throw new ValidationFailed(`No staff member with email ${values.by}.`, { by: "unknown email" });
      actor = actorOf(s);
    }
    const s = await allocateMonth(ctx, actor, {
      month: values.month!,
      theme: values.theme,
      target: Number(values.target),
      seed: values.seed,
      dryRun: values["dry-run"],
    });
    const state = s.alreadyAllocated ? "already allocated (nothing done twice)" : s.dryRun ? "dry run (nothing written)" : "allocated";
    console.log(
      `${s.month}${s.theme ? ` · theme ${s.theme.label}` : ""}: ${state}; ${s.allocations.length} of target ${s.target}; seed ${s.seed}`,
    );
    if (s.poolSize)
      console.log(`pool ${s.poolSize} cases (${s.excludedRecent} left out: audited within ${config.AUDIT_REPEAT_WINDOW_MONTHS} months)`);
    for (const st of s.strata) console.log(`  ${st.label.padEnd(48)} ${st.selected}${st.pool ? ` of ${st.pool}` : ""}`);
    for (const r of s.allocations)
      console.log(
        `  ${r.caseRef.padEnd(10)} ${planTypeLabel(r.planType).padEnd(28)} ${r.teamId.padEnd(5)} → ${r.auditor} (${r.auditorTeamId ?? "-"})`,
      );
    const counts = s.loads.map((l) => l.count);
    const min = Math.min(...counts);
    const max = Math.max(...counts);
    console.log(`auditors: ${s.auditorCount}, audits each this month ${min}–${max}; unassignable: ${s.unassignable.length}`);
    console.log(
      JSON.stringify({
        month: s.month,
        theme: s.theme?.id ?? "",
        seed: s.seed,
        cycleId: s.cycleId,
        dryRun: s.dryRun,
        alreadyAllocated: s.alreadyAllocated,
        allocated: s.allocations.length,
        auditors: s.auditorCount,
        minLoad: min,
        maxLoad: max,
        ms: Math.round(s.ms),
      }),
    );
    return 0;
  },
  {
    poolMax: 4,
    logLevel: quietInfo,
    errorMessage: (err) => (err instanceof ValidationFailed ? [`${err.message} ${JSON.stringify(err.fieldErrors)}`] : undefined),
  },
);
