// Survey results: response rate (from participation), per-question distributions and means,
// results by role group and by team, year-on-year comparison with the previous campaign of the same
// template, open answers listed anonymously in a random order, and export to XLSX (summary + one
// sheet per section) and CSV (services/surveys/resultsExport.ts).
//
// What may be shown is decided by services/disclosure.ts: answers are shown only once the campaign
// has closed (so there is one view of them, never a running figure that moves with each submit) and
// only when at least MIN_GROUP_SIZE people answered (the campaign, the question, the group); counts
// of respondents below the minimum read "fewer than N". An answer option is a group like any other:
// an option chosen by fewer than the minimum is not counted on its own, and options are hidden
// together (suppressGroups) so that no hidden count can be worked out from the question's total and
// the options shown (optionCounts).
import { PLAN_TEMPLATES, mayPlan } from "./nextSteps";
import { randomInt } from "node:crypto";
import type { AppContext } from "../context";
import { NotFound } from "../errors";
import { SURVEY_MISSING } from "./access";
import { disclose, disclosable, releasedCount, respondentCount, suppressGroups } from "../disclosure";
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
  /** How many gave each answer, as shown (optionCounts): small options are never counted on their own. */
  distribution: OptionCount[];
  previousMean: number | null;
  /** Change of the mean against the previous campaign, in per cent of the previous mean. */
  changePct: number | null;
}

export interface OptionCount {
  /** The option, or the options counted together ("No or Not sure"). */
  label: string;
  /** People who gave it; null when not shown. */
  count: number | null;
  /** The count as shown: "12", or why there is no number. */
  shown: string;
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
  /** Respondents (from participation) as shown: a number, or "fewer than N"; while open "at least 10" (steps of N). */
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
 * How many gave each answer to one question, as shown: an option chosen by fewer than `min` people
 * has no count of its own. For a question with one answer each (a scale, an agreement, a choice)
 * the options are groups that add up to the question's total, so the small ones are counted only
 * together, and with the next smallest while that sum is still below the minimum (suppressGroups):
 * "Yes: 3 · No: 3" would otherwise name what three people said, and "Yes: 8" of 10 would give "No: 2"
 * by subtraction. For a question where each may tick several, an option is counted only when both
 * those who ticked it and those who did not are at least the minimum (or none did not).
 */
export function optionCounts(labels: string[], counts: number[], n: number, multi: boolean, min: number): OptionCount[] {
  const few = `fewer than ${min}`;
  if (multi)
    return labels.map((label, i) => {
      const c = counts[i] ?? 0;
      const ok = (c === 0 || disclosable(c, min)) && (n - c === 0 || disclosable(n - c, min));
      return {
        label,
        count: ok ? c : null,
        shown: ok ? String(c) : disclosable(c, min) ? `all but ${few} of ${n}` : few,
      };
    });
  const marked = suppressGroups(
    labels.map((label, i) => ({ label, n: counts[i] ?? 0 })),
    min,
  );
  const hidden = marked.filter((o) => o.suppressed);
  const hiddenTotal = hidden.reduce((t, o) => t + o.n, 0);
  if (hiddenTotal > 0 && hidden.length === marked.length)
    return [
      {
        label: "By answer",
        count: null,
        shown: `not shown (some answers were given by ${few} people and the other counts would show how many)`,
      },
    ];
  // Options nobody chose are shown as 0 only when every option with a count is shown (nothing to work out).
  const out: OptionCount[] = marked
    .filter((o) => !o.suppressed || hiddenTotal === 0)
    .map((o) => ({ label: o.label, count: o.n, shown: String(o.n) }));
  if (hiddenTotal > 0)
    out.push({
      label: hidden.map((o) => o.label).join(" / "),
      count: hiddenTotal,
      shown: `${hiddenTotal} together (each ${few} or counted with them so that none can be worked out)`,
    });
  return out;
}

/**
 * Each group's mean per numeric question. The group rule runs again for every question over who
 * answered it (the groups hidden as a whole count as hidden): a group whose answers to one question
 * are too few is hidden for that question together with the next smallest, so that no group's mean
 * can be worked out from the overall mean and the other groups' means.
 */
export function groupQuestionMeans<G extends { key: string; suppressed: boolean; as: Answers[] }>(
  template: FormTemplate,
  groups: G[],
  min: number,
): Map<string, Record<string, number | null>> {
  const out = new Map(groups.filter((g) => !g.suppressed).map((g) => [g.key, {} as Record<string, number | null>]));
  for (const q of template.sections.flatMap((s) => s.questions)) {
    if (q.type !== "scale0to10" && q.type !== "likert5") continue;
    const answered = groups.map((g) => {
      const xs = g.as.map((r) => numeric(q, r[q.id])).filter((x): x is number => x !== null);
      return { key: g.key, hidden: g.suppressed, n: xs.length, xs };
    });
    for (const g of suppressGroups(answered, min, (x) => x.hidden)) {
      const means = out.get(g.key);
      if (means) means[q.id] = g.suppressed ? null : mean(g.xs);
    }
  }
  return out;
}

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
  if (!c) throw new NotFound(SURVEY_MISSING);
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
      let distribution: OptionCount[] = [];
      if (!shown) distribution = [];
      else if (q.type === "scale0to10") {
        const labels = Array.from({ length: 11 }, (_, i) => String(i));
        const counts = labels.map((_, i) => given.filter((v) => Number(v) === i).length);
        distribution = optionCounts(labels, counts, given.length, false, min);
      } else if (q.type !== "text" && q.type !== "longtext") {
        const opts = questionOptions(q);
        const counts = opts.map((o) => given.filter((v) => (Array.isArray(v) ? v.includes(optionValue(o)) : v === optionValue(o))).length);
        distribution = optionCounts(opts.map(optionLabel), counts, given.length, q.type === "multi", min);
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
    const shown = suppressGroups(raw, min);
    const means = groupQuestionMeans(template, shown, min);
    return shown
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((g) => ({
        kind,
        key: g.key,
        label: kind === "team" && teamName.has(g.key) ? `${teamName.get(g.key)} (${g.key})` : g.key,
        n: g.suppressed ? null : g.n,
        suppressed: g.suppressed,
        means: means.get(g.key) ?? {},
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
  // While open, the count moves only in whole steps of the minimum (runningPeopleCount): its timing
  // must not tie a submit to a person. The exact count once closed.
  const open = state !== "closed";
  const shownResponded = disclose(responded, min, open ? releasedCount(responded, min) : responded);
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
    responded: respondentCount(responded, min, !open),
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
