// No figure from fewer than MIN_GROUP_SIZE (5) people on any surface that shows survey answers or
// family feedback: the survey cards (home, results), the survey export (XLSX and CSV), the monthly
// report card, team rows and files, the quarterly report card and the typed commands. People are
// added one at a time and every surface is read after each; a reader who compares successive views
// (n × mean of one view minus that of the one before) must never recover one person's answer.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import ExcelJS from "exceljs";
import { cardText, type StaffRef } from "../support/harness";
import { answerWholeSurvey, openHealthCheck } from "../support/surveyForm";
import { ManualClock } from "../../services/clock";
import { seedReportFixture } from "../support/reportFixture";
import { loadAuditTool } from "../../services/catalogue";
import { reportFilesForActor } from "../../services/reports";
import { campaignResults } from "../../services/surveys/results";
import { exportResults } from "../../services/surveys/resultsExport";

const MIN = 5;
const STATEMENTS = new Set(loadAuditTool().feedback.family.statements.map((x) => `${x.number}. ${x.text}`));
const MONTH = "2026-11";
const clock = new ManualClock("2026-12-01T09:00:00Z");
let qa: StaffRef;
const dir = mkdtempSync(path.join(tmpdir(), "assure-small-groups-"));

/** All the text a surface shows: card text, or the cells of a workbook and a CSV. */
async function workbookText(file: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets.flatMap((ws) => ws.getSheetValues().map((row) => (Array.isArray(row) ? row.slice(1).join(" | ") : ""))).join("\n");
}

interface View {
  label: string;
  /** Respondent or family counts the surface shows as numbers. */
  counts: number[];
  /** "question → n, mean" as shown. */
  figures: Map<string, { n: number; mean: number }>;
}

/** Reads the figures ("mean (n)", "Mean m of s (n answered)", table rows) and the people counts of a surface's text. */
function parse(label: string, text: string, surveyWorkbook = false): View {
  const figures = new Map<string, { n: number; mean: number }>();
  const counts: number[] = [];
  const add = (key: string, mean: string, n: string) => figures.set(key.trim(), { mean: Number(mean), n: Number(n) });
  // Cards: a fact's title, then "7.4 (5)" or "Mean 7.0 of 10 (5 answered)".
  for (const m of text.matchAll(/^(.*)\n(?:Mean )?(\d+(?:\.\d+)?)(?: of \d+)? \((\d+)(?: answered)?\)/gm)) add(m[1]!, m[2]!, m[3]!);
  // Team rows: "… family feedback 7.2 (5)".
  for (const m of text.matchAll(/^(.*?) .*family feedback (\d+(?:\.\d+)?) \((\d+)\)/gm)) add(`team ${m[1]}`, m[2]!, m[3]!);
  // Report workbook and CSV: "1. statement | mean | n".
  for (const m of text.matchAll(/(\d+\. [^|\n]+?) \| (\d+(?:\.\d+)?) \| (\d+)/g)) if (STATEMENTS.has(m[1]!)) add(m[1]!, m[2]!, m[3]!);
  // Survey workbook: "question | answered | mean".
  if (surveyWorkbook) for (const m of text.matchAll(/^([^|\n]+) \| (\d+) \| (\d+(?:\.\d+)?) \|/gm)) add(m[1]!, m[3]!, m[2]!);
  for (const m of text.matchAll(/(?:from|answered|surveyed|responded)\D{0,12}?(\d+)\b|(\d+) (?:of \d+ )?(?:families|answered|responses)/g))
    counts.push(Number(m[1] ?? m[2]));
  for (const m of text.matchAll(/Families giving feedback \| (\d+)/g)) counts.push(Number(m[1]));
  return { label, counts, figures };
}

/** The survey CSV: question, n and mean columns. */
function parseSurveyCsv(label: string, csv: string): View {
  const figures = new Map<string, { n: number; mean: number }>();
  for (const line of csv.split("\r\n").slice(1)) {
    const cols = line.split(",");
    if (cols.length > 6 && /^\d+$/.test(cols[cols.length - 6] ?? "") && cols[cols.length - 5])
      figures.set(cols[1]!, { n: Number(cols[cols.length - 6]), mean: Number(cols[cols.length - 5]) });
  }
  return { label, counts: [], figures };
}

function expectNoSmallFigure(v: View) {
  expect(
    v.counts.filter((n) => n > 0 && n < MIN),
    `${v.label}: a count of fewer than ${MIN}`,
  ).toEqual([]);
  for (const [q, f] of v.figures) expect(f.n, `${v.label}: ${q} shown from ${f.n}`).toBeGreaterThanOrEqual(MIN);
}

/** Figures that moved between two successive views by fewer than MIN people: one person's answer, or a difference of two, by subtraction. */
function recovered(views: View[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < views.length; i++)
    for (const [q, now] of views[i]!.figures) {
      const before = views[i - 1]!.figures.get(q) ?? { n: 0, mean: 0 };
      // A figure that moved with fewer than MIN people added (or none: someone's answers swapped in).
      if (now.n - before.n < MIN && (now.n !== before.n || now.mean !== before.mean)) out.push(`${views[i]!.label}: ${q}`);
    }
  return out;
}

