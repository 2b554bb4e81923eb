// The monthly "audit at a glance" (the model: the monthly "Audit findings at a glance" reports of a
// Head of Quality, July–September 2017): How much did we do? How well are we doing? Is anyone
// better off? Plus open and overdue actions and supervision overdue by team. Every number is one
// SQL aggregate over the month's audits; JavaScript only labels the handful of grouped rows.
//
// Definitions (see also settings.ts):
// - the month's audits: audits of the AuditCycle(s) of that month (optionally one theme); a swap
//   moves the audit itself to a peer, so each allocated case counts once;
// - returned: submittedAt set and status submitted/finalised;
// - not in time for moderation: returned, but submitted (local date) after the audit's due date.
//   These are "not included": the findings (grades, movements, areas, family feedback, children
//   seen to benefit or found unsafe) count only the audits returned in time ("counted");
// - moderated: a Moderation completed (status finalised: agreed at once, or its agreed grade
//   approved); "being moderated": a moderation submitted but not yet completed (the grade still being
//   agreed, or awaiting or sent back from approval) — neither counted as moderated nor as unmoderated;
// - target: the cycle's target is the authority's; a team's view compares with the audits allocated
//   to its teams (the team's share of the month's audits; the frameworks set no team target);
// - not completed: not returned; audits recorded as not completed (NOT_COMPLETED_STATUSES) give their
//   declineReason, others "no reason given" (or "still in progress" while the due date has not passed);
// - grades: the final band of counted audits, moderatedBand when moderation changed it, else gradeBand;
// - below Good per area: AuditAnswer.score < settings.belowGoodScore, over counted audits;
// - family statements: Feedback(kind "family", obtained) answers, 0–10, read from
//   answers.statements["<statement id>"] (the documented shape) or answers["<statement id>"] (the
//   flat shape of the audit-feedback form); numbers or numeric strings. Statement ids are those of
//   services/catalogue/auditTool.json (fs-listens, …). Change = mean of (this − previous) over cases
//   whose previous audit (same caseId, earlier allocatedAt) also has family feedback;
// - children seen to benefit: Audit.childrenBenefit "yes" | "partly" | "no" | "unclear" (or "too
//   early", case-insensitive prefix), anything else "recorded (other)", null "not recorded"; the
//   shares are of the counted audits that answered (an unanswered question is not a "no"), the
//   audits that did not say are counted apart;
// - children found unsafe: Audit.childUnsafe true, over counted audits that answered (null: not recorded).
import { Prisma } from "../../generated/prisma/client";
import { MODERATION_BEING_AGREED, MODERATION_COMPLETED } from "../moderation/states";
import type { Db, Tx } from "../db";
import { getGradeScale, loadAuditTool, type GradeScale } from "../catalogue";
import { shiftMonth } from "../dates";
import { direction, monthLabel, round1, share } from "./format";
import { disclose, disclosable, releasedSql } from "../disclosure";
import {
  CLOSED_ACTION_STATUSES,
  OPEN_ACTION_STATUSES,
  NOT_COMPLETED_STATUSES,
  RETURNED_AUDIT_STATUSES,
  cutOffsText,
  type ReportSettings,
} from "./settings";

export type Queryable = Db | Tx;

export type { AreaRow, GradeRow, MonthlyReport, MonthScope, StatementRow } from "./monthlyShape";
import type { AreaRow, GradeRow, MonthlyReport, MonthScope, StatementRow } from "./monthlyShape";

