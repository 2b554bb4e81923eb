// Survey results: response rate (from participation), per-question distributions and means,
// results by role group and by team, year-on-year comparison with the previous campaign of the same
// template, open answers listed anonymously in a random order, and export to XLSX (summary + one
// sheet per section) and CSV.
//
// What may be shown is decided by services/disclosure.ts: answers are shown only once the campaign
// has closed (so there is one view of them, never a running figure that moves with each submit) and
// only when at least MIN_GROUP_SIZE people answered (the campaign, the question, the group); counts
// of respondents below the minimum read "fewer than N".
import { PLAN_TEMPLATES, mayPlan } from "./nextSteps";
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import type { AppContext } from "../context";
import { NotFound } from "../errors";
import { disclose, disclosable, peopleCount, suppressGroups } from "../disclosure";
import { requireCapability, type Actor } from "../permissions";
import { shuffle } from "../random";
import {
  LIKERT5_DEFAULT_OPTIONS,
  loadFormTemplate,
  optionLabel,
  optionValue,
  type FormQuestion,
  type FormTemplate,
} from "../forms/templateSchema";
import { questionOptions, type AnswerValue, type Answers } from "../forms/engine";
import { formatDay } from "./days";
import { campaignState, CampaignStatus, type CampaignState } from "./states";

export interface QuestionResult {
  id: string;
  text: string;
  type: FormQuestion["type"];
  /** Respondents who answered it; null when not shown (fewer than the minimum, or not released). */
  n: number | null;
  /** 0–10 for scales; 1 (strongly disagree) – 5 (strongly agree) for Likert statements. */
  mean: number | null;
  scaleMax: number | null;
  distribution: { label: string; count: number }[];
  previousMean: number | null;
  /** Change of the mean against the previous campaign, in per cent of the previous mean. */
  changePct: number | null;
}

export interface SectionResult {
  id: string;
  title: string;
  questions: QuestionResult[];
}

export interface GroupResult {
  kind: "role" | "team";
  key: string;
  label: string;
  /** null when suppressed: not even the count is shown. */
  n: number | null;
  suppressed: boolean;
  /** Mean per question (numeric questions), null when suppressed. */
  means: Record<string, number | null>;
}

export interface SurveyResults {
  campaign: { id: string; title: string; templateId: string; state: CampaignState; window: string; onBehalf: boolean };
  invited: number;
  /** Respondents (from participation) as shown: a number, or "fewer than N". */
  responded: string;
  /** Answer sets shown; null while the campaign is open or when fewer than the minimum. */
  responses: number | null;
  responseRatePct: number | null;
  minGroupSize: number;
  /** Why no answers are shown ("" when they are). */
  withheld: string;
  sections: SectionResult[];
  groups: GroupResult[];
  suppressionNote: string;
  previous: { id: string; title: string; window: string; responses: number } | null;
  openAnswers: { questionId: string; text: string; answers: string[] }[];
}

const cryptoRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;
const round = (x: number, dp = 2) => Math.round(x * 10 ** dp) / 10 ** dp;

/** The numeric value of an answer, if the question has one (scale 0–10, Likert 1–5). */
export function numeric(q: FormQuestion, v: AnswerValue | undefined): number | null {
  if (v === undefined) return null;
  if (q.type === "scale0to10") return typeof v === "number" ? v : Number(v);
  if (q.type === "likert5") {
    // 1 = strongly disagree … 5 = strongly agree, whatever order the template lists the options in.
    const opts = questionOptions(q);
    const o = opts.find((x) => optionValue(x) === String(v));
    if (!o) return null;
    const canonical = LIKERT5_DEFAULT_OPTIONS.findIndex((l) => l.toLowerCase() === optionLabel(o).toLowerCase());
    return canonical >= 0 ? canonical + 1 : opts.indexOf(o) + 1;
  }
  return null;
}

const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

