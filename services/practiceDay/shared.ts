// Small helpers the audit-of-practice day modules share.
import type { Db, Tx } from "../db";
import { NotFound } from "../errors";
import { formatDate } from "../dates";
import { DAY_MISSING } from "./access";

export async function practiceDayOf(db: Db | Tx, dayId: string) {
  const day = await db.practiceDay.findUnique({ where: { id: dayId } });
  if (!day) throw new NotFound(DAY_MISSING);
  return day;
}

/** "Wed 10 Mar 2027" for a @db.Date. */
export const dayLabel = (d: Date): string => formatDate(d);

export function addCalendarDaysIso(iso: string, n: number): string {
  const t = new Date(`${iso}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

export const isoOf = (d: Date) => d.toISOString().slice(0, 10);
