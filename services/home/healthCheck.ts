// The Health Check on the Home tab's dashboard: the latest Social Work Health Check that had closed
// by the end of the chosen month (whenever it opened; closed early by the QA team counts from that
// day), and any that closed later, so the panel can say where to find it; over the teams in view, as the mean answer of each scale and Likert question,
// section by section (a 0–10 scale and a 1–5 agreement are never drawn on one axis). What may be
// shown follows services/disclosure.ts as the survey's own results do (services/surveys/results.ts),
// for the campaign and for each question: a team the group rule hides (suppressGroups over every
// team) hides the figure of any view of some teams that includes it; a figure from fewer than
// MIN_GROUP_SIZE people is not shown; only means and counts of at least that many people leave this
// module, never an answer or a response.
import type { AppContext } from "../context";
import { disclosable, suppressGroups } from "../disclosure";
import { HEALTH_CHECK_TEMPLATE } from "../reports/settings";
import { loadFormTemplate, type FormQuestion } from "../forms/templateSchema";
import type { AnswerValue } from "../forms/engine";
import { numeric } from "../surveys/results";
import { formatDay, startOfLocalDay } from "../surveys/days";
import { formatMonth, shiftMonth } from "../dates";
import { isoDate, localDate } from "../workingTime";

export interface HealthCheckQuestion {
  id: string;
  /** The question as asked. */
  text: string;
  /** The words that tell it apart from the other questions of its section (for a chart's axis). */
  short: string;
  mean: number;
  n: number;
}

export interface HealthCheckFigures {
  title: string;
  /** The day it closed ("Wednesday 25 November 2026"). */
  closedOn: string;
  /** The month it is shown as of ("November 2026"): the latest closed by that month's end. */
  asOf: string;
  /** Responses in view; null when the view is withheld (too few people). */
  responses: number | null;
  sections: { title: string; scaleMax: number; questions: HealthCheckQuestion[] }[];
  suppressedQuestions: number;
}

const SCALE_MAX: Partial<Record<FormQuestion["type"], number>> = { scale0to10: 10, likert5: 5 };

/** Each question's text without the words every question of its section starts with. */
export function shortTexts(texts: string[]): string[] {
  const words = texts.map((t) => t.split(/\s+/));
  let common = 0;
  if (texts.length > 1) while (words.every((w) => w.length > common + 1 && w[common] === words[0]![common])) common += 1;
  return words.map((w) => {
    const rest = w.slice(common).join(" ").replace(/\?$/, "");
    return rest.charAt(0).toUpperCase() + rest.slice(1);
  });
}

/** The teams (by key; "" = no team recorded) whose figures the group rule hides. */
const hiddenKeys = (groups: { key: string; n: number }[], min: number) =>
  new Set(
    suppressGroups(groups, min)
      .filter((g) => g.suppressed)
      .map((g) => g.key),
  );

/** A Health Check that closed after the month in view: where to find it. */
export interface LaterHealthCheck {
  title: string;
  closedOn: string;
  /** The month to choose to see it ("2026-12") and its label. */
  month: string;
  monthLabel: string;
}

export interface ClosedHealthChecks {
  /** The latest closed by the end of the month. */
  shown: { id: string; title: string; closedOn: string } | null;
  /** The latest closed after it. */
  later: LaterHealthCheck | null;
}

/**
 * Closed Health Checks, newest closing first: the latest that had closed by the end of `month`
 * ("2026-11") and the latest that closed after it. A campaign closed when the QA team closed it or
 * when its window ended, whichever came first.
 */
export async function closedHealthChecks(ctx: AppContext, month: string): Promise<ClosedHealthChecks> {
  const tz = ctx.config.TIMEZONE;
  const monthEnd = startOfLocalDay(`${shiftMonth(month, 1)}-01`, tz);
  const rows = await ctx.db.$queryRaw<{ id: string; title: string; closedAt: Date; later: boolean }[]>`
    WITH closed AS (
      SELECT id, title,
        CASE WHEN status = 'closed' AND "closedAt" IS NOT NULL THEN LEAST("closedAt", "closesAt") ELSE "closesAt" END AS "closedAt"
      FROM "SurveyCampaign"
      WHERE "templateId" = ${HEALTH_CHECK_TEMPLATE} AND (status = 'closed' OR "closesAt" <= ${ctx.clock.now()})
    )
    SELECT DISTINCT ON (later) id, title, "closedAt", "closedAt" > ${monthEnd} AS later
    FROM closed ORDER BY later, "closedAt" DESC, id`;
  // The day it closed: a window ending at midnight closed on the day before.
  const day = (at: Date) => new Date(at.getTime() - 1);
  const shown = rows.find((r) => !r.later);
  const after = rows.find((r) => r.later);
  const afterMonth = after ? isoDate(localDate(day(after.closedAt), tz)).slice(0, 7) : "";
  return {
    shown: shown ? { id: shown.id, title: shown.title, closedOn: formatDay(day(shown.closedAt), tz) } : null,
    later: after
      ? { title: after.title, closedOn: formatDay(day(after.closedAt), tz), month: afterMonth, monthLabel: formatMonth(afterMonth) }
      : null,
  };
}

