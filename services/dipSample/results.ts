// A dip sample's results: the compliance rate per checklist item and per team, the share judged
// "good or better", and the cases needing action (sent to their team managers as they were
// answered); as a card with bar charts built of ColumnSets (they render in every Adaptive Cards
// host) and as an XLSX workbook under reports-out/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import type { AppContext } from "../context";
import type { Db, Tx } from "../db";
import { NotFound } from "../errors";
import { requireCapability, type Actor } from "../permissions";
import { transition } from "../stateMachine";
import { share, type Share } from "../reports/format";
import { sheet as addSheet, type Row } from "../reports/files";
import { planTypeLabel } from "../audit/themes";
import { checklistById } from "./checklists";
import { dipSampleMachine } from "./states";
import { SAMPLE_MISSING } from "./access";

export interface DipResults {
  id: string;
  title: string;
  status: string;
  createdAt: Date;
  rule: Record<string, unknown>;
  total: number;
  answered: number;
  good: Share;
  needsAction: number;
  items: { id: string; text: string; compliant: Share }[];
  teams: { teamId: string; cases: number; answered: number; compliant: Share; good: Share; needsAction: number }[];
  actionCases: { caseRef: string; teamId: string; note: string }[];
  cases: {
    caseRef: string;
    teamId: string;
    planType: string;
    status: string;
    answers: Record<string, boolean>;
    good: boolean | null;
    needsAction: boolean;
    note: string;
  }[];
}

export async function dipResults(db: Db | Tx, sampleId: string): Promise<DipResults> {
  const s = await db.dipSample.findUnique({ where: { id: sampleId } });
  if (!s) throw new NotFound(SAMPLE_MISSING);
  const checklist = checklistById(s.checklistId)!;
  const rows = await db.dipCheck.findMany({ where: { sampleId }, orderBy: { position: "asc" } });
  const answered = rows.filter((r) => r.status === "answered");
  const ans = (r: (typeof rows)[number]) => (r.answers ?? {}) as Record<string, boolean>;
  const teamIds = [...new Set(rows.map((r) => r.teamId))].sort();
  return {
    id: s.id,
    title: s.title,
    status: s.status,
    createdAt: s.createdAt,
    rule: s.rule as Record<string, unknown>,
    total: rows.length,
    answered: answered.length,
    good: share(answered.filter((r) => r.goodOrBetter).length, answered.length),
    needsAction: answered.filter((r) => r.needsAction).length,
    items: checklist.items.map((it) => ({
      id: it.id,
      text: it.text,
      compliant: share(answered.filter((r) => ans(r)[it.id] === true).length, answered.length),
    })),
    teams: teamIds.map((teamId) => {
      const t = answered.filter((r) => r.teamId === teamId);
      const yes = t.reduce((n, r) => n + checklist.items.filter((it) => ans(r)[it.id] === true).length, 0);
      return {
        teamId,
        cases: rows.filter((r) => r.teamId === teamId).length,
        answered: t.length,
        compliant: share(yes, t.length * checklist.items.length),
        good: share(t.filter((r) => r.goodOrBetter).length, t.length),
        needsAction: t.filter((r) => r.needsAction).length,
      };
    }),
    actionCases: answered.filter((r) => r.needsAction).map((r) => ({ caseRef: r.caseRef, teamId: r.teamId, note: r.note ?? "" })),
    cases: rows.map((r) => ({
      caseRef: r.caseRef,
      teamId: r.teamId,
      planType: r.planType,
      status: r.status,
      answers: ans(r),
      good: r.goodOrBetter,
      needsAction: r.needsAction,
      note: r.note ?? "",
    })),
  };
}

/** One bar of a ColumnSet chart: the filled share, coloured against the target, and the rest. */
function bar(label: string, s: Share, target: number) {
  const pct = Math.round(s.pct ?? 0);
  return { label, text: s.text, fill: pct, rest: 100 - pct, style: pct >= target ? "good" : "attention", pctText: `${pct}%` };
}

const CASE_LIST_MAX = 15;

/** The results card (template "dip-sample-results"). */
export function resultsCardData(r: DipResults, targetPct: number) {
  return {
    sampleId: r.id,
    heading: `Dip sample results: ${r.title}`,
    facts: [
      { title: "Cases checked", value: `${r.answered} of ${r.total}` },
      { title: "Good or better", value: r.good.text },
      { title: "Needing action", value: `${r.needsAction} (sent to their team managers)` },
      {
        title: "Drawn by",
        value: `${((r.rule.planTypes as string[]) ?? []).map(planTypeLabel).join(", ")}${r.rule.teamId ? ` · team ${String(r.rule.teamId)}` : " · all teams"}${r.rule.openedFrom || r.rule.openedTo ? ` · opened ${String(r.rule.openedFrom ?? "…")} to ${String(r.rule.openedTo ?? "…")}` : ""}`,
      },
      { title: "Status", value: r.status === "open" ? "Open" : "Closed" },
    ],
    targetText: `Green: at or above ${targetPct}% compliant (the authority's own default target); red: below.`,
    itemBars: r.items.map((it) => bar(it.text, it.compliant, targetPct)),
    teamBars: r.teams.map((t) =>
      bar(`${t.teamId}: ${t.answered} of ${t.cases} cases checked · good or better ${t.good.text}`, t.compliant, targetPct),
    ),
    actionCases: r.actionCases
      .slice(0, CASE_LIST_MAX)
      .map((c) => ({ title: `${c.caseRef} (${c.teamId})`, value: c.note || "needs action" })),
    more: r.actionCases.length > CASE_LIST_MAX ? `… and ${r.actionCases.length - CASE_LIST_MAX} more in the XLSX.` : "",
    open: r.status === "open",
  };
}

