// Auditor calibration: per auditor and per theme, how often moderators agreed with the auditor and
// the mean grade shift (moderated − original, in band ranks: negative means auditors grade too
// generously). Shown only to the QA team (capability report.calibration), to target audit training.
import { rankTable } from "./trends";
import { share, type Share } from "./format";
import type { Queryable } from "./monthly";

export interface CalibrationRow {
  auditorId: string;
  auditor: string;
  theme: string;
  moderated: number;
  agreed: Share;
  /** Mean of (moderated rank − original rank); null when no ranks are known. */
  meanShift: number | null;
  movedUp: number;
  movedDown: number;
}

export async function calibration(db: Queryable, fromMonth: string, toMonth: string): Promise<CalibrationRow[]> {
  const rt = rankTable();
  const rows = await db.$queryRaw<
    {
      auditorId: string;
      auditor: string;
      theme: string;
      moderated: number;
      agreed: number;
      shift: number | null;
      up: number;
      down: number;
    }[]
  >`
    WITH ranks AS (SELECT * FROM unnest(${rt.scale}::text[], ${rt.band}::text[], ${rt.rank}::int[]) AS r(scale, band, rank)),
    md AS (
      SELECT au."auditorId", c.theme, m.agree, rg.rank AS r0, rm.rank AS r1
      FROM "AuditCycle" c JOIN "Audit" au ON au."cycleId" = c.id
      JOIN LATERAL (SELECT agree FROM "Moderation" mo WHERE mo."auditId" = au.id AND mo.agree IS NOT NULL ORDER BY mo."createdAt" DESC LIMIT 1) m ON true
      LEFT JOIN ranks rg ON rg.scale = au."gradeScaleId" AND rg.band = au."gradeBand"
      LEFT JOIN ranks rm ON rm.scale = au."gradeScaleId" AND rm.band = COALESCE(au."moderatedBand", au."gradeBand")
      WHERE c.month BETWEEN ${fromMonth} AND ${toMonth}
    )
    SELECT md."auditorId", COALESCE(s.name, 'unknown') AS auditor, md.theme, count(*)::int AS moderated,
           count(*) FILTER (WHERE md.agree)::int AS agreed, avg(md.r1 - md.r0)::float8 AS shift,
           count(*) FILTER (WHERE md.r1 > md.r0)::int AS up, count(*) FILTER (WHERE md.r1 < md.r0)::int AS down
    FROM md LEFT JOIN "Staff" s ON s.id = md."auditorId"
    GROUP BY md."auditorId", s.name, md.theme
    ORDER BY (count(*) FILTER (WHERE md.agree))::float8 / count(*), s.name, md.theme`;
  return rows.map((r) => ({
    auditorId: r.auditorId,
    auditor: r.auditor,
    theme: r.theme,
    moderated: r.moderated,
    agreed: share(r.agreed, r.moderated),
    meanShift: r.shift === null ? null : Math.round(r.shift * 100) / 100,
    movedUp: r.up,
    movedDown: r.down,
  }));
}
