// The team appendix (the monthly "Audit findings at a glance" reports: "Teams are also provided
// with an appendix showing the individual case numbers and audit results") and per-team summaries.
// A team manager's appendix holds only their team's cases: the team filter is in the SQL, not
// applied afterwards.
import { Prisma } from "../../generated/prisma/client";
import { releasedSql, suppressGroups } from "../disclosure";
import type { ReportSettings } from "./settings";
import { monthAuditsCte, type MonthScope, type Queryable } from "./monthly";
import { CLOSED_ACTION_STATUSES, NOT_COMPLETED_STATUSES } from "./settings";
import { getGradeScale, bandById, loadGradeScales } from "../catalogue";
import { share, type Share } from "./format";

export interface AppendixRow {
  caseRef: string;
  teamId: string;
  status: string;
  auditor: string;
  submittedOn: string | null;
  originalGrade: string;
  moderatedGrade: string;
  finalGrade: string;
  areasBelowGood: number;
  areasScored: number;
  openActions: number;
  familyFeedback: boolean;
  /** Why the audit is not in the findings: returned late, or not completed and why. */
  note: string;
}

export async function teamAppendix(db: Queryable, scope: MonthScope, settings: ReportSettings): Promise<AppendixRow[]> {
  const cte = monthAuditsCte(scope, settings);
  const rows = await db.$queryRaw<
    {
      caseRef: string;
      teamId: string;
      status: string;
      auditor: string;
      submittedOn: string | null;
      gradeBand: string | null;
      moderatedBand: string | null;
      band: string | null;
      scale: string;
      below: number;
      scored: number;
      open_actions: number;
      family: boolean;
      returned: boolean;
      late: boolean;
      declineReason: string | null;
    }[]
  >`
    WITH ${cte}
    SELECT c."caseRef", a."teamId", a.status, a.returned, a.late, a."declineReason", COALESCE(s.name, '') AS auditor,
           to_char(au."submittedAt" AT TIME ZONE 'UTC' AT TIME ZONE ${settings.timeZone}, 'YYYY-MM-DD') AS "submittedOn",
           a."gradeBand", a."moderatedBand", CASE WHEN a.returned THEN a.band END AS band, a."gradeScaleId" AS scale,
           sc.below::int AS below, sc.scored::int AS scored,
           (SELECT count(*) FROM "Action" ac WHERE ac."auditId" = a.id AND NOT (ac.status = ANY(${CLOSED_ACTION_STATUSES}::text[])))::int AS open_actions,
           EXISTS (SELECT 1 FROM "Feedback" f WHERE f."auditId" = a.id AND f.kind = 'family' AND f.obtained) AS family
    FROM a JOIN "Audit" au ON au.id = a.id JOIN "Case" c ON c.id = a."caseId" LEFT JOIN "Staff" s ON s.id = au."auditorId"
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE x.score < ${settings.belowGoodScore}) AS below, count(x.score) AS scored
                        FROM "AuditAnswer" x WHERE x."auditId" = a.id) sc
    ORDER BY a."teamId", c."caseRef"`;
  return rows.map((r) => {
    const scale = getGradeScale(r.scale);
    const label = (b: string | null) => (b ? (bandById(scale, b)?.label ?? b) : "");
    return {
      caseRef: r.caseRef,
      teamId: r.teamId,
      status: r.status,
      auditor: r.auditor,
      submittedOn: r.submittedOn,
      originalGrade: label(r.gradeBand),
      moderatedGrade: r.moderatedBand && r.moderatedBand !== r.gradeBand ? label(r.moderatedBand) : "",
      finalGrade: label(r.band),
      areasBelowGood: r.below,
      areasScored: r.scored,
      openActions: r.open_actions,
      familyFeedback: r.family,
      note:
        r.returned && r.late
          ? "returned late (not included)"
          : NOT_COMPLETED_STATUSES.includes(r.status)
            ? `not completed: ${r.declineReason ?? "no reason given"}`
            : "",
    };
  });
}

