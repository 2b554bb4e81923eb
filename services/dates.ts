// Calendar arithmetic and the one way a date is written on a card. Months are "YYYY-MM" strings;
// local dates are LocalDate (services/workingTime.ts); `@db.Date` values are UTC midnight.
import { localDate, toDbDate, type LocalDate } from "./workingTime";

/** "2026-11" moved by whole months: shiftMonth("2026-11", 2) is "2027-01". */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const t = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** Whole calendar months added to a local date (the 31st becomes the month's last day). */
export function addMonths(l: LocalDate, n: number): LocalDate {
  const total = l.y * 12 + (l.m - 1) + n;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { y, m, d: Math.min(l.d, last) };
}

/** An instant moved by whole months on the UTC calendar (a survey's next yearly or quarterly round). */
export function addUtcMonths(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

const CARD_DATE = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** "Mon 7 Dec 2026": a `@db.Date`, a local date or "YYYY-MM-DD…"; "" for none. */
export function formatDate(d: Date | LocalDate | string | null | undefined): string {
  if (!d) return "";
  if (typeof d === "string") return CARD_DATE.format(new Date(`${d.slice(0, 10)}T00:00:00Z`));
  return CARD_DATE.format(d instanceof Date ? d : toDbDate(d));
}

/** The day an instant falls on in time zone `tz`, written as formatDate writes it. */
export const formatDateAt = (at: Date, tz: string): string => formatDate(localDate(at, tz));

const MONTH_TITLE = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

/** "December 2026" for "2026-12". */
export function formatMonth(month: string): string {
  return MONTH_TITLE.format(new Date(`${month}-01T12:00:00Z`));
}
