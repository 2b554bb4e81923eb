// The report as files: an XLSX workbook (one sheet per section, the team appendix with case IDs and
// grades, the trend series) and CSVs (summary and appendix), written under ./reports-out/. The
// numbers are the report object's, cell for cell (a test reads the cells back).
import { mkdir } from "node:fs/promises";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import { observationsAndDipsRows } from "./observationsDips";
import type { MonthlyView } from "./view";

export interface WrittenFiles {
  xlsx: string;
  summaryCsv: string;
  appendixCsv: string;
}

export type Row = (string | number | null)[];

/** A sheet with a bold, frozen header row and columns as wide as their text (12 to 80 characters). */
export function sheet(wb: ExcelJS.Workbook, name: string, header: string[], rows: Row[]) {
  const ws = wb.addWorksheet(name);
  ws.addRow(header).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach(
    (c, i) => (c.width = Math.min(80, Math.max(12, header[i]!.length + 2, ...rows.map((r) => String(r[i] ?? "").length + 2)))),
  );
  ws.views = [{ state: "frozen", ySplit: 1 }];
  return ws;
}

/** The summary as rows of (section, measure, count, of, percent): the CSV and the sheets share them. */
export function summaryRows(v: MonthlyView): Row[] {
  const r = v.report;
  const h = r.howMuch;
  const rows: Row[] = [
    ["How much", h.targetBasis === "team allocation" ? "Target (the team's allocation)" : "Target", h.target, null, null],
    ["How much", "Allocated", h.allocated, null, null],
    ["How much", "Returned", h.returned, h.target || null, h.targetVsActual.pct],
    ["How much", "Not in time for moderation (not included)", h.late, h.returned, null],
    ["How much", "Moderated", h.moderated, h.returned, null],
    ["How much", "Being moderated (grade not yet agreed or approved)", h.beingModerated, h.returned, null],
    ["How much", "Not completed", h.notCompleted, h.allocated, null],
    ["How much", "Still in progress", h.inProgress, h.allocated, null],
    ...h.reasons.map((x): Row => ["Not completed", x.reason, x.count, h.notCompleted, null]),
    ...r.howWell.grades.map((g): Row => ["Grades", g.label, g.share.count, g.share.of, g.share.pct]),
    ["Moderation", "Moved up", r.howWell.movedUp, null, null],
    ["Moderation", "Moved down", r.howWell.movedDown, null, null],
    ...r.howWell.areas.map((a): Row => ["Areas below Good", `Area ${a.area}`, a.below.count, a.below.of, a.below.pct]),
    ...r.betterOff.statements.map((s): Row => ["Family statements (mean 0–10)", `${s.number}. ${s.text}`, s.mean, s.n, null]),
    ...r.betterOff.benefit.map((b): Row => ["Children seen to benefit", b.label, b.share.count, b.share.of, b.share.pct]),
    ["Children seen to benefit", "not recorded (not in the shares)", r.betterOff.benefitNotRecorded, r.howMuch.counted, null],
    ["Actions", "Open", r.actions.open, null, null],
    ["Actions", "Overdue", r.actions.overdue, null, null],
    ["Actions", "Immediate and overdue", r.actions.immediateOverdue, null, null],
    ...r.supervisionOverdue.map((s): Row => ["Supervision overdue", s.teamId, s.count, null, null]),
    // Practice observations and dip samples, apart from the full audits.
    ...observationsAndDipsRows(v.observationsAndDips),
  ];
  return rows;
}

