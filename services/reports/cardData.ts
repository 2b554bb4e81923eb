// Report → card data for the templates in cards/templates/report-*.json. Pure functions: the numbers
// come from the report objects unchanged (the test compares them with the XLSX and with SQL).
import { observationsAndDipsCardData } from "./observationsDips";
import { countOf } from "../words";
import { withOverflow } from "../../cards/schemas/cardData";
import type { MonthlyView } from "./view";
import type { QuarterlyReport, Trends } from "./trends";
import type { CalibrationRow } from "./calibration";
import type { AreaRow } from "./monthly";
import { monthLabel } from "./format";

const short = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);
const signed = (v: number) => (v > 0 ? `+${v}` : `${v}`);
const monthShort = (m: string) => monthLabel(m).replace(/^(\w{3})\w* (\d{4})$/, "$1 $2");
/** A yes/no figure of the audits that answered; those that did not say are counted apart, never as a "no". */
const ofAnswered = (s: { text: string; of: number }, notRecorded: number) =>
  !notRecorded
    ? s.text
    : s.of === 0
      ? `not recorded (${countOf(notRecorded, "audit")} did not say)`
      : `${s.text} of those answered (${countOf(notRecorded, "audit")} did not say)`;
const areaLine = (a: AreaRow) => ({ text: `Area ${a.area}: ${short(a.title, 80)} — ${a.below.text} below Good` });

function targetFact(h: MonthlyView["report"]["howMuch"]) {
  // The frameworks set the month's target for the whole authority; a team's share of it is the audits
  // allocated to the team (the authority's own default).
  if (h.targetBasis === "team allocation")
    return {
      title: "Returned vs the team's allocation",
      value: `${h.targetVsActual.text} of the ${countOf(h.target, "audit")} allocated to the team (the target of ${h.authorityTarget} is for all teams)`,
    };
  return { title: "Target vs returned", value: h.target ? `${h.targetVsActual.text} of the target of ${h.target}` : "no target set" };
}

function muchFacts(v: MonthlyView) {
  const h = v.report.howMuch;
  return [
    { title: "Cases allocated", value: String(h.allocated) },
    { title: "Returned", value: String(h.returned) },
    targetFact(h),
    { title: "Not in time for moderation (not included)", value: String(h.late) },
    { title: "Moderated", value: String(h.moderated) },
    ...(h.beingModerated ? [{ title: "Being moderated", value: `${h.beingModerated} (grade not yet agreed or approved)` }] : []),
    { title: "Not completed", value: String(h.notCompleted) },
    ...(h.inProgress ? [{ title: "Still in progress", value: String(h.inProgress) }] : []),
  ];
}

function gradesText(v: MonthlyView) {
  const h = v.report.howMuch;
  const grades = v.report.howWell.grades.map((g) => `${g.label}: ${g.share.text}`).join(" · ");
  return h.late ? `${grades} (${h.late} returned late, not included)` : grades;
}

function movementText(v: MonthlyView) {
  const w = v.report.howWell;
  const h = v.report.howMuch;
  const pending = h.beingModerated
    ? ` ${countOf(h.beingModerated, "moderation")} still being agreed or approved: ${h.beingModerated === 1 ? "its grade is" : "their grades are"} not counted yet.`
    : "";
  if (!w.movements.length) {
    if (!h.moderated) return h.beingModerated ? `No moderation completed yet.${pending}` : "No audits moderated.";
    return `Completed moderation changed no grades.${pending}`;
  }
  return `Moderation moved ${w.movedUp} up and ${w.movedDown} down: ${w.movements.map((m) => `${m.count} from ${m.from} to ${m.to}`).join("; ")}.${pending}`;
}

function trendLine(t: Trends) {
  const months = t.months.filter((m) => m.returned > 0);
  return {
    trendChart: [{ legend: "% Good or better", values: months.map((m) => ({ x: monthShort(m.month), y: m.good.pct ?? 0 })) }],
    trendFacts: months.map((m) => ({ title: monthShort(m.month), value: `${m.good.text} Good or better` })),
    trendDirection: t.goodDirection,
    hasTrend: months.length > 1,
  };
}

