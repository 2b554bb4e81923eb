// The pure rules of an audit-of-practice day (Halton Children and Young People's Services Quality
// Assurance Framework, "The audit"): audit teams from the volunteers, and the random case selection.
import { rng, shuffle } from "../random";
import type { Role } from "../../generated/prisma/enums";

/** Senior managers: paired with front-line staff ("front line staff highly value working alongside senior managers"). */
export const SENIOR_ROLES: Role[] = ["SERVICE_MANAGER", "HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "DIRECTOR", "HEAD_OF_QA"];

/** "Cases are selected across all areas of work": family support, child in need, child protection, looked after, care leavers. */
export const AREAS_OF_WORK = ["EARLY_HELP", "CHILD_IN_NEED", "CHILD_PROTECTION", "CHILD_LOOKED_AFTER", "CARE_LEAVER"] as const;
/** "Audits always include a number of initial contacts received from partner agencies." */
export const CONTACT_PLAN = "CONTACT";

export interface Volunteer {
  id: string;
  roles: Role[];
  /** Start date (ISO): the earlier, the more experienced; unknown counts as least experienced. */
  startDate: string | null;
}

export const isSenior = (v: Pick<Volunteer, "roles">) => v.roles.some((r) => SENIOR_ROLES.includes(r));

/**
 * Audit teams: each front-line volunteer with a senior manager, the least experienced front-line
 * person with the most experienced senior so experience is balanced across pairs. Volunteers left
 * over are paired among themselves the same way (most with least experienced); an odd one out
 * joins the last team. Returns the teams as lists of staff ids, numbered from 1 in order.
 */
export function pairVolunteers(volunteers: Volunteer[]): string[][] {
  const byExperience = (a: Volunteer, b: Volunteer) =>
    (a.startDate ?? "9999") < (b.startDate ?? "9999")
      ? -1
      : (a.startDate ?? "9999") > (b.startDate ?? "9999")
        ? 1
        : a.id.localeCompare(b.id);
  const seniors = volunteers.filter(isSenior).sort(byExperience); // most experienced first
  const front = volunteers
    .filter((v) => !isSenior(v))
    .sort(byExperience)
    .reverse(); // least experienced first
  const teams: string[][] = [];
  const n = Math.min(seniors.length, front.length);
  for (let i = 0; i < n; i++) teams.push([front[i]!.id, seniors[i]!.id]);
  const rest = [...front.slice(n).reverse(), ...seniors.slice(n)].sort(byExperience);
  while (rest.length >= 2) teams.push([rest.shift()!.id, rest.pop()!.id]);
  if (rest.length === 1) {
    if (teams.length) teams.at(-1)!.push(rest[0]!.id);
    else teams.push([rest[0]!.id]);
  }
  return teams;
}

export interface SampleCase {
  caseRef: string;
  planType: string;
  teamId: string;
  workerId: string;
  managerId: string | null;
}

export interface Selection {
  caseRef: string;
  reason: "random" | "contact" | "theme";
  team: number;
}

/**
 * The random selection: `size` cases across all areas of work (each area at least once when it has
 * cases, the rest drawn at random from the areas together), `contacts` initial contacts always, and
 * `themeCases` more from the theme's plan types when a theme supplements the sample. Each case goes
 * to an audit team none of whose members holds or manages it, the lightest-loaded first.
 */
export function selectCases(o: {
  pool: SampleCase[];
  teams: string[][];
  size: number;
  contacts: number;
  themePlanTypes?: string[] | null;
  themeCases?: number;
  seed: string;
}): { selected: Selection[]; unassigned: string[] } {
  const random = rng(o.seed);
  const taken = new Set<string>();
  const picks: { c: SampleCase; reason: Selection["reason"] }[] = [];
  const take = (c: SampleCase, reason: Selection["reason"]) => {
    taken.add(c.caseRef);
    picks.push({ c, reason });
  };
  const byArea = new Map<string, SampleCase[]>(
    AREAS_OF_WORK.map((a) => [
      a,
      shuffle(
        o.pool.filter((c) => c.planType === a),
        random,
      ),
    ]),
  );
  for (const a of AREAS_OF_WORK) {
    const first = byArea.get(a)![0];
    if (first && picks.length < o.size) take(first, "random");
  }
  for (const c of shuffle(
    o.pool.filter((c) => (AREAS_OF_WORK as readonly string[]).includes(c.planType)),
    random,
  )) {
    if (picks.length >= o.size) break;
    if (!taken.has(c.caseRef)) take(c, "random");
  }
  for (const c of shuffle(
    o.pool.filter((c) => c.planType === CONTACT_PLAN),
    random,
  ).slice(0, o.contacts))
    take(c, "contact");
  if (o.themePlanTypes && (o.themeCases ?? 0) > 0) {
    const themed = o.pool.filter((c) => !taken.has(c.caseRef) && (!o.themePlanTypes!.length || o.themePlanTypes!.includes(c.planType)));
    for (const c of shuffle(themed, random).slice(0, o.themeCases)) take(c, "theme");
  }
  const load = o.teams.map(() => 0);
  const selected: Selection[] = [];
  const unassigned: string[] = [];
  for (const { c, reason } of picks) {
    const ok = o.teams
      .map((members, i) => ({ i, members }))
      .filter(({ members }) => !members.includes(c.workerId) && (!c.managerId || !members.includes(c.managerId)))
      .sort((a, b) => load[a.i]! - load[b.i]! || a.i - b.i)[0];
    if (!ok) {
      unassigned.push(c.caseRef);
      continue;
    }
    load[ok.i]!++;
    selected.push({ caseRef: c.caseRef, reason, team: ok.i + 1 });
  }
  return { selected, unassigned };
}