export async function buildWorkbook(v: MonthlyView): Promise<ExcelJS.Workbook> {
  const r = v.report;
  const wb = new ExcelJS.Workbook();
  wb.creator = "Assure";
  wb.created = new Date(r.generatedAt);
  const h = r.howMuch;
  sheet(
    wb,
    "How much",
    ["Measure", "Value"],
    [
      ["Month", r.month],
      ["Theme", r.theme || "all"],
      ["Teams", v.kind === "team" ? (r.teamIds ?? []).join(", ") : "all"],
      [h.targetBasis === "team allocation" ? "Target (the team's allocation)" : "Target", h.target],
      ["Allocated", h.allocated],
      ["Returned", h.returned],
      ["Target vs returned", h.targetVsActual.text],
      ["Not in time for moderation (not included)", h.late],
      ["In time for moderation", h.inTime],
      ["Moderated", h.moderated],
      ["Being moderated (grade not yet agreed or approved)", h.beingModerated],
      ["Not completed", h.notCompleted],
      ["Still in progress", h.inProgress],
      ...h.reasons.map((x): Row => [`Not completed: ${x.reason}`, x.count]),
    ],
  );
  sheet(
    wb,
    "How well",
    ["Grade", "Count", "Of", "Percent", "Text"],
    [
      ...r.howWell.grades.map((g): Row => [g.label, g.share.count, g.share.of, g.share.pct, g.share.text]),
      ...r.howWell.movements.map((m): Row => [`Moderated ${m.direction}: ${m.from} → ${m.to}`, m.count, null, null, null]),
    ],
  );
  sheet(
    wb,
    "Areas",
    [
      "Area",
      "Title",
      "Scored",
      "Below Good",
      "Percent below Good",
      "Mean score",
      "Previous % below Good",
      "Previous mean",
      "Direction",
      "Group",
    ],
    r.howWell.areas.map((a): Row => [
      a.area,
      a.title,
      a.scored,
      a.below.count,
      a.below.pct,
      a.mean,
      a.previousBelowPct,
      a.previousMean,
      a.direction,
      r.howWell.attention.includes(a)
        ? "needs immediate attention"
        : r.howWell.good.includes(a)
          ? "good"
          : r.howWell.improving.includes(a)
            ? "improving"
            : "",
    ]),
  );
  sheet(
    wb,
    "Better off",
    ["Measure", "Value", "Of / n", "Percent", "Change since last audit of the case", "Cases compared"],
    [
      ["Families giving feedback", r.betterOff.familyFeedback ?? "not shown (fewer than the minimum group)", null, null, null, null],
      ...r.betterOff.statements.map((s): Row => [`${s.number}. ${s.text}`, s.mean, s.n, null, s.change, s.pairs]),
      ...r.betterOff.benefit.map((b): Row => [`Children seen to benefit: ${b.label}`, b.share.count, b.share.of, b.share.pct, null, null]),
      ["Children seen to benefit: not recorded (not in the shares)", r.betterOff.benefitNotRecorded, r.howMuch.counted, null, null, null],
    ],
  );
  sheet(
    wb,
    "Actions & supervision",
    ["Measure", "Value"],
    [
      ["Open actions", r.actions.open],
      ["Overdue actions", r.actions.overdue],
      ["Immediate and overdue", r.actions.immediateOverdue],
      ["Actions set this month", r.actions.fromThisMonth],
      ["Actions set this month, still open", r.actions.fromThisMonthOpen],
      ...r.supervisionOverdue.map((s): Row => [`Supervision overdue: ${s.teamId}`, s.count]),
    ],
  );
  if (v.kind === "full") {
    sheet(
      wb,
      "Teams",
      ["Team", "Allocated", "Returned", "Good or better", "Family feedback", "Family mean (0–10)"],
      v.teams.map((t): Row => [
        t.teamId,
        t.allocated,
        t.returned,
        t.good.text,
        t.suppressed ? "suppressed" : t.familyFeedback,
        t.familyMean,
      ]),
    );
  }
  sheet(
    wb,
    "Team appendix",
    [
      "Case ID",
      "Team",
      "Status",
      "Auditor",
      "Submitted",
      "Grade",
      "Moderated to",
      "Final grade",
      "Areas below Good",
      "Areas scored",
      "Open actions",
      "Family feedback",
    ],
    v.appendix.map((a): Row => [
      a.caseRef,
      a.teamId,
      a.status,
      a.auditor,
      a.submittedOn,
      a.originalGrade,
      a.moderatedGrade,
      a.finalGrade,
      a.areasBelowGood,
      a.areasScored,
      a.openActions,
      a.familyFeedback ? "yes" : "no",
    ]),
  );
  sheet(
    wb,
    "Trends",
    ["Month", "Returned", "Good or better", "Percent good", ...Array.from({ length: 19 }, (_, i) => `Area ${i + 1} mean`)],
    v.trends.months.map((m): Row => [
      m.month,
      m.returned,
      m.good.count,
      m.good.pct,
      ...Array.from({ length: 19 }, (_, i) => m.areaMeans[i + 1] ?? null),
    ]),
  );
  return wb;
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote, and neutralise spreadsheet formulas in text cells.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
export const toCsv = (rows: Row[]) => `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

export async function writeReportFiles(v: MonthlyView, dir = "reports-out"): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const scope = v.kind === "team" ? `-team-${(v.report.teamIds ?? []).join("-")}` : "";
  const theme = v.report.theme ? `-${v.report.theme.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` : "";
  const base = path.join(dir, `audit-at-a-glance-${v.report.month}${theme}${scope}`);
  const wb = await buildWorkbook(v);
  await wb.xlsx.writeFile(`${base}.xlsx`);
  await writeFile(`${base}-summary.csv`, toCsv([["Section", "Measure", "Count", "Of", "Percent"], ...summaryRows(v)]));
  await writeFile(
    `${base}-appendix.csv`,
    toCsv([
      ["Case ID", "Team", "Status", "Grade", "Moderated to", "Final grade", "Areas below Good", "Open actions"],
      ...v.appendix.map((a): Row => [
        a.caseRef,
        a.teamId,
        a.status,
        a.originalGrade,
        a.moderatedGrade,
        a.finalGrade,
        a.areasBelowGood,
        a.openActions,
      ]),
    ]),
  );
  return { xlsx: `${base}.xlsx`, summaryCsv: `${base}-summary.csv`, appendixCsv: `${base}-appendix.csv` };
}