export function monthlyCardData(v: MonthlyView, opts: { calibration?: boolean } = {}) {
  const r = v.report;
  const h = r.howMuch;
  const w = r.howWell;
  const b = r.betterOff;
  const args = { month: r.month, ...(r.theme ? { theme: r.theme } : {}) };
  return {
    title: `Audit at a glance — ${r.monthLabel}`,
    subtitle: `${r.theme ? `Theme: ${r.theme} · ` : ""}${v.kind === "team" ? `Teams: ${(r.teamIds ?? []).join(", ")}` : "All teams"} · grades: ${r.scale.label}`,
    muchFacts: muchFacts(v),
    muchChart: [
      // A team's "target" is its allocation: the bar would repeat "Allocated".
      ...(h.targetBasis === "team allocation" ? [] : [{ x: "Target", y: h.target }]),
      { x: "Allocated", y: h.allocated },
      { x: "Returned", y: h.returned },
      { x: "In time", y: h.inTime },
      { x: "Moderated", y: h.moderated },
    ],
    muchText: `${h.targetBasis === "team allocation" ? "" : `Target ${h.target} · `}allocated ${h.allocated} · returned ${h.returned} · in time ${h.inTime} · moderated ${h.moderated}`,
    reasonsText: h.reasons.length ? `Not completed: ${h.reasons.map((x) => `${x.reason} ${x.count}`).join(" · ")}` : "",
    graded: w.graded,
    gradesText: gradesText(v),
    gradeChart: w.grades.filter((g) => g.share.count > 0).map((g) => ({ legend: g.label, value: g.share.count })),
    gradeFacts: w.grades.map((g) => ({ title: g.label, value: g.share.text })),
    movementText: movementText(v),
    areaTitle: `% of audits below Good (area score under ${r.belowGoodScore}), by area of practice`,
    cutOffsText: r.cutOffs,
    areaChart: w.areas.filter((a) => a.scored > 0).map((a) => ({ x: `Area ${a.area}`, y: a.below.pct ?? 0 })),
    // Without charts, one line per area naming it (a bare "Area N" repeated the same figure 19 times).
    areaLines: w.areas
      .filter((a) => a.scored > 0)
      .map((a) => ({ text: `${a.area}. ${short(a.title, 70)}: ${a.below.text} below Good ${a.direction}` })),
    hasAreas: w.areas.some((a) => a.scored > 0),
    // Every area that qualifies, as the monthly "at a glance" reports list them (four needing
    // attention, eight improving), not the first few.
    attention: w.attention.map(areaLine),
    improving: w.improving.map((a) => ({
      text: `Area ${a.area}: ${short(a.title, 80)} — ${a.below.text} below Good, was ${a.previousBelowPct}%`,
    })),
    good: w.good.map(areaLine),
    familyText:
      b.familyFeedback === null
        ? "Family feedback: not shown (fewer people than the minimum group)."
        : b.familyFeedback
          ? `Family feedback from ${countOf(b.familyFeedback, "person", "people")} (0 strongly disagree – 10 strongly agree):`
          : "No family feedback recorded this month.",
    statementFacts: b.statements
      .filter((s) => s.n !== null && s.mean !== null)
      .map((s) => ({
        title: `${s.number}. ${short(s.text, 60)}`,
        value: `${s.mean} (${s.n})${s.pairs ? ` ${s.direction} ${signed(s.change ?? 0)} since last audit of the same case (${s.pairs})` : ""}`,
      })),
    benefitText: `Children seen to benefit, as recorded by auditors: ${ofAnswered(b.seenToBenefit, b.benefitNotRecorded)}`,
    benefitFacts: [
      {
        title: "Found unsafe",
        value: ofAnswered(b.foundUnsafe, b.safetyNotRecorded),
      },
      ...b.benefit.map((x) => ({ title: x.label, value: x.share.text })),
    ],
    actionFacts: [
      { title: "Open actions", value: String(r.actions.open) },
      { title: "Overdue", value: String(r.actions.overdue) },
      { title: "Immediate and overdue", value: String(r.actions.immediateOverdue) },
      { title: "Set this month (still open)", value: `${r.actions.fromThisMonth} (${r.actions.fromThisMonthOpen})` },
    ],
    supervisionFacts: r.supervisionOverdue.map((s) => ({ title: s.teamId, value: `${s.count} overdue` })),
    supervisionText: r.supervisionOverdue.length ? "Supervision overdue by team:" : "No supervision overdue.",
    // Practice observations and dip samples, apart from the full audits.
    ...observationsAndDipsCardData(v.observationsAndDips),
    practiceFacts: v.practiceAndPartnership ?? [],
    teamFacts:
      v.kind === "full"
        ? v.teams.map((t) => ({
            title: t.teamId,
            value: `${t.returned} of ${t.allocated} returned · Good or better ${t.good.text} · family feedback ${
              t.suppressed ? "not shown (fewer than the minimum group)" : `${t.familyMean} (${t.familyFeedback})`
            }`,
          }))
        : [],
    ...trendLine(v.trends),
    filesText: `Files: press “XLSX and CSV”, or run npm run report -- ${r.month}: the workbook and CSV are written under reports-out/.`,
    buttons: withOverflow([
      { title: "Team appendix", verb: "report.team", data: args },
      { title: "XLSX and CSV", verb: "report.files", data: args },
      ...(v.kind === "full"
        ? [
            { title: "Trends", verb: "report.trends", data: args },
            { title: "Quarterly report", verb: "report.quarterly", data: { quarter: "" } },
          ]
        : []),
      ...(opts.calibration ? [{ title: "Auditor calibration", verb: "report.calibration", data: args }] : []),
    ]),
  };
}

