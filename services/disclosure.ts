// The one rule for figures about people (survey answers and response counts, family feedback):
// a figure computed from fewer than MIN_GROUP_SIZE people is not shown, on any surface (cards,
// XLSX/CSV files, reports, commands). Every producer of such figures asks these functions; the
// surfaces only render what they are given, so no surface can show more than another.
//
import { Prisma } from "../generated/prisma/client";

// Differencing between successive views is closed where the figures are made: survey answers are
// released only when the campaign closes (one view, never updated); family feedback in a month is
// counted in whole steps of the minimum (releasedCount), so two views differ by at least that many.

/** True when a figure made from `people` people may be shown. */
export function disclosable(people: number, min: number): boolean {
  return people >= min;
}

/** `value` when it comes from enough people, else null (not shown, not even as a count). */
export function disclose<T>(people: number, min: number, value: T): T | null {
  return disclosable(people, min) ? value : null;
}

/** A count of people as shown: "0", "12", or "fewer than 5". */
export function peopleCount(people: number, min: number): string {
  return people === 0 || disclosable(people, min) ? String(people) : `fewer than ${min}`;
}

/**
 * A count of people that is still growing (those who have answered a survey that is open), as
 * shown: "fewer than 5" (none included), then "at least 5", "at least 10"… in whole steps of the
 * minimum, so the figure does not move with each person's submit and its timing cannot single one
 * out. The exact count is shown once it stops moving (peopleCount).
 */
export function runningPeopleCount(people: number, min: number): string {
  return disclosable(people, min) ? `at least ${releasedCount(people, min)}` : `fewer than ${min}`;
}

/** Who answered a survey, as shown: exactly (peopleCount) once it has closed; while open, in whole steps of the minimum (runningPeopleCount). */
export const respondentCount = (people: number, min: number, closed: boolean): string =>
  closed ? peopleCount(people, min) : runningPeopleCount(people, min);

/**
 * How many of `n` items (in a stable order of arrival) a view may include: whole steps of `min`, so
 * a figure changes only when at least `min` new people have been added and nobody's contribution
 * can be recovered by comparing two views.
 */
export function releasedCount(n: number, min: number): number {
  return Math.floor(n / Math.max(min, 1)) * Math.max(min, 1);
}

/**
 * releasedCount in SQL, for a query that numbers its rows in order of arrival: true for the rows a
 * view may include (`rank` 1-based, `total` the rows in the same partition).
 */
export function releasedSql(rank: Prisma.Sql, total: Prisma.Sql, min: number): Prisma.Sql {
  const step = Math.max(min, 1);
  return Prisma.sql`(${rank} <= floor(${total}::float8 / ${step}) * ${step})`;
}

/**
 * Groups (teams, roles): small groups are hidden; if what is hidden adds up to fewer than the
 * minimum, the next smallest group is hidden too, so the hidden ones cannot be recovered from the
 * overall figures by subtraction.
 */
export function suppressGroups<T extends { n: number }>(
  groups: T[],
  min: number,
  /** Groups hidden for another reason (their whole figure already is): they count as hidden. */
  hiddenAnyway: (g: T) => boolean = () => false,
): (T & { suppressed: boolean })[] {
  const out = groups.map((g) => ({ ...g, suppressed: hiddenAnyway(g) || !disclosable(g.n, min) }));
  for (;;) {
    const hidden = out.filter((g) => g.suppressed).reduce((n, g) => n + g.n, 0);
    const shown = out.filter((g) => !g.suppressed).sort((a, b) => a.n - b.n);
    if (hidden === 0 || disclosable(hidden, min) || shown.length === 0) break;
    shown[0]!.suppressed = true;
  }
  return out;
}