/** Mean per numeric question, only where at least `min` people answered it. */
function questionMeans(template: FormTemplate, rows: Answers[], min: number): Map<string, number | null> {
  const m = new Map<string, number | null>();
  for (const s of template.sections)
    for (const q of s.questions) {
      if (q.type !== "scale0to10" && q.type !== "likert5") continue;
      const xs = rows.map((r) => numeric(q, r[q.id])).filter((x): x is number => x !== null);
      m.set(q.id, disclose(xs.length, min, mean(xs)));
    }
  return m;
}

export { suppressGroups };

/**
 * Answers that may be shown: a closed campaign's (SurveyResponse only; held answers are never
 * read for results), and none at all when fewer than `min` people answered.
 */
async function releasedAnswers(ctx: AppContext, c: { id: string; status: string; opensAt: Date; closesAt: Date }, min: number) {
  if (campaignState(c, ctx.clock.now()) !== "closed") return null;
  const rows = await ctx.db.surveyResponse.findMany({
    where: { campaignId: c.id },
    select: { roleGroup: true, teamId: true, answers: true },
  });
  if (!disclosable(rows.length, min)) return null;
  return rows.map((r) => ({ roleGroup: r.roleGroup, teamId: r.teamId, answers: r.answers as Answers }));
}

export async function campaignResults(ctx: AppContext, actor: Actor | null, campaignId: string): Promise<SurveyResults> {
  const c = await ctx.db.surveyCampaign.findUnique({ where: { id: campaignId } });
  // Heads of service read a closed Health Check's results from their next steps plan card.
  const planReader = c && c.status === CampaignStatus.closed && PLAN_TEMPLATES.includes(c.templateId) && actor && mayPlan(actor, c);
  if (actor && !planReader) requireCapability(actor, "survey.manage");
  if (!c) throw new NotFound("That survey does not exist.");
  const tz = ctx.config.TIMEZONE;
  const template = loadFormTemplate(c.templateId);
  const onBehalf = Boolean(template.enteredBy);
  const min = ctx.config.MIN_GROUP_SIZE;
  const state = campaignState(c, ctx.clock.now());
  const [invited, responded, rows] = await Promise.all([
    ctx.db.surveyParticipation.count({ where: { campaignId } }),
    onBehalf
      ? Promise.all([
          ctx.db.surveyResponse.count({ where: { campaignId } }),
          ctx.db.surveyResponseHolding.count({ where: { campaignId } }),
        ]).then(([a, b]) => a + b)
      : ctx.db.surveyParticipation.count({ where: { campaignId, responded: true } }),
    releasedAnswers(ctx, c, min),
  ]);
  // The previous closed campaign of the same form whose answers may be shown.
  const earlier = await ctx.db.surveyCampaign.findMany({
    where: { templateId: c.templateId, opensAt: { lt: c.opensAt }, id: { not: c.id } },
    orderBy: { opensAt: "desc" },
    take: 5,
  });
  let prev: (typeof earlier)[number] | null = null;
  let prevRows: NonNullable<Awaited<ReturnType<typeof releasedAnswers>>> = [];
  for (const e of earlier) {
    const r = await releasedAnswers(ctx, e, min);
    if (r) {
      prev = e;
      prevRows = r;
      break;
    }
  }
  const prevMeans = questionMeans(
    template,
    prevRows.map((r) => r.answers),
    min,
  );
  const answers = (rows ?? []).map((r) => r.answers);
  const means = questionMeans(template, answers, min);

  const sections: SectionResult[] = template.sections.map((s) => ({
    id: s.id,
    title: s.title,
    questions: s.questions.map((q) => {
      const given = answers.map((a) => a[q.id]).filter((v): v is AnswerValue => v !== undefined && v !== "");
      const shown = rows !== null && disclosable(given.length, min);
      let distribution: { label: string; count: number }[] = [];
      if (!shown) distribution = [];
      else if (q.type === "scale0to10") {
        distribution = Array.from({ length: 11 }, (_, i) => ({ label: String(i), count: given.filter((v) => Number(v) === i).length }));
      } else if (q.type !== "text" && q.type !== "longtext") {
        distribution = questionOptions(q).map((o) => ({
          label: optionLabel(o),
          count: given.filter((v) => (Array.isArray(v) ? v.includes(optionValue(o)) : v === optionValue(o))).length,
        }));
      }
      const m = shown ? (means.get(q.id) ?? null) : null;
      const p = shown && prev ? (prevMeans.get(q.id) ?? null) : null;
      return {
        id: q.id,
        text: q.text,
        type: q.type,
        n: shown ? given.length : null,
        mean: m,
        scaleMax: q.type === "scale0to10" ? 10 : q.type === "likert5" ? 5 : null,
        distribution,
        previousMean: p,
        changePct: m !== null && p !== null && p !== 0 ? round(((m - p) / p) * 100, 1) : null,
      };
    }),
  }));

  // Groups: by role group and by team, each only when large enough (and never recoverable by subtraction).
  const teams = await ctx.db.team.findMany({ select: { id: true, name: true } });
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const groupsOf = (kind: "role" | "team") => {
    if (onBehalf || rows === null) return [];
    const by = new Map<string, Answers[]>();
    for (const r of rows) {
      const key = (kind === "role" ? r.roleGroup : r.teamId) ?? "(not recorded)";
      by.set(key, [...(by.get(key) ?? []), r.answers]);
    }
    const raw = [...by.entries()].map(([key, as]) => ({ key, n: as.length, as }));
    return suppressGroups(raw, min)
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((g) => ({
        kind,
        key: g.key,
        label: kind === "team" && teamName.has(g.key) ? `${teamName.get(g.key)} (${g.key})` : g.key,
        n: g.suppressed ? null : g.n,
        suppressed: g.suppressed,
        means: g.suppressed ? {} : Object.fromEntries(questionMeans(template, g.as, min)),
      }));
  };
  const groups = [...groupsOf("role"), ...groupsOf("team")];
  const hidden = groups.filter((g) => g.suppressed).length;

  const openAnswers = template.sections
    .flatMap((s) => s.questions)
    .filter((q) => q.type === "text" || q.type === "longtext")
    .map((q) => {
      const given = answers.map((a) => a[q.id]).filter((v): v is string => typeof v === "string" && v.trim() !== "");
      return { questionId: q.id, text: q.text, answers: disclosable(given.length, min) ? shuffle(given, cryptoRandom) : [] };
    });

  const withheld =
    state !== "closed"
      ? `Answers are shown when the survey closes, all at once, so no result moves with one person's answers.`
      : rows === null
        ? `Fewer than ${min} people answered, so no answers are shown.`
        : "";
  const shownResponded = disclose(responded, min, responded);
  return {
    campaign: {
      id: c.id,
      title: c.title,
      templateId: c.templateId,
      state,
      window: `${formatDay(c.opensAt, tz)} – ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}`,
      onBehalf,
    },
    invited,
    responded: peopleCount(responded, min),
    responses: rows ? rows.length : null,
    responseRatePct: onBehalf || invited === 0 || shownResponded === null ? null : round((shownResponded / invited) * 100, 1),
    minGroupSize: min,
    withheld,
    sections,
    groups,
    suppressionNote: hidden
      ? `${hidden} group${hidden > 1 ? "s are" : " is"} not shown: results by team or role are shown only for groups of at least ${min} respondents (and never in a way that lets a hidden group be worked out).`
      : "",
    previous: prev
      ? {
          id: prev.id,
          title: prev.title,
          window: `${formatDay(prev.opensAt, tz)} – ${formatDay(new Date(prev.closesAt.getTime() - 1), tz)}`,
          responses: prevRows.length,
        }
      : null,
    openAnswers,
  };
}

// ---------------------------------------------------------------------------------------------
// Export.

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
        q.distribution.map((d) => `${d.label}: ${d.count}`).join("; "),
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
        q.distribution.map((d) => `${d.label}: ${d.count}`).join("; "),
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
