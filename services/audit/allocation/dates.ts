// Days of an audit cycle: due dates are the last working day of the month.
import { isWorkingDay, isoDate, type LocalDate } from "../../workingTime";

export const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The last working day (England & Wales) of a month: the default due date of its audits. */
export function lastWorkingDayOfMonth(month: string): LocalDate {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0));
  let l: LocalDate = { y, m, d: last.getUTCDate() };
  while (!isWorkingDay(l)) l = { ...l, d: l.d - 1 };
  return l;
}

export const dbDate = (l: LocalDate | string): Date => new Date(`${typeof l === "string" ? l.slice(0, 10) : isoDate(l)}T00:00:00.000Z`);
