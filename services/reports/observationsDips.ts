// The monthly report's practice observations and dip samples, kept apart from the full audits
// (Southwark Children's Social Care Quality Assurance Framework, §4: full audits, dip samples and
// observation are three types of quality activity, each judged "good or better" or "less than good").
// Definitions:
// - observations planned: scheduled (not merely required) with a date in the month;
// - observations done: recorded (completedAt) in the month, with their judgements by band;
// - required after an inadequate audit: created in the month linked to an audit;
// - dip samples: per sample, its case checks answered in the month (items compliant over items
//   answered, cases judged good or better, cases needing action), of all its cases.
// A team report counts the observations of its teams' staff and the checks of its teams' cases.
import type { Db, Tx } from "../db";
import type { Config } from "../config";
import { bandLabel } from "../observation/form";
import { checklistById } from "../dipSample/checklists";
import { share, type Share } from "./format";
import type { MonthScope } from "./monthly";

export interface ObservationsMonth {
  planned: number;
  done: number;
  requiredAfterInadequate: number;
  good: Share;
  bands: { label: string; count: number }[];
}

export interface DipSampleMonth {
  title: string;
  checked: number;
  cases: number;
  compliant: Share;
  good: Share;
  needsAction: number;
}

export interface ObservationsAndDips {
  observations: ObservationsMonth;
  dipSamples: DipSampleMonth[];
}

const bounds = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return { gte: new Date(Date.UTC(y, m - 1, 1)), lt: new Date(Date.UTC(y, m, 1)) };
};

export async function observationsAndDips(
  db: Db | Tx,
  scope: MonthScope,
  config: Pick<Config, "GRADE_SCALE">,
): Promise<ObservationsAndDips> {
  const inMonth = bounds(scope.month);
  const staffIds = scope.teamIds
    ? (await db.staff.findMany({ where: { teamId: { in: scope.teamIds } }, select: { id: true } })).map((s) => s.id)
    : null;
  const who = staffIds ? { practitionerId: { in: staffIds } } : {};
  const [planned, done, required, checks] = await Promise.all([
    db.observation.count({ where: { ...who, status: { notIn: ["required", "cancelled"] }, date: inMonth } }),
    db.observation.groupBy({ by: ["bandId", "goodOrBetter"], where: { ...who, completedAt: inMonth }, _count: { _all: true } }),
    db.observation.count({ where: { ...who, auditId: { not: null }, createdAt: inMonth } }),
    db.dipCheck.findMany({
      where: { status: "answered", answeredAt: inMonth, ...(scope.teamIds ? { teamId: { in: scope.teamIds } } : {}) },
      select: { sampleId: true, answers: true, goodOrBetter: true, needsAction: true },
    }),
  ]);
  const doneCount = done.reduce((n, r) => n + r._count._all, 0);
  const bandCounts = new Map<string, number>();
  for (const r of done)
    bandCounts.set(
      bandLabel(config, r.bandId) || "not graded",
      (bandCounts.get(bandLabel(config, r.bandId) || "not graded") ?? 0) + r._count._all,
    );
  const sampleIds = [...new Set(checks.map((c) => c.sampleId))];
  const [samples, totals] = await Promise.all([
    db.dipSample.findMany({ where: { id: { in: sampleIds } }, orderBy: { createdAt: "asc" } }),
    db.dipCheck.groupBy({
      by: ["sampleId"],
      where: { sampleId: { in: sampleIds }, ...(scope.teamIds ? { teamId: { in: scope.teamIds } } : {}) },
      _count: { _all: true },
    }),
  ]);
  return {
    observations: {
      planned,
      done: doneCount,
      requiredAfterInadequate: required,
      good: share(
        done.filter((r) => r.goodOrBetter).reduce((n, r) => n + r._count._all, 0),
        doneCount,
      ),
      bands: [...bandCounts].map(([label, count]) => ({ label, count })),
    },
    dipSamples: samples.map((s) => {
      const mine = checks.filter((c) => c.sampleId === s.id);
      const items = checklistById(s.checklistId)?.items ?? [];
      const yes = mine.reduce((n, c) => n + items.filter((it) => (c.answers as Record<string, boolean>)[it.id] === true).length, 0);
      return {
        title: s.title,
        checked: mine.length,
        cases: totals.find((t) => t.sampleId === s.id)?._count._all ?? 0,
        compliant: share(yes, mine.length * items.length),
        good: share(mine.filter((c) => c.goodOrBetter).length, mine.length),
        needsAction: mine.filter((c) => c.needsAction).length,
      };
    }),
  };
}

/** The report card's lines for them (template report-monthly). */
export function observationsAndDipsCardData(a: ObservationsAndDips | undefined) {
  const o = a?.observations;
  return {
    observationFacts: o
      ? [
          { title: "Planned this month", value: String(o.planned) },
          { title: "Done", value: String(o.done) },
          { title: "Good or better", value: o.good.text },
          ...o.bands.map((b) => ({ title: `Judged ${b.label}`, value: String(b.count) })),
          { title: "Required after an inadequate audit", value: String(o.requiredAfterInadequate) },
        ]
      : [],
    dipFacts: (a?.dipSamples ?? []).map((d) => ({
      title: d.title,
      value: `${d.checked} checked this month (of ${d.cases}) · items compliant ${d.compliant.text} · good or better ${d.good.text} · needing action ${d.needsAction}`,
    })),
    dipText: a?.dipSamples.length ? "Dip samples (not counted in the audit figures above):" : "No dip sample checks this month.",
  };
}

/** Rows for the summary sheet and CSV (section, measure, count, of, percent). */
export function observationsAndDipsRows(a: ObservationsAndDips | undefined): (string | number | null)[][] {
  if (!a) return [];
  const o = a.observations;
  return [
    ["Practice observations", "Planned", o.planned, null, null],
    ["Practice observations", "Done", o.done, null, null],
    ["Practice observations", "Good or better", o.good.count, o.good.of, o.good.pct],
    ...o.bands.map((b) => ["Practice observations", `Judged ${b.label}`, b.count, o.done, null]),
    ["Practice observations", "Required after an inadequate audit", o.requiredAfterInadequate, null, null],
    ...a.dipSamples.flatMap((d) => [
      [`Dip sample: ${d.title}`, "Checked this month", d.checked, d.cases, null],
      [`Dip sample: ${d.title}`, "Items compliant", d.compliant.count, d.compliant.of, d.compliant.pct],
      [`Dip sample: ${d.title}`, "Good or better", d.good.count, d.good.of, d.good.pct],
      [`Dip sample: ${d.title}`, "Needing action", d.needsAction, d.checked, null],
    ]),
  ];
}