export async function resultsForActor(ctx: AppContext, actor: Actor, sampleId: string) {
  requireCapability(actor, "dipSamples.manage");
  return resultsCardData(await dipResults(ctx.db, sampleId), ctx.config.DIP_SAMPLE_TARGET_PCT);
}

/** Closes the sample: no more answers are taken (checks still allocated stay unanswered). */
export async function closeDipSample(ctx: AppContext, actor: Actor, sampleId: string) {
  requireCapability(actor, "dipSamples.manage");
  await ctx.db.$transaction((tx) =>
    transition(tx, dipSampleMachine, "close", {
      id: sampleId,
      actorId: actor.id,
      alreadyDone: "This dip sample is already closed. Nothing was recorded twice.",
      write: (from, to) =>
        tx.dipSample.updateMany({ where: { id: sampleId, status: { in: from } }, data: { status: to, closedAt: ctx.clock.now() } }),
    }),
  );
  return resultsForActor(ctx, actor, sampleId);
}

/** The results as an XLSX workbook (Summary, Items, Teams, Cases) under `dir`; returns its path. */
export async function exportDipSample(ctx: AppContext, actor: Actor, sampleId: string, dir = "reports-out"): Promise<string> {
  requireCapability(actor, "dipSamples.manage");
  const r = await dipResults(ctx.db, sampleId);
  const checklist = checklistById((await ctx.db.dipSample.findUniqueOrThrow({ where: { id: sampleId } })).checklistId)!;
  const wb = new ExcelJS.Workbook();
  wb.creator = "Assure";
  const sheet = (name: string, header: string[], rows: Row[]) => addSheet(wb, name, header, rows);
  sheet(
    "Summary",
    ["Measure", "Count", "Of", "Percent"],
    [
      ["Cases checked", r.answered, r.total, null],
      ["Good or better", r.good.count, r.good.of, r.good.pct],
      ["Needing action", r.needsAction, r.answered, null],
    ],
  );
  sheet(
    "Items",
    ["Item", "Compliant", "Checked", "Percent"],
    r.items.map((i) => [i.text, i.compliant.count, i.compliant.of, i.compliant.pct]),
  );
  sheet(
    "Teams",
    ["Team", "Cases", "Checked", "Compliant answers", "Of", "Percent compliant", "Good or better", "Needing action"],
    r.teams.map((t) => [t.teamId, t.cases, t.answered, t.compliant.count, t.compliant.of, t.compliant.pct, t.good.count, t.needsAction]),
  );
  sheet(
    "Cases",
    ["Case ID", "Team", "Plan", "Status", ...checklist.items.map((i) => i.id), "Judgement", "Needs action", "Note"],
    r.cases.map((c) => [
      c.caseRef,
      c.teamId,
      planTypeLabel(c.planType),
      c.status,
      ...checklist.items.map((i) => (c.status === "answered" ? (c.answers[i.id] ? "yes" : "no") : null)),
      c.good === null ? null : c.good ? "good or better" : "less than good",
      c.needsAction ? "yes" : "no",
      // Text typed by a reviewer: a leading formula character is neutralised.
      /^[=+\-@]/.test(c.note) ? `'${c.note}` : c.note,
    ]),
  );
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `dip-sample-${r.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${r.id.slice(0, 8)}.xlsx`);
  await wb.xlsx.writeFile(file);
  return file;
}

/** The open and recent dip samples (for the "dip samples" card). */
export async function recentSamples(ctx: AppContext) {
  const samples = await ctx.db.dipSample.findMany({ orderBy: { createdAt: "desc" }, take: 8 });
  const counts = await ctx.db.dipCheck.groupBy({
    by: ["sampleId", "status"],
    where: { sampleId: { in: samples.map((s) => s.id) } },
    _count: { _all: true },
  });
  const n = (id: string, st?: string) =>
    counts.filter((c) => c.sampleId === id && (!st || c.status === st)).reduce((a, c) => a + c._count._all, 0);
  return samples.map((s) => ({ sampleId: s.id, text: `${s.title}: ${n(s.id, "answered")} of ${n(s.id)} checked (${s.status})` }));
}
