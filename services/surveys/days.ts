// The calendar days of a survey's window, in the authority's time zone.
import { isoDate, localDate, parseIsoDate, zonedInstant } from "../workingTime";

export function formatDay(at: Date, tz: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

/** Local calendar day of an instant, as a Date for a @db.Date column (UTC midnight). */
export function dayOnly(at: Date, tz: string): Date {
  return new Date(`${isoDate(localDate(at, tz))}T00:00:00Z`);
}

/** Start of a local day ("2026-12-01" → 00:00 Europe/London). */
export function startOfLocalDay(iso: string, tz: string): Date {
  return zonedInstant(parseIsoDate(iso), 0, 0, tz);
}

/** End of a local day: 00:00 on the following day. */
export function endOfLocalDay(iso: string, tz: string): Date {
  const d = parseIsoDate(iso);
  const next = new Date(Date.UTC(d.y, d.m - 1, d.d + 1));
  return zonedInstant({ y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() }, 0, 0, tz);
}