export interface TeamSummary {
  teamId: string;
  allocated: number;
  returned: number;
  good: Share;
  /** Family feedback responses; null when suppressed. */
  familyFeedback: number | null;
  /** Mean of all family statements of the team's audits; null when suppressed (fewer than minGroupSize). */
  familyMean: number | null;
  suppressed: boolean;
}

/** Per-team rows for leadership. Family feedback means of teams with fewer than minGroupSize responses are suppressed. */
export async function teamSummaries(db: Queryable, scope: MonthScope, settings: ReportSettings): Promise<TeamSummary[]> {
  const cte = monthAuditsCte(scope, settings);
  const goodBands = [...new Set(collectGoodBands())];
  const rows = await db.$queryRaw<
    { teamId: string; allocated: number; returned: number; good: number; family: number; mean: number | null; raw: number }[]
  >`
    WITH ${cte},
    fam_all AS (
      SELECT a."teamId", fb."auditId",
             row_number() OVER (PARTITION BY a."teamId" ORDER BY GREATEST(fb."createdAt", au."submittedAt"), fb.id) AS rank,
             count(*) OVER (PARTITION BY a."teamId") AS total,
             (SELECT avg(CASE WHEN e.value ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN e.value::float8 END)
              FROM jsonb_each_text(CASE WHEN jsonb_typeof(fb.answers->'statements') = 'object' THEN fb.answers->'statements'
                                        ELSE (SELECT COALESCE(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(fb.answers) AS t(k, v) WHERE k LIKE 'fs-%') END) e) AS mean
      FROM a JOIN "Feedback" fb ON fb."auditId" = a.id AND fb.kind = 'family' AND fb.obtained JOIN "Audit" au ON au.id = a.id
      WHERE a.returned
    ),
    -- Whole steps of the minimum group per team, in order of arrival (services/disclosure.ts).
    fam AS (SELECT * FROM fam_all WHERE ${releasedSql(Prisma.sql`fam_all.rank`, Prisma.sql`fam_all.total`, settings.minGroupSize)})
    SELECT t."teamId", t.allocated, t.returned, t.good, COALESCE(f.family, 0)::int AS family, f.mean,
           (SELECT count(*) FROM fam_all WHERE fam_all."teamId" = t."teamId")::int AS raw
    FROM (SELECT "teamId", count(*)::int AS allocated, count(*) FILTER (WHERE returned)::int AS returned,
                 count(*) FILTER (WHERE returned AND band = ANY(${goodBands}::text[]))::int AS good
          FROM a GROUP BY "teamId") t
    LEFT JOIN (SELECT "teamId", count(*)::int AS family, avg(mean)::float8 AS mean FROM fam GROUP BY "teamId") f ON f."teamId" = t."teamId"
    ORDER BY t."teamId"`;
  // Small teams hidden, and with them the next smallest when the hidden ones add up to fewer than
  // the minimum (so no team's figure follows from the month's total by subtraction).
  const hidden = new Set(
    suppressGroups(
      rows.filter((r) => r.raw > 0).map((r) => ({ key: r.teamId, n: r.raw })),
      settings.minGroupSize,
    )
      .filter((g) => g.suppressed)
      .map((g) => g.key),
  );
  return rows.map((r) => {
    const suppressed = r.family === 0 || hidden.has(r.teamId);
    return {
      teamId: r.teamId,
      allocated: r.allocated,
      returned: r.returned,
      good: share(r.good, r.returned),
      familyFeedback: suppressed ? null : r.family,
      familyMean: suppressed || r.mean === null ? null : Math.round(r.mean * 10) / 10,
      suppressed,
    };
  });
}

function collectGoodBands(): string[] {
  return loadGradeScales().scales.flatMap((sc) => sc.bands.filter((b) => b.isGood).map((b) => b.id));
}
