// The Health Check on the Home tab's dashboard: the latest closed Social Work Health Check by the end
// of the month, over the teams in view, as the mean answer of each scale and Likert question,
// section by section (a 0–10 scale and a 1–5 agreement are never drawn on one axis). What may be
// shown follows services/disclosure.ts as the survey's own results do (services/surveys/results.ts):
// a team whose responses the group rule hides hides the figure of any view that includes it; a
// question fewer than MIN_GROUP_SIZE people answered is not shown; only means and counts of at least
// that many people leave this module, never an answer or a response.
import type { AppContext } from "../context";
import { disclosable, suppressGroups } from "../disclosure";
import { HEALTH_CHECK_TEMPLATE } from "../reports/settings";
import { loadFormTemplate, type FormQuestion } from "../forms/templateSchema";
import type { AnswerValue } from "../forms/engine";
import { numeric } from "../surveys/results";
import type { DashboardScope } from "./scope";

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

export async function healthCheckFigures(
  ctx: AppContext,
  scope: DashboardScope,
  teams: string[] | null,
  before: string,
): Promise<HealthCheckFigures | null> {
  const min = ctx.config.MIN_GROUP_SIZE;
  const [c] = await ctx.db.$queryRaw<{ id: string; title: string }[]>`
    SELECT id, title FROM "SurveyCampaign"
    WHERE "templateId" = ${HEALTH_CHECK_TEMPLATE} AND (status = 'closed' OR "closesAt" <= ${ctx.clock.now()}) AND "opensAt" < ${before}::date
    ORDER BY "opensAt" DESC LIMIT 1`;
  if (!c) return null;
  const byTeam = await ctx.db.$queryRaw<{ teamId: string | null; n: number }[]>`
    SELECT "teamId", count(*)::int AS n FROM "SurveyResponse" WHERE "campaignId" = ${c.id} GROUP BY 1`;
  const hidden = new Set(
    suppressGroups(
      byTeam.map((r) => ({ key: r.teamId ?? "", n: r.n })),
      min,
    )
      .filter((g) => g.suppressed)
      .map((g) => g.key),
  );
  const inView = teams ? byTeam.filter((r) => r.teamId && teams.includes(r.teamId)) : byTeam;
  const responses = inView.reduce((s, r) => s + r.n, 0);
  const blocked = teams !== null && (inView.some((r) => hidden.has(r.teamId ?? "")) || (scope.teamIds === null && teams.length === 0));
  const withheld = { title: c.title, responses: null, sections: [], suppressedQuestions: 0 };
  if (blocked || !disclosable(responses, min)) return withheld;

  const template = loadFormTemplate(HEALTH_CHECK_TEMPLATE);
  // One chart per section and scale.
  const scored = template.sections.flatMap((s) =>
    Object.entries(SCALE_MAX)
      .map(([type, scaleMax]) => ({ title: s.title, scaleMax: scaleMax!, questions: s.questions.filter((q) => q.type === type) }))
      .filter((g) => g.questions.length > 0),
  );
  const ids = scored.flatMap((s) => s.questions.map((q) => q.id));
  // How many gave each answer to each question: counts, not responses, leave the database.
  const counts = await ctx.db.$queryRaw<{ question: string; value: string; n: number }[]>`
    SELECT e.key AS question, e.value::text AS value, count(*)::int AS n
    FROM "SurveyResponse" r CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.answers) = 'object' THEN r.answers ELSE '{}'::jsonb END) e
    WHERE r."campaignId" = ${c.id} AND e.key = ANY(${ids}::text[]) AND (${teams}::text[] IS NULL OR r."teamId" = ANY(${teams}::text[]))
    GROUP BY 1, 2`;
  let suppressedQuestions = 0;
  const sections = scored.map((s) => {
    const shorts = shortTexts(s.questions.map((q) => q.text));
    const questions = s.questions.flatMap((q, i) => {
      let n = 0;
      let sum = 0;
      for (const r of counts.filter((x) => x.question === q.id)) {
        const v = numeric(q, JSON.parse(r.value) as AnswerValue);
        if (v === null || !Number.isFinite(v)) continue;
        n += r.n;
        sum += v * r.n;
      }
      if (n === 0) return [];
      if (!disclosable(n, min)) {
        suppressedQuestions += 1;
        return [];
      }
      return [{ id: q.id, text: q.text, short: shorts[i]!, mean: Math.round((sum / n) * 10) / 10, n }];
    });
    return { title: s.title, scaleMax: s.scaleMax, questions };
  });
  return { title: c.title, responses, sections: sections.filter((s) => s.questions.length > 0), suppressedQuestions };
}