const h = useHarness(
  { clock },
  async () => {
    await seedReportFixture(h.db, { month: MONTH });
    qa = await h.one("QA_TEAM");
  },
  180_000,
);

describe("survey figures", () => {
  it("show nothing from fewer than 5 people, never move with one person's answers, on every surface", async () => {
    const campaignId = (await openHealthCheck(h, qa)).id;
    const people = (await h.staffWithRole("PRACTITIONER")).slice(0, 7);
    const views: Record<string, View[]> = { results: [], home: [], csv: [], xlsx: [], quarterly: [] };
    const look = async (tag: string) => {
      views.results!.push(parse(`results ${tag}`, (await h.execute(qa, "survey.results", { campaignId })).text));
      views.home!.push(parse(`home ${tag}`, cardText((await h.say(qa, "survey")).cards[0])));
      const files = await exportResults(await campaignResults(h.service.ctx, qa, campaignId), dir, clock.now());
      views.csv!.push(parseSurveyCsv(`csv ${tag}`, readFileSync(files.csv, "utf8")));
      views.xlsx!.push(parse(`xlsx ${tag}`, await workbookText(files.xlsx), true));
      views.quarterly!.push(parse(`quarterly ${tag}`, cardText((await h.say(qa, "report quarterly 2026-Q4")).cards[0])));
    };
    for (const [i, s] of people.entries()) {
      clock.advance(60 * 60_000);
      const done = await answerWholeSurvey(h, s, campaignId, {
        "role-group": "practitioner",
        "direct-work": "yes",
        "confidence-three-houses": String(i + 2),
      });
      expect(done).toMatch(/recorded anonymously/);
      await look(`after ${i + 1}`);
    }
    // While open: response rates only (no answer figures), and "fewer than 5" below the minimum.
    const first = views.results![0]!;
    expect(first.figures.size).toBe(0);
    expect(views.results!.map((v) => v.figures.size)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect((await h.execute(qa, "survey.results", { campaignId })).text).not.toMatch(/\(1 answered\)/);

    clock.set("2026-12-22T09:00:00Z");
    expect((await h.execute(qa, "survey.close", { campaignId })).text).toMatch(/closed/);
    await look("closed");
    await look("closed, again");
    const closed = views.results!.at(-1)!;
    expect(closed.figures.get("How confident do you feel using the Three Houses tool?")?.n ?? [...closed.figures.values()][0]?.n).toBe(7);
    for (const list of Object.values(views)) {
      for (const v of list) expectNoSmallFigure(v);
      expect(recovered(list), "answers recovered by differencing").toEqual([]);
    }
  }, 240_000);
});

describe("family feedback figures", () => {
  it("show nothing from fewer than 5 families and move only in steps of 5, on every surface", async () => {
    // The month's family feedback is taken away and comes back one family at a time.
    // Only audits returned in time count in the findings, family feedback included.
    const audits = (
      await h.db.audit.findMany({ where: { cycle: { month: MONTH } }, select: { id: true, submittedAt: true, dueDate: true } })
    ).filter((a) => a.submittedAt && a.submittedAt.toISOString().slice(0, 10) <= a.dueDate.toISOString().slice(0, 10));
    const family = await h.db.feedback.findMany({
      where: { auditId: { in: audits.map((a) => a.id) }, kind: "family", obtained: true },
      orderBy: { id: "asc" },
    });
    expect(family.length).toBeGreaterThanOrEqual(11);
    await h.db.feedback.deleteMany({ where: { id: { in: family.map((f) => f.id) } } });
    const views: Record<string, View[]> = { monthly: [], team: [], quarterly: [], workbook: [], csv: [] };
    const look = async (tag: string) => {
      views.monthly!.push(parse(`monthly ${tag}`, cardText((await h.say(qa, `report ${MONTH}`)).cards[0])));
      views.team!.push(parse(`team ${tag}`, (await h.execute(qa, "report.team", { month: MONTH })).text));
      views.quarterly!.push(parse(`quarterly ${tag}`, cardText((await h.say(qa, "report quarterly 2026-Q4")).cards[0])));
      const files = await reportFilesForActor(h.service.ctx, qa, MONTH, dir);
      views.workbook!.push(parse(`workbook ${tag}`, await workbookText(files.xlsx)));
      views.csv!.push(parse(`csv ${tag}`, readFileSync(files.summaryCsv, "utf8").replace(/,/g, " | ")));
    };
    for (const [i, f] of family.slice(0, 11).entries()) {
      await h.db.feedback.create({ data: { ...f, answers: f.answers as object, createdAt: new Date(Date.now() + (i + 1) * 60_000) } });
      await look(`after ${i + 1}`);
    }
    const monthly = views.monthly!;
    expect(monthly[0]!.counts).not.toContain(1);
    expect(cardText((await h.say(qa, `report ${MONTH}`)).cards[0])).toMatch(/Family feedback from 10 people/);
    for (const list of Object.values(views)) {
      for (const v of list) expectNoSmallFigure(v);
      expect(recovered(list), "family answers recovered by differencing").toEqual([]);
    }
  }, 240_000);
});