interface MainResult {
  much: Record<string, number>;
  reasons: { reason: string; count: number }[];
  scale: string | null;
  grades: { band: string; count: number }[];
  moves: { from: string; to: string; count: number }[];
  areas: { area: number; scored: number; below: number; mean: number | null }[];
  statements: { sid: string; n: number; mean: number | null; pairs: number; change: number | null }[];
  families: number;
  families_all: number;
  benefit: { label: string; count: number }[];
  month_actions: { n: number; open: number };
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The SQL fragment selecting the month's audits (as CTE "a"), with the flags every section uses. */
export function monthAuditsCte(scope: MonthScope, settings: ReportSettings): Prisma.Sql {
  const theme = scope.theme ?? "";
  const teamFilter = scope.teamIds ? Prisma.sql`AND au."teamId" = ANY(${scope.teamIds}::text[])` : Prisma.empty;
  return Prisma.sql`
    cyc AS (SELECT id, target, "gradeScaleId" FROM "AuditCycle" WHERE month = ${scope.month} AND (${theme} = '' OR theme = ${theme})),
    a AS (
      SELECT x.*, (x.returned AND NOT x.late) AS counted FROM (
        SELECT au.id, au."caseId", au."teamId", au.status, au."gradeBand", au."moderatedBand", au."gradeScaleId",
               au."allocatedAt", au."declineReason", au."childrenBenefit", au."childUnsafe", au."dueDate",
               (au."submittedAt" IS NOT NULL AND au.status = ANY(${RETURNED_AUDIT_STATUSES}::text[])) AS returned,
               COALESCE((au."submittedAt" AT TIME ZONE 'UTC' AT TIME ZONE ${settings.timeZone})::date > au."dueDate", false) AS late,
               EXISTS (SELECT 1 FROM "Moderation" m WHERE m."auditId" = au.id AND m.status = ${MODERATION_COMPLETED}) AS moderated,
               EXISTS (SELECT 1 FROM "Moderation" m WHERE m."auditId" = au.id AND m.status = ANY(${MODERATION_BEING_AGREED}::text[])) AS being_moderated,
               COALESCE(au."moderatedBand", au."gradeBand") AS band
        FROM "Audit" au
        WHERE au."cycleId" IN (SELECT id FROM cyc) ${teamFilter}
      ) x
    )`;
}

function statementIds(): { id: string; number: number; text: string }[] {
  return loadAuditTool().feedback.family.statements;
}

/** SQL expression: the 0–10 value of statement `sid` in a feedback answers JSON (number or numeric string), or NULL. */
export const statementValue = (answers: Prisma.Sql, sid: Prisma.Sql) => {
  const j = Prisma.sql`COALESCE(${answers}->'statements'->${sid}, ${answers}->${sid})`;
  return Prisma.sql`(CASE jsonb_typeof(${j}) WHEN 'number' THEN (${j})::text::float8
                     WHEN 'string' THEN CASE WHEN (${j}) #>> '{}' ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN ((${j}) #>> '{}')::float8 END END)`;
};

/**
 * The month's family feedback (CTE "a" in scope), one row per person heard (several family members
 * of one audit count as several people), each row with its rank in order of arrival (the
 * later of the feedback and the audit's return) so a view counts only whole steps of the minimum
 * group (services/disclosure.ts): a new family's answers never move a figure on their own.
 */
function familyFeedbackRows(): Prisma.Sql {
  return Prisma.sql`
    SELECT a.id, fb.answers,
           (SELECT fb2.answers FROM "Audit" a2 JOIN "Feedback" fb2 ON fb2."auditId" = a2.id AND fb2.kind = 'family' AND fb2.obtained
            WHERE a2."caseId" = a."caseId" AND a2."allocatedAt" < a."allocatedAt"
            ORDER BY a2."allocatedAt" DESC, fb2.member = fb.member DESC, fb2.member LIMIT 1) AS prev,
           row_number() OVER (ORDER BY GREATEST(fb."createdAt", au."submittedAt"), fb.id) AS rank,
           count(*) OVER () AS total
    FROM a JOIN "Feedback" fb ON fb."auditId" = a.id AND fb.kind = 'family' AND fb.obtained
    JOIN "Audit" au ON au.id = a.id
    WHERE a.counted`;
}

export async function monthlyReport(db: Queryable, scope: MonthScope, settings: ReportSettings, now: Date): Promise<MonthlyReport> {
  const cte = monthAuditsCte(scope, settings);
  const prevCte = monthAuditsCte({ ...scope, month: shiftMonth(scope.month, -1), theme: undefined }, settings);
  const today = now.toLocaleDateString("en-CA", { timeZone: settings.timeZone });
  const ids = statementIds();

  // One round trip for everything about the month's audits: the CTE "a" is computed once.
  const [mainRows, prevAreas, actions, supervision] = await Promise.all([
    db.$queryRaw<{ r: MainResult }[]>`
      WITH ${cte},
      f_all AS (${familyFeedbackRows()}),
      f AS (SELECT * FROM f_all WHERE ${releasedSql(Prisma.sql`f_all.rank`, Prisma.sql`f_all.total`, settings.minGroupSize)}),
      v AS (
        SELECT s.sid, ${statementValue(Prisma.sql`f.answers`, Prisma.sql`s.sid`)} AS cur,
               ${statementValue(Prisma.sql`f.prev`, Prisma.sql`s.sid`)} AS pre
        FROM f CROSS JOIN unnest(${ids.map((s) => s.id)}::text[]) AS s(sid)
      )
      SELECT json_build_object(
        'much', (SELECT json_build_object(
                   'target', (SELECT COALESCE(sum(target), 0) FROM cyc),
                   'allocated', count(*),
                   'returned', count(*) FILTER (WHERE returned),
                   'late', count(*) FILTER (WHERE returned AND late),
                   'counted', count(*) FILTER (WHERE counted),
                   'unsafe', count(*) FILTER (WHERE counted AND "childUnsafe"),
                   'safety_not_recorded', count(*) FILTER (WHERE counted AND "childUnsafe" IS NULL),
                   'moderated', count(*) FILTER (WHERE moderated),
                   'being_moderated', count(*) FILTER (WHERE being_moderated AND NOT moderated),
                   'not_completed', count(*) FILTER (WHERE NOT returned),
                   'in_progress', count(*) FILTER (WHERE NOT returned AND NOT (status = ANY(${NOT_COMPLETED_STATUSES}::text[])) AND "dueDate" >= ${today}::date))
                 FROM a),
        'reasons', (SELECT COALESCE(json_agg(json_build_object('reason', reason, 'count', n) ORDER BY n DESC, reason), '[]')
                    FROM (SELECT CASE WHEN status = ANY(${NOT_COMPLETED_STATUSES}::text[]) OR NULLIF(btrim("declineReason"), '') IS NOT NULL
                                      THEN COALESCE(NULLIF(btrim("declineReason"), ''), 'No reason given')
                                      ELSE 'No reason given' END AS reason, count(*) AS n
                          FROM a WHERE NOT returned AND (status = ANY(${NOT_COMPLETED_STATUSES}::text[]) OR "dueDate" < ${today}::date) GROUP BY 1) x),
        'scale', (SELECT "gradeScaleId" FROM cyc GROUP BY 1 ORDER BY count(*) DESC LIMIT 1),
        'grades', (SELECT COALESCE(json_agg(json_build_object('band', band, 'count', n)), '[]')
                   FROM (SELECT band, count(*) AS n FROM a WHERE counted AND band IS NOT NULL GROUP BY band) x),
        'moves', (SELECT COALESCE(json_agg(json_build_object('from', g, 'to', m, 'count', n) ORDER BY n DESC), '[]')
                  FROM (SELECT "gradeBand" AS g, "moderatedBand" AS m, count(*) AS n FROM a
                        WHERE counted AND "moderatedBand" IS NOT NULL AND "gradeBand" IS NOT NULL AND "moderatedBand" <> "gradeBand"
                        GROUP BY 1, 2) x),
        'areas', (SELECT COALESCE(json_agg(json_build_object('area', area, 'scored', scored, 'below', below, 'mean', mean) ORDER BY area), '[]')
                  FROM (SELECT ans.area, count(ans.score) AS scored, count(*) FILTER (WHERE ans.score < ${settings.belowGoodScore}) AS below,
                               avg(ans.score)::float8 AS mean
                        FROM a JOIN "AuditAnswer" ans ON ans."auditId" = a.id WHERE a.counted GROUP BY ans.area) x),
        'statements', (SELECT COALESCE(json_agg(json_build_object('sid', sid, 'n', n, 'mean', mean, 'pairs', pairs, 'change', change)), '[]')
                       FROM (SELECT sid, count(cur) AS n, avg(cur)::float8 AS mean,
                                    count(*) FILTER (WHERE cur IS NOT NULL AND pre IS NOT NULL) AS pairs, avg(cur - pre)::float8 AS change
                             FROM v GROUP BY sid) x),
        'families', (SELECT count(*) FROM f),
        'families_all', (SELECT count(*) FROM f_all),
        'benefit', (SELECT COALESCE(json_agg(json_build_object('label', label, 'count', n)), '[]')
                    FROM (SELECT CASE WHEN "childrenBenefit" IS NULL OR btrim("childrenBenefit") = '' THEN 'not recorded'
                                      WHEN lower(btrim("childrenBenefit")) ~ '^(yes|true)' THEN 'yes'
                                      WHEN lower(btrim("childrenBenefit")) ~ '^(no|false)' THEN 'no'
                                      WHEN lower(btrim("childrenBenefit")) ~ '^partly' THEN 'partly'
                                      WHEN lower(btrim("childrenBenefit")) ~ '^(unclear|not yet|too early)' THEN 'unclear'
                                      ELSE 'recorded (other)' END AS label, count(*) AS n
                          FROM a WHERE counted GROUP BY 1) x),
        'month_actions', (SELECT json_build_object('n', COALESCE(sum(x.n), 0), 'open', COALESCE(sum(x.open), 0))
                          FROM a CROSS JOIN LATERAL (
                            SELECT count(*) AS n, count(*) FILTER (WHERE NOT (ac.status = ANY(${CLOSED_ACTION_STATUSES}::text[]))) AS open
                            FROM "Action" ac WHERE ac."auditId" = a.id) x)
      ) AS r`,
    areaQuery(db, prevCte, settings),
    openActionCounts(db, scope.teamIds ?? null, now),
    db.$queryRaw<{ teamId: string; count: number }[]>`
      SELECT COALESCE(ss."teamId", st."teamId", 'unknown') AS "teamId", count(*)::int AS count
      FROM "SupervisionSession" ss LEFT JOIN "Staff" st ON st.id = ss."superviseeId"
      WHERE (ss.status = 'overdue' OR (ss.status = 'scheduled' AND ss."dueOn" < ${today}::date))
        AND (${scope.teamIds ?? null}::text[] IS NULL OR COALESCE(ss."teamId", st."teamId") = ANY(${scope.teamIds ?? null}::text[]))
      GROUP BY 1 ORDER BY 2 DESC, 1`,
  ]);
  const main = mainRows[0]!.r;
  const m = main.much;
  const reasons = main.reasons;
  const grades = main.grades;
  const moves = main.moves;
  const areas = main.areas;
  const statements = [...main.statements, { sid: "*count*", n: main.families, mean: null, pairs: 0, change: null }];
  const benefit = main.benefit;

  const scale = getGradeScale(main.scale ?? undefined);
  const returned = n(m.returned);
  const graded = grades.reduce((s, g) => s + g.count, 0);
  const gradeRows = gradeRowsFor(scale, grades, graded);
  const rank = (b: string) => scale.bands.find((x) => x.id === b)?.rank ?? 0;
  const movements = moves.map((mv) => ({
    from: labelOf(scale, mv.from),
    to: labelOf(scale, mv.to),
    direction: (rank(mv.to) > rank(mv.from) ? "up" : "down") as "up" | "down",
    count: mv.count,
  }));

  const titles = new Map(loadAuditTool().areas.map((x) => [x.number, x.title]));
  const prevBy = new Map(prevAreas.map((r) => [r.area, r]));
  const areaRows: AreaRow[] = areas.map((r) => {
    const p = prevBy.get(r.area);
    const prevPct = p && p.scored > 0 ? Math.round((p.below / p.scored) * 100) : null;
    return {
      area: r.area,
      title: titles.get(r.area) ?? `Area ${r.area}`,
      scored: r.scored,
      below: share(r.below, r.scored),
      mean: round1(r.mean),
      previousBelowPct: prevPct,
      previousMean: round1(p?.mean ?? null),
      direction: direction(r.mean, p?.mean ?? null, settings.trendEpsilon),
    };
  });
  const scoredAreas = areaRows.filter((r) => r.scored > 0);
  const attention = scoredAreas.filter((r) => r.below.pct! >= settings.attentionPct).sort((x, y) => y.below.pct! - x.below.pct!);
  const good = scoredAreas.filter((r) => r.below.pct! <= settings.goodPct).sort((x, y) => x.below.pct! - y.below.pct!);
  const improving = scoredAreas
    .filter(
      (r) =>
        r.previousBelowPct !== null && r.previousBelowPct - r.below.pct! >= settings.improvingPoints && r.below.pct! > settings.goodPct,
    )
    .sort((x, y) => y.previousBelowPct! - y.below.pct! - (x.previousBelowPct! - x.below.pct!));

  const stBy = new Map(statements.map((s) => [s.sid, s]));
  // Figures from fewer than the minimum group are not shown (services/disclosure.ts).
  const min = settings.minGroupSize;
  const statementRows: StatementRow[] = ids.map((s) => {
    const r = stBy.get(s.id);
    const shown = disclosable(n(r?.n), min);
    const mean = shown ? round1(nn(r?.mean)) : null;
    const change = disclose(n(r?.pairs), min, round1(nn(r?.change)));
    return {
      id: s.id,
      number: s.number,
      text: s.text,
      n: shown ? n(r?.n) : null,
      mean,
      pairs: disclose(n(r?.pairs), min, n(r?.pairs)),
      change,
      direction: change !== null ? direction(change, 0, 0.05) : "",
    };
  });
  const benefitOrder = ["yes", "partly", "no", "unclear", "recorded (other)", "not recorded"];
  const counted = n(m.counted);
  const benefitNotRecorded = benefit.find((b) => b.label === "not recorded")?.count ?? 0;
  const benefitAnswered = counted - benefitNotRecorded;
  const benefitRows = benefitOrder
    .filter((label) => label !== "not recorded")
    .map((label) => ({ label, count: benefit.find((b) => b.label === label)?.count ?? 0 }))
    .filter((b) => b.count > 0)
    .map((b) => ({ label: b.label, share: share(b.count, benefitAnswered) }));
  const safetyNotRecorded = n(m.safety_not_recorded);
  const allocated = n(m.allocated);
  // A team's view: the authority's target is for every team, so the team's own is its allocation.
  const target = scope.teamIds ? allocated : n(m.target);
  const a = actions[0] ?? {};
  const ma = main.month_actions;

  return {
    month: scope.month,
    monthLabel: monthLabel(scope.month),
    theme: scope.theme ?? "",
    teamIds: scope.teamIds ?? null,
    generatedAt: now.toISOString(),
    scale: { id: scale.id, label: scale.label },
    cutOffs: cutOffsText(settings),
    belowGoodScore: settings.belowGoodScore,
    howMuch: {
      target,
      targetBasis: scope.teamIds ? "team allocation" : "authority",
      authorityTarget: n(m.target),
      allocated,
      returned,
      late: n(m.late),
      inTime: returned - n(m.late),
      counted,
      moderated: n(m.moderated),
      beingModerated: n(m.being_moderated),
      notCompleted: n(m.not_completed) - n(m.in_progress),
      inProgress: n(m.in_progress),
      reasons,
      targetVsActual: share(returned, target),
    },
    howWell: {
      graded,
      grades: gradeRows,
      movements,
      movedUp: movements.filter((x) => x.direction === "up").reduce((s, x) => s + x.count, 0),
      movedDown: movements.filter((x) => x.direction === "down").reduce((s, x) => s + x.count, 0),
      areas: areaRows,
      attention,
      improving,
      good,
    },
    betterOff: {
      familyFeedback: main.families_all === 0 ? 0 : disclose(n(main.families), min, n(main.families)),
      statements: statementRows,
      benefit: benefitRows,
      seenToBenefit: share(benefit.find((b) => b.label === "yes")?.count ?? 0, benefitAnswered),
      benefitNotRecorded,
      foundUnsafe: share(n(m.unsafe), counted - safetyNotRecorded),
      safetyNotRecorded,
    },
    actions: {
      open: n(a.open),
      overdue: n(a.overdue),
      immediateOverdue: n(a.immediate_overdue),
      fromThisMonth: n(ma.n),
      fromThisMonthOpen: n(ma.open),
    },
    supervisionOverdue: supervision,
  };
}

/** Open actions (of audits): read through the (status, dueAt) index, never the years of done ones. */
async function openActionCounts(db: Queryable, teamIds: string[] | null, now: Date): Promise<Record<string, unknown>[]> {
  const open = OPEN_ACTION_STATUSES;
  return db.$queryRaw<Record<string, unknown>[]>`
    SELECT count(*)::int AS open,
           count(*) FILTER (WHERE ac."dueAt" < ${now})::int AS overdue,
           count(*) FILTER (WHERE ac.immediate AND ac."dueAt" < ${now})::int AS immediate_overdue
    FROM "Action" ac
    WHERE ac.status = ANY(${open}::text[]) AND ac."auditId" IS NOT NULL
      AND (${teamIds}::text[] IS NULL OR EXISTS (SELECT 1 FROM "Audit" au WHERE au.id = ac."auditId" AND au."teamId" = ANY(${teamIds}::text[])))`;
}

function areaQuery(db: Queryable, cte: Prisma.Sql, settings: ReportSettings) {
  return db.$queryRaw<{ area: number; scored: number; below: number; mean: number | null }[]>`
    WITH ${cte}
    SELECT ans.area, count(ans.score)::int AS scored,
           count(*) FILTER (WHERE ans.score < ${settings.belowGoodScore})::int AS below,
           avg(ans.score)::float8 AS mean
    FROM a JOIN "AuditAnswer" ans ON ans."auditId" = a.id
    WHERE a.counted
    GROUP BY ans.area ORDER BY ans.area`;
}

export function labelOf(scale: GradeScale, bandId: string): string {
  return scale.bands.find((b) => b.id === bandId)?.label ?? bandId;
}

/** Every band of the scale (worst first), with its count among `total` graded audits. */
export function gradeRowsFor(scale: GradeScale, counts: { band: string; count: number }[], total: number): GradeRow[] {
  const rows = scale.bands.map((b) => ({
    bandId: b.id,
    label: b.label,
    rank: b.rank,
    isGood: b.isGood,
    share: share(counts.find((c) => c.band === b.id)?.count ?? 0, total),
  }));
  for (const c of counts) {
    if (!scale.bands.some((b) => b.id === c.band)) {
      rows.push({ bandId: c.band, label: c.band, rank: 0, isGood: false, share: share(c.count, total) });
    }
  }
  return rows;
}