export async function healthCheckFigures(
  ctx: AppContext,
  teams: string[] | null,
  month: string,
  found?: ClosedHealthChecks,
): Promise<HealthCheckFigures | null> {
  const min = ctx.config.MIN_GROUP_SIZE;
  const closed = (found ?? (await closedHealthChecks(ctx, month))).shown;
  if (!closed) return null;
  const c = { ...closed, asOf: formatMonth(month) };
  const inView = (key: string) => teams === null || teams.includes(key);
  /**
   * How many people a view's figure is made from, or null when it may not be shown: fewer than the
   * minimum, or a view of some teams that includes one the rule hides (the whole authority's view
   * may include them: what is hidden adds up to at least the minimum, so no view subtracted from
   * another isolates fewer people).
   */
  const shownOver = (groups: { key: string; n: number }[]): number | null => {
    const hidden = hiddenKeys(groups, min);
    const mine = groups.filter((g) => inView(g.key));
    const n = mine.reduce((s, g) => s + g.n, 0);
    return (teams === null || !mine.some((g) => hidden.has(g.key))) && disclosable(n, min) ? n : null;
  };
  const byTeam = await ctx.db.$queryRaw<{ key: string; n: number }[]>`
    SELECT COALESCE("teamId", '') AS key, count(*)::int AS n FROM "SurveyResponse" WHERE "campaignId" = ${c.id} GROUP BY 1`;
  const responses = shownOver(byTeam);
  if (responses === null)
    return { title: c.title, closedOn: c.closedOn, asOf: c.asOf, responses: null, sections: [], suppressedQuestions: 0 };

  const template = loadFormTemplate(HEALTH_CHECK_TEMPLATE);
  // One chart per section and scale.
  const scored = template.sections.flatMap((s) =>
    Object.entries(SCALE_MAX)
      .map(([type, scaleMax]) => ({ title: s.title, scaleMax: scaleMax!, questions: s.questions.filter((q) => q.type === type) }))
      .filter((g) => g.questions.length > 0),
  );
  const ids = scored.flatMap((s) => s.questions.map((q) => q.id));
  // How many in each team gave each answer to each question: counts, not responses, leave the
  // database. Every team's, so the group rule is applied to each question as to the campaign.
  const counts = await ctx.db.$queryRaw<{ key: string; question: string; value: string; n: number }[]>`
    SELECT COALESCE(r."teamId", '') AS key, e.key AS question, e.value::text AS value, count(*)::int AS n
    FROM "SurveyResponse" r CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.answers) = 'object' THEN r.answers ELSE '{}'::jsonb END) e
    WHERE r."campaignId" = ${c.id} AND e.key = ANY(${ids}::text[])
    GROUP BY 1, 2, 3`;
  const sections = scored.map((s) => {
    const shorts = shortTexts(s.questions.map((q) => q.text));
    const questions = s.questions.flatMap((q, i) => {
      const groups = new Map<string, { key: string; n: number; sum: number }>();
      for (const r of counts.filter((x) => x.question === q.id)) {
        const v = numeric(q, JSON.parse(r.value) as AnswerValue);
        if (v === null || !Number.isFinite(v)) continue;
        const g = groups.get(r.key) ?? { key: r.key, n: 0, sum: 0 };
        groups.set(r.key, { key: r.key, n: g.n + r.n, sum: g.sum + v * r.n });
      }
      const n = shownOver([...groups.values()]);
      if (n === null) return [];
      const sum = [...groups.values()].filter((g) => inView(g.key)).reduce((t, g) => t + g.sum, 0);
      return [{ id: q.id, text: q.text, short: shorts[i]!, mean: Math.round((sum / n) * 10) / 10, n }];
    });
    return { title: s.title, scaleMax: s.scaleMax, questions };
  });
  const shown = sections.reduce((t, s) => t + s.questions.length, 0);
  return {
    title: c.title,
    closedOn: c.closedOn,
    asOf: c.asOf,
    responses,
    sections: sections.filter((s) => s.questions.length > 0),
    // Questions answered by too few (none included), so the count says nothing of who answered what.
    suppressedQuestions: ids.length - shown,
  };
}
