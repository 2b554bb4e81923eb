// `npm run report -- [YYYY-MM] [--theme "Assessment"] [--team CP] [--out reports-out] [--fixture]`:
// writes the month's "audit at a glance" as XLSX and CSV (the same numbers as the card) and prints
// a short summary. Without a month: the last complete month. --team limits it to one team (the team
// manager's appendix). --fixture first adds the example report data (test/support/reportFixture.ts)
// for that month, for a demonstration on an empty database.
import { parseArgs } from "node:util";
import { loadConfig } from "../services/config";
import { seedDemo } from "../prisma/seed";
import { systemClock } from "../services/clock";
import { buildMonthlyView, lastCompleteMonth } from "../services/reports";
import { writeReportFiles } from "../services/reports/files";
import { seedReportFixture } from "../test/support/reportFixture";
import { isMonth } from "../services/reports/format";
import { runCli } from "./cli";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    theme: { type: "string" },
    team: { type: "string" },
    out: { type: "string", default: "reports-out" },
    fixture: { type: "boolean" },
  },
});
const config = loadConfig();
const month = positionals[0] ?? lastCompleteMonth(systemClock.now(), config.TIMEZONE);
if (!isMonth(month)) {
  console.error(`Give the month as YYYY-MM (got ${month}).`);
  process.exit(2);
}
await runCli(
  async (ctx) => {
    const { db } = ctx;
    if (values.fixture) {
      await seedDemo(db);
      if (await db.auditCycle.findFirst({ where: { month } })) console.error(`${month} already has audit cycles: fixture not added.`);
      else await seedReportFixture(db, { month });
    }
    const view = await buildMonthlyView(
      db,
      ctx,
      { month, theme: values.theme, teamIds: values.team ? [values.team] : undefined },
      systemClock.now(),
      { areaTrends: true },
    );
    const files = await writeReportFiles(view, values.out);
    const r = view.report;
    console.log(`Audit at a glance — ${r.monthLabel}${r.theme ? ` (${r.theme})` : ""}${values.team ? `, team ${values.team}` : ""}`);
    console.log(
      `  How much: allocated ${r.howMuch.allocated}, returned ${r.howMuch.targetVsActual.text} of target, moderated ${r.howMuch.moderated}, not in time ${r.howMuch.late}, not completed ${r.howMuch.notCompleted}`,
    );
    console.log(
      `  How well: ${r.howWell.grades.map((g) => `${g.label} ${g.share.text}`).join("; ")}; moderated up ${r.howWell.movedUp}, down ${r.howWell.movedDown}`,
    );
    console.log(
      `  Needing attention: ${r.howWell.attention.map((a) => `area ${a.area} (${a.below.text} below Good)`).join(", ") || "none"}`,
    );
    console.log(
      `  Better off: children seen to benefit ${r.betterOff.seenToBenefit.text}; family feedback from ${r.betterOff.familyFeedback ?? "fewer than the minimum group of"} families`,
    );
    console.log(`  Actions: ${r.actions.open} open, ${r.actions.overdue} overdue`);
    console.log(JSON.stringify(files));
  },
  { config, poolMax: 4, logLevel: "warn" },
);
