// Whose figures a person's dashboard shows, and the filters it accepts. The QA team, the head of QA
// and directors see every team; a head of service the teams of their service (the teams whose
// managers report to them, through their service managers; else their own team's service area);
// team and service managers the teams they manage (as the `report` command: services/reports/index.ts). A filter can
// only narrow that scope: a team outside it is refused, never silently widened.
import { z } from "zod";
import type { AppContext } from "../context";
import { NotPermitted, ValidationFailed } from "../errors";
import { hasRole, may, type Actor } from "../permissions";
import { lastCompleteMonth, reportTeamScope } from "../reports";
import { isMonth } from "../reports/format";

export interface DashboardScope {
  /** "All teams", "Children's social care (service)", "Team CIN". */
  label: string;
  /** null: every team. */
  teamIds: string[] | null;
  teams: { id: string; name: string }[];
}

export const filtersSchema = z.object({
  month: z.string().refine(isMonth, "Give the month as YYYY-MM.").optional(),
  theme: z.string().max(200).optional(),
  team: z.string().max(64).optional(),
});
export type DashboardFilters = z.infer<typeof filtersSchema>;

/** The filters as given (query string), checked; the month defaults to the last complete month. */
export function parseFilters(ctx: AppContext, raw: Record<string, unknown>): Required<Pick<DashboardFilters, "month">> & DashboardFilters {
  const pick = (k: string) => (typeof raw[k] === "string" && raw[k] !== "" ? (raw[k] as string) : undefined);
  const parsed = filtersSchema.safeParse({ month: pick("month"), theme: pick("theme"), team: pick("team") });
  if (!parsed.success) throw new ValidationFailed(parsed.error.issues[0]?.message ?? "Invalid filter.", { filter: "invalid" });
  return { ...parsed.data, month: parsed.data.month ?? lastCompleteMonth(ctx.clock.now(), ctx.config.TIMEZONE) };
}

/** Whether the person has a dashboard at all (the tab shows only "What waits on me" otherwise). */
export function hasDashboard(actor: Actor): boolean {
  return may(actor, "report.view");
}

export async function dashboardScope(ctx: AppContext, actor: Actor): Promise<DashboardScope> {
  if (!hasDashboard(actor)) throw new NotPermitted("The dashboards are for team managers, heads of service and the QA team.");
  const allTeams = await ctx.db.team.findMany({ select: { id: true, name: true, serviceArea: true }, orderBy: { id: "asc" } });
  const everything = hasRole(actor, "QA_TEAM", "HEAD_OF_QA", "DIRECTOR", "ASSISTANT_DIRECTOR");
  if (!everything && hasRole(actor, "HEAD_OF_SERVICE")) {
    const managed = await managedTeams(ctx, actor.id);
    const service = allTeams.find((t) => t.id === actor.teamId)?.serviceArea;
    const teams = managed.length ? allTeams.filter((t) => managed.includes(t.id)) : allTeams.filter((t) => t.serviceArea === service);
    const label = managed.length ? `Your service (${teams.length} ${teams.length === 1 ? "team" : "teams"})` : (service ?? "");
    if (teams.length) return { label, teamIds: teams.map((t) => t.id), teams: teams.map(({ id, name }) => ({ id, name })) };
  }
  const teamIds = everything ? null : await reportTeamScope(ctx.db, actor);
  if (teamIds && teamIds.length === 0)
    throw new NotPermitted("You are not recorded as managing a team, so there is no team dashboard for you.");
  const teams = allTeams.filter((t) => !teamIds || teamIds.includes(t.id)).map(({ id, name }) => ({ id, name }));
  return { label: teamIds ? teams.map((t) => t.name).join(", ") : "All teams", teamIds, teams };
}

/** The teams of the team managers under a person in the line management (a few levels down). */
async function managedTeams(ctx: AppContext, managerId: string): Promise<string[]> {
  const teams = new Set<string>();
  let level = [managerId];
  for (let depth = 0; depth < 4 && level.length; depth += 1) {
    const reports = await ctx.db.staff.findMany({
      where: { lineManagerId: { in: level }, active: true },
      select: { id: true, teamId: true, roles: true },
    });
    for (const r of reports) if (r.teamId && r.roles.includes("TEAM_MANAGER")) teams.add(r.teamId);
    level = reports.map((r) => r.id);
  }
  return [...teams];
}

/** The teams the figures are computed over: the scope, narrowed by the team filter. */
export function teamsFor(scope: DashboardScope, team: string | undefined): string[] | undefined {
  if (!team) return scope.teamIds ?? undefined;
  if (!scope.teams.some((t) => t.id === team)) throw new NotPermitted("That team is not one of yours.");
  return [team];
}
