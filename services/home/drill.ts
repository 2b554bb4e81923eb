// From a figure on the dashboard to the audits behind it: case references (never names), status and
// grade, for the same scope and filters as the figure. Figures: allocated, returned, late,
// notCompleted, inProgress, moderated, movedUp, movedDown, band:<id>, team:<id>, theme:<theme>.
import { Prisma } from "../../generated/prisma/client";
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { ValidationFailed } from "../errors";
import { getGradeScale } from "../catalogue";
import { reportSettings } from "../reports";
import { monthAuditsCte } from "../reports/monthly";
import { dashboardScope, parseFilters, teamsFor } from "./scope";

export const DRILL_LIMIT = 500;

export interface DrillRow {
  caseRef: string;
  teamId: string;
  /** The team's name, as the dashboard names it. */
  team: string;
  status: string;
  grade: string;
  moderated: boolean;
}

export interface Drill {
  figure: string;
  title: string;
  total: number;
  rows: DrillRow[];
}

const fixed = (today: string): Record<string, { title: string; where: Prisma.Sql }> => ({
  allocated: { title: "Audits allocated", where: Prisma.sql`true` },
  returned: { title: "Audits returned", where: Prisma.sql`a.returned` },
  late: { title: "Returned late (not in the findings)", where: Prisma.sql`a.returned AND a.late` },
  inProgress: {
    title: "Still in progress",
    where: Prisma.sql`NOT a.returned AND a.status NOT IN ('declined', 'not_completed') AND a."dueDate" >= ${today}::date`,
  },
  notCompleted: {
    title: "Not completed",
    where: Prisma.sql`NOT a.returned AND (a.status IN ('declined', 'not_completed') OR a."dueDate" < ${today}::date)`,
  },
  moderated: { title: "Moderated", where: Prisma.sql`a.moderated` },
  movedUp: {
    title: "Moderated up",
    where: Prisma.sql`a.counted AND a."moderatedBand" IS NOT NULL AND a."moderatedBand" <> a."gradeBand" AND a.mv > 0`,
  },
  movedDown: {
    title: "Moderated down",
    where: Prisma.sql`a.counted AND a."moderatedBand" IS NOT NULL AND a."moderatedBand" <> a."gradeBand" AND a.mv < 0`,
  },
});

export async function drillFor(ctx: AppContext, actor: Actor, raw: Record<string, unknown>): Promise<Drill> {
  const scope = await dashboardScope(ctx, actor);
  const f = parseFilters(ctx, raw);
  const figure = typeof raw.figure === "string" ? raw.figure.slice(0, 250) : "";
  let teamIds = teamsFor(scope, f.team);
  let theme = f.theme;
  let title: string;
  let where: Prisma.Sql;
  const scale = getGradeScale();
  const bandLabel = (id: string | null) => scale.bands.find((b) => b.id === id)?.label ?? id ?? "";
  const [kind, arg] = figure.includes(":") ? [figure.slice(0, figure.indexOf(":")), figure.slice(figure.indexOf(":") + 1)] : [figure, ""];
  const figures = fixed(ctx.clock.now().toLocaleDateString("en-CA", { timeZone: ctx.config.TIMEZONE }));
  const known = Object.hasOwn(figures, figure) ? figures[figure] : undefined;
  if (known) ({ title, where } = known);
  else if (kind === "band" && scale.bands.some((b) => b.id === arg)) {
    title = `Graded ${bandLabel(arg)}`;
    where = Prisma.sql`a.counted AND a.band = ${arg}`;
  } else if (kind === "team" && arg) {
    teamIds = teamsFor(scope, arg);
    title = `Audits of ${scope.teams.find((t) => t.id === arg)?.name ?? arg}`;
    where = Prisma.sql`true`;
  } else if (kind === "theme") {
    theme = arg;
    title = `Audits of the theme ${arg || "(no theme)"}`;
    where = Prisma.sql`true`;
  } else throw new ValidationFailed("There is no such figure to drill into.", { figure: "unknown" });

  const cte = monthAuditsCte({ month: f.month, theme, teamIds }, reportSettings(ctx));
  const ranks = scale.bands.map((b) => b.id);
  const rows = await ctx.db.$queryRaw<
    { caseRef: string; teamId: string; status: string; band: string | null; moderated: boolean; total: number }[]
  >`
    WITH ${cte},
    r AS (SELECT id, ord FROM unnest(${ranks}::text[]) WITH ORDINALITY AS t(id, ord)),
    x AS (SELECT a.*, COALESCE((SELECT ord FROM r WHERE r.id = a."moderatedBand"), 0) - COALESCE((SELECT ord FROM r WHERE r.id = a."gradeBand"), 0) AS mv FROM a)
    SELECT c."caseRef", a."teamId", a.status, CASE WHEN a.returned THEN a.band END AS band, a.moderated, count(*) OVER ()::int AS total
    FROM x a JOIN "Case" c ON c.id = a."caseId"
    WHERE ${where}
    ORDER BY a."teamId", c."caseRef" LIMIT ${DRILL_LIMIT}`;
  return {
    figure,
    title,
    total: rows[0]?.total ?? 0,
    rows: rows.map((r) => ({
      caseRef: r.caseRef,
      teamId: r.teamId,
      team: scope.teams.find((t) => t.id === r.teamId)?.name ?? r.teamId,
      status: r.status.replace(/_/g, " "),
      grade: bandLabel(r.band),
      moderated: r.moderated,
    })),
  };
}