export function teamCardData(v: MonthlyView) {
  const r = v.report;
  return {
    title: `Team appendix — ${r.monthLabel}`,
    subtitle: v.kind === "team" ? `Teams: ${(r.teamIds ?? []).join(", ")}` : "All teams",
    muchFacts: muchFacts(v),
    gradesText: gradesText(v),
    // The appendix is about the cases: the three weakest areas, and how many more the report lists.
    attention: [
      ...r.howWell.attention.slice(0, 3).map(areaLine),
      ...(r.howWell.attention.length > 3
        ? [
            {
              text: `and ${countOf(r.howWell.attention.length - 3, "more area")} needing attention: all are listed in the month at a glance`,
            },
          ]
        : []),
    ],
    count: v.appendix.length,
    rows: v.appendix.map((a) => ({
      title: `${a.caseRef} (${a.teamId})`,
      value: [
        a.finalGrade || (a.note ? "" : a.status.replace("_", " ")),
        a.note,
        a.moderatedGrade ? `moderated from ${a.originalGrade}` : "",
        a.areasScored ? `${a.areasBelowGood} of ${a.areasScored} areas below Good` : "",
        a.openActions ? countOf(a.openActions, "open action") : "",
      ]
        .filter(Boolean)
        .join(" · "),
    })),
    buttons: withOverflow([{ title: "XLSX and CSV", verb: "report.files", data: { month: r.month } }]),
  };
}

export function trendsCardData(t: Trends) {
  return {
    title: `Trends — ${monthLabel(t.from)} to ${monthLabel(t.to)}`,
    goodText: `Good or better, month to month ${t.goodDirection}`,
    ...trendLine(t),
    // One row per area: the title wraps over the card's width (a FactSet's narrow title column cut
    // it with "…" after 3–4 lines), the figure sits on the right.
    areaRows: t.areas.map((a) => ({
      title: `${a.area}. ${short(a.title, 140)}`,
      value: a.last === null ? "no scores" : `${a.last} ${a.direction}${a.first !== null ? ` (was ${a.first})` : ""}`,
    })),
  };
}

export function quarterlyCardData(q: QuarterlyReport) {
  return {
    title: `Quarterly QA report — ${q.quarter}`,
    auditFacts: [
      { title: "Allocated", value: String(q.audits.allocated) },
      { title: "Returned vs target", value: `${q.audits.targetVsActual.text} of the target of ${q.audits.target}` },
      { title: "Good or better", value: q.audits.good.text },
    ],
    monthChart: q.audits.byMonth.map((m) => ({ x: monthShort(m.month), y: m.returned })),
    monthFacts: q.audits.byMonth.map((m) => ({
      title: monthShort(m.month),
      value: `${m.returned} returned · ${m.good.text} Good or better`,
    })),
    moderationFacts: [
      { title: "Moderated", value: String(q.moderation.moderated) },
      { title: "Moderator agreed", value: q.moderation.agreed.text },
      { title: "Moved up / down", value: `${q.moderation.movedUp} / ${q.moderation.movedDown}` },
    ],
    escalationFacts: [
      { title: "Open now", value: String(q.escalations.open) },
      { title: "Raised / resolved in the quarter", value: `${q.escalations.raisedInQuarter} / ${q.escalations.resolvedInQuarter}` },
      ...q.escalations.byAge.map((a) => ({ title: `Open ${a.age}`, value: String(a.count) })),
    ],
    stageChart: q.escalations.byStage.map((s) => ({ x: `Stage ${s.stage}`, y: s.count })),
    stageFacts: q.escalations.byStage.map((s) => ({ title: `Stage ${s.stage}`, value: String(s.count) })),
    hasStages: q.escalations.byStage.length > 0,
    healthText: q.healthCheck
      ? `${q.healthCheck.title}: ${q.healthCheck.responded.text} of invited staff responded.${q.healthCheck.suppressed ? ` ${q.healthCheck.suppressed} questions with fewer answers than the minimum group are not shown.` : ""}`
      : "No Social Work Health Check campaign yet.",
    healthFacts: (q.healthCheck?.means ?? []).map((m) => ({ title: m.question, value: `${m.mean} (${m.n})` })),
    feedbackText:
      q.feedback.familyFeedback === null
        ? "Family feedback: not shown (fewer people than the minimum group)."
        : q.feedback.familyFeedback
          ? `Family feedback from ${countOf(q.feedback.familyFeedback, "person", "people")}:`
          : "No family feedback this quarter.",
    feedbackFacts: q.feedback.statements
      .filter((s) => s.n !== null && s.mean !== null)
      .map((s) => ({ title: `${s.number}. ${short(s.text, 60)}`, value: `${s.mean} (${s.n})` })),
  };
}

export function calibrationCardData(c: { from: string; to: string; rows: CalibrationRow[] }) {
  return {
    title: `Auditor calibration — ${monthLabel(c.from)} to ${monthLabel(c.to)}`,
    intro:
      "Moderated audits per auditor and theme: how often the moderator agreed, and the mean grade shift (moderated − original, in grade bands; below 0 means the auditor graded higher than the moderator). For targeting audit training; QA team only.",
    count: c.rows.length,
    rows: c.rows.map((r) => ({
      title: `${r.auditor} — ${r.theme || "no theme"}`,
      value: `agreed ${r.agreed.text} · mean shift ${r.meanShift === null ? "n/a" : signed(r.meanShift)} (${r.movedUp} up, ${r.movedDown} down)`,
    })),
  };
}
