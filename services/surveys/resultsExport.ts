// A campaign's results as files: CSV (one row a question) and XLSX (a summary sheet, a sheet per
// section, the groups' means), written only from what services/surveys/results.ts allows to be shown.
import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import type { SurveyResults } from "./results";

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote, and defuse spreadsheet formulas in free text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function resultsCsv(r: SurveyResults): string {
  const lines = r.withheld ? [["note"], [r.withheld]] : [];
  lines.push(["section", "question_id", "question", "type", "n", "mean", "scale_max", "previous_mean", "change_pct", "distribution"]);
  for (const s of r.sections)
    for (const q of s.questions)
      lines.push([
        s.title,
        q.id,
        q.text,
        q.type,
        q.n === null ? "" : String(q.n),
        q.mean === null ? "" : String(q.mean),
        q.scaleMax === null ? "" : String(q.scaleMax),
        q.previousMean === null ? "" : String(q.previousMean),
        q.changePct === null ? "" : String(q.changePct),
        q.distribution.map((d) => `${d.label}: ${d.shown}`).join("; "),
      ]);
  return `${lines.map((l) => l.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

const sheetName = (title: string, used: Set<string>): string => {
  const base =
    title
      .replace(/[[\]:*?/\\]/g, " ")
      .slice(0, 28)
      .trim() || "Section";
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 25)} ${i}`;
  used.add(name.toLowerCase());
  return name;
};

export async function resultsWorkbook(r: SurveyResults): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Assure";
  const used = new Set<string>();
  const summary = wb.addWorksheet(sheetName("Summary", used));
  summary.columns = [{ width: 34 }, { width: 60 }];
  summary.addRows([
    ["Survey", r.campaign.title],
    ["Form", r.campaign.templateId],
    ["Window", r.campaign.window],
    ["State", r.campaign.state],
    ...(r.campaign.onBehalf
      ? [["Families surveyed", r.responded]]
      : [
          ["Invited", r.invited],
          ["Responded", r.responded],
        ]),
    ["Response rate (%)", r.responseRatePct ?? ""],
    ["Minimum group size", r.minGroupSize],
    ...(r.withheld ? [["Answers", r.withheld]] : []),
    ["Compared with", r.previous ? `${r.previous.title} (${r.previous.window}), ${r.previous.responses} responses` : "no previous survey"],
    [],
    ["Group", "Respondents"],
    ...r.groups.map((g) => [`${g.kind}: ${g.label}`, g.suppressed ? `fewer than ${r.minGroupSize}: not shown` : g.n]),
  ]);
  if (r.suppressionNote) summary.addRow(["Note", r.suppressionNote]);
  summary.getColumn(1).font = { bold: true };
  for (const s of r.sections) {
    const ws = wb.addWorksheet(sheetName(s.title, used));
    ws.columns = [
      { header: "Question", width: 60 },
      { header: "Answered", width: 10 },
      { header: "Mean", width: 8 },
      { header: "Scale", width: 8 },
      { header: "Previous mean", width: 14 },
      { header: "Change %", width: 10 },
      { header: "Distribution", width: 80 },
    ];
    ws.getRow(1).font = { bold: true };
    for (const q of s.questions)
      ws.addRow([
        q.text,
        q.n ?? "",
        q.mean ?? "",
        q.scaleMax ? `0–${q.scaleMax}`.replace("0–5", "1–5") : "",
        q.previousMean ?? "",
        q.changePct ?? "",
        q.distribution.map((d) => `${d.label}: ${d.shown}`).join("; "),
      ]);
    const shownGroups = r.groups.filter((g) => !g.suppressed);
    const numericQs = s.questions.filter((q) => q.mean !== null || q.scaleMax !== null);
    if (shownGroups.length && numericQs.length) {
      ws.addRow([]);
      ws.addRow(["Mean by group (groups of at least " + r.minGroupSize + ")", ...shownGroups.map((g) => `${g.kind}: ${g.label}`)]).font = {
        bold: true,
      };
      for (const q of numericQs) ws.addRow([q.text, ...shownGroups.map((g) => g.means[q.id] ?? "")]);
    }
    for (const oa of r.openAnswers.filter((o) => s.questions.some((q) => q.id === o.questionId))) {
      ws.addRow([]);
      ws.addRow([`${oa.text} (answers in random order)`]).font = { bold: true };
      for (const a of oa.answers) ws.addRow([a]).alignment = { wrapText: true };
    }
  }
  return wb;
}

/** Writes <dir>/survey-<template>-<date>-<id>.xlsx and .csv; returns their paths. */
export async function exportResults(r: SurveyResults, dir = "reports-out", today = new Date()): Promise<{ xlsx: string; csv: string }> {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `survey-${r.campaign.templateId}-${today.toISOString().slice(0, 10)}-${r.campaign.id.slice(0, 8)}`);
  const wb = await resultsWorkbook(r);
  await wb.xlsx.writeFile(`${base}.xlsx`);
  await writeFile(`${base}.csv`, resultsCsv(r), "utf8");
  return { xlsx: `${base}.xlsx`, csv: `${base}.csv` };
}
