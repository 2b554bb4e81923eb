// Working days (England & Wales bank holidays, from the maintained `date-holidays` data) and quiet
// hours, in the council's time zone (Europe/London by default), DST-safe: all arithmetic is on
// local calendar dates, converted to instants only at the end.
import Holidays from "date-holidays";

export interface LocalDate {
  y: number;
  m: number; // 1-12
  d: number;
}

const holidayCache = new Map<number, Set<string>>();
const hd = new Holidays("GB", "ENG");

function holidaysOf(year: number): Set<string> {
  let set = holidayCache.get(year);
  if (!set) {
    set = new Set(
      hd
        .getHolidays(year)
        .filter((h) => h.type === "public" || h.type === "bank")
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(year, set);
  }
  return set;
}

export const isoDate = (l: LocalDate): string => `${l.y}-${String(l.m).padStart(2, "0")}-${String(l.d).padStart(2, "0")}`;

export function parseIsoDate(s: string): LocalDate {
  const [y, m, d] = s.slice(0, 10).split("-").map(Number);
  return { y: y!, m: m!, d: d! };
}

function addCalendarDays(l: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(l.y, l.m - 1, l.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function weekday(l: LocalDate): number {
  return new Date(Date.UTC(l.y, l.m - 1, l.d)).getUTCDay();
}

export function isBankHoliday(l: LocalDate): boolean {
  return holidaysOf(l.y).has(isoDate(l));
}

export function isWorkingDay(l: LocalDate): boolean {
  const wd = weekday(l);
  return wd !== 0 && wd !== 6 && !isBankHoliday(l);
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    fmtCache.set(tz, f);
  }
  return f;
}

/** The wall-clock parts of an instant in a time zone. */
export function localParts(at: Date, tz: string): LocalDate & { hh: number; mm: number; ss: number } {
  const parts = Object.fromEntries(
    formatter(tz)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { y: +parts.year!, m: +parts.month!, d: +parts.day!, hh: +parts.hour!, mm: +parts.minute!, ss: +parts.second! };
}

export function localDate(at: Date, tz: string): LocalDate {
  const p = localParts(at, tz);
  return { y: p.y, m: p.m, d: p.d };
}

/** The instant at which the wall clock in `tz` shows the given local date and time. */
export function zonedInstant(l: LocalDate, hh: number, mm: number, tz: string): Date {
  const wanted = Date.UTC(l.y, l.m - 1, l.d, hh, mm);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), tz);
    const shown = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm);
    const diff = wanted - shown;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

/** n working days after the local date of `from`, at the same wall-clock time. */
export function addWorkingDays(from: Date, n: number, tz: string): Date {
  const p = localParts(from, tz);
  let l: LocalDate = { y: p.y, m: p.m, d: p.d };
  let left = n;
  while (left > 0) {
    l = addCalendarDays(l, 1);
    if (isWorkingDay(l)) left--;
  }
  return zonedInstant(l, p.hh, p.mm, tz);
}

/** Number of working days strictly after `from`'s date up to and including `to`'s date. */
export function workingDaysBetween(from: Date, to: Date, tz: string): number {
  let l = localDate(from, tz);
  const end = isoDate(localDate(to, tz));
  let n = 0;
  while (isoDate(l) < end) {
    l = addCalendarDays(l, 1);
    if (isWorkingDay(l)) n++;
  }
  return n;
}

export interface QuietHours {
  tz: string;
  start: string; // "18:30": no cards from then …
  end: string; // "08:00": … until then, on the next working day
}

const hm = (s: string): [number, number] => {
  const [h, m] = s.split(":").map(Number);
  return [h!, m!];
};

/**
 * When a proactive card may arrive: `at` itself in working hours on a working day, otherwise the
 * next working morning at the end of quiet hours.
 */
export function nextDeliveryTime(at: Date, q: QuietHours): Date {
  const p = localParts(at, q.tz);
  const [sh, sm] = hm(q.start);
  const [eh, em] = hm(q.end);
  const minutes = p.hh * 60 + p.mm;
  const today: LocalDate = { y: p.y, m: p.m, d: p.d };
  if (isWorkingDay(today) && minutes >= eh * 60 + em && minutes < sh * 60 + sm) return at;
  let l = today;
  if (!(isWorkingDay(today) && minutes < eh * 60 + em)) {
    do l = addCalendarDays(l, 1);
    while (!isWorkingDay(l));
  }
  return zonedInstant(l, eh, em, q.tz);
}

/** Calendar-day arithmetic on local dates (no time zone involved). */
export const addDays = (l: LocalDate, n: number): LocalDate => addCalendarDays(l, n);

/** `n` working days after (n > 0) or before (n < 0) a local date; n = 0 gives the date itself. */
export function shiftWorkingDays(l: LocalDate, n: number): LocalDate {
  let out = l;
  let left = Math.abs(n);
  const step = n < 0 ? -1 : 1;
  while (left > 0) {
    out = addCalendarDays(out, step);
    if (isWorkingDay(out)) left--;
  }
  return out;
}

/** The date itself when it is a working day, otherwise the working day before it. */
export function workingDayOnOrBefore(l: LocalDate): LocalDate {
  let out = l;
  while (!isWorkingDay(out)) out = addCalendarDays(out, -1);
  return out;
}

/** A `@db.Date` value (UTC midnight) as a local date, and back. */
export const fromDbDate = (d: Date): LocalDate => ({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() });
export const toDbDate = (l: LocalDate): Date => new Date(Date.UTC(l.y, l.m - 1, l.d));
