// Small numbers are shown with their counts: "3 of 10 (30%)", never a bare percentage.

export interface Share {
  count: number;
  of: number;
  /** Whole percent, or null when `of` is 0. */
  pct: number | null;
  text: string;
}

export function pct(count: number, of: number): number | null {
  return of > 0 ? Math.round((count / of) * 100) : null;
}

export function share(count: number, of: number): Share {
  const p = pct(count, of);
  return { count, of, pct: p, text: p === null ? `${count} of 0` : `${count} of ${of} (${p}%)` };
}

export type Direction = "↑" | "↓" | "→" | "";

/** Direction of travel of a value where higher is better. "" when either side is missing. */
export function direction(current: number | null | undefined, previous: number | null | undefined, epsilon: number): Direction {
  if (current === null || current === undefined || previous === null || previous === undefined) return "";
  const d = current - previous;
  if (d > epsilon) return "↑";
  if (d < -epsilon) return "↓";
  return "→";
}

export const round1 = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Math.round(v * 10) / 10);

export function monthLabel(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, 1)).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

export const isMonth = (s: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
export const isQuarter = (s: string): boolean => /^\d{4}-Q[1-4]$/i.test(s);

export function quarterMonths(q: string): string[] {
  const [y, n] = q.toUpperCase().split("-Q").map(Number);
  const first = (n! - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${y}-${String(first + i).padStart(2, "0")}`);
}

export function quarterOf(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return `${y}-Q${Math.floor((m! - 1) / 3) + 1}`;
}
