// `npm run moderate -- --sample 10% [--return-days 10] [--as qa.officer@council.example] [--seed s]`:
// samples the audits completed in the last 6 months (stratified by auditor and grade) and
// allocates them to moderators, exactly as the `moderate` card does. Prints one JSON line.
import { parsePercent, sampleForModeration } from "../services/moderation/sampling";
import { DomainError } from "../services/errors";
import { actorOf } from "../services/directory/staff";
import { flag, quietInfo, runCli } from "./cli";

const sample = flag("sample");
if (!sample) {
  console.error("usage: npm run moderate -- --sample 10% [--return-days 10] [--as qa.officer@council.example] [--seed text]");
  process.exit(2);
}
await runCli(
  async (ctx) => {
    const { db } = ctx;
    const as = flag("as");
    const staff = as
      ? await db.staff.findUnique({ where: { email: as } })
      : await db.staff.findFirst({ where: { roles: { has: "QA_TEAM" }, active: true }, orderBy: { email: "asc" } });
    if (!staff) throw new Error(as ? `no staff member ${as}` : "no QA team member in the directory");
    const r = await sampleForModeration(ctx, actorOf(staff), {
      fraction: parsePercent(sample),
      returnWorkingDays: flag("return-days") ? Number(flag("return-days")) : undefined,
      seed: flag("seed"),
    });
    console.log(JSON.stringify({ eligible: r.eligible, sampled: r.sampled, unallocated: r.unallocated, byModerator: r.byModerator }));
    return 0;
  },
  { logLevel: quietInfo, errorMessage: (err) => [err instanceof DomainError ? err.message : err] },
);
