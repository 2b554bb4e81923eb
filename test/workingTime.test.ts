// Working days (England & Wales bank holidays) and quiet hours, DST-safe, in Europe/London.
import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  isWorkingDay,
  nextDeliveryTime,
  parseIsoDate,
  shiftWorkingDays,
  isoDate,
  workingDaysBetween,
  zonedInstant,
  localParts,
  type QuietHours,
} from "../services/workingTime";

const TZ = "Europe/London";
const q: QuietHours = { tz: TZ, start: "18:30", end: "08:00" };
const d = (s: string) => parseIsoDate(s);

describe("working days", () => {
  it("knows Christmas 2026: Friday 25 and the substitute Boxing Day on Monday 28 December", () => {
    expect(isWorkingDay(d("2026-12-24"))).toBe(true);
    expect(isWorkingDay(d("2026-12-25"))).toBe(false);
    expect(isWorkingDay(d("2026-12-26"))).toBe(false); // Saturday
    expect(isWorkingDay(d("2026-12-28"))).toBe(false); // substitute day
    expect(isWorkingDay(d("2026-12-29"))).toBe(true);
  });

  it("counts working days across Christmas and New Year", () => {
    // Thursday 24 Dec 10:00 + 1 working day = Tuesday 29 Dec 10:00
    expect(addWorkingDays(new Date("2026-12-24T10:00:00Z"), 1, TZ).toISOString()).toBe("2026-12-29T10:00:00.000Z");
    // + 5 = 29, 30, 31 Dec, (1 Jan holiday), 4, 5 Jan
    expect(addWorkingDays(new Date("2026-12-24T10:00:00Z"), 5, TZ).toISOString()).toBe("2027-01-05T10:00:00.000Z");
    expect(workingDaysBetween(new Date("2026-12-24T10:00:00Z"), new Date("2027-01-05T10:00:00Z"), TZ)).toBe(5);
    expect(isoDate(shiftWorkingDays(d("2026-12-29"), -2))).toBe("2026-12-23");
    expect(isoDate(shiftWorkingDays(d("2027-01-04"), -2))).toBe("2026-12-30");
  });

  it("keeps the wall-clock time across the spring DST change (29 March 2026)", () => {
    const fri = zonedInstant(d("2026-03-27"), 9, 0, TZ); // 09:00 GMT
    expect(fri.toISOString()).toBe("2026-03-27T09:00:00.000Z");
    const mon = addWorkingDays(fri, 1, TZ); // Monday 30 March 09:00 BST
    expect(mon.toISOString()).toBe("2026-03-30T08:00:00.000Z");
    expect(localParts(mon, TZ)).toMatchObject({ d: 30, hh: 9, mm: 0 });
  });

  it("keeps the wall-clock time across the autumn DST change (25 October 2026)", () => {
    const fri = zonedInstant(d("2026-10-23"), 9, 0, TZ); // 09:00 BST
    expect(fri.toISOString()).toBe("2026-10-23T08:00:00.000Z");
    expect(addWorkingDays(fri, 1, TZ).toISOString()).toBe("2026-10-26T09:00:00.000Z"); // 09:00 GMT
  });

  it("knows Easter 2026 (Good Friday 3 April, Easter Monday 6 April)", () => {
    expect(addWorkingDays(new Date("2026-04-02T12:00:00Z"), 1, TZ).toISOString()).toBe("2026-04-07T12:00:00.000Z");
  });
});

describe("quiet hours", () => {
  it("delivers at once in working hours on a working day", () => {
    const at = new Date("2026-12-02T14:00:00Z");
    expect(nextDeliveryTime(at, q)).toEqual(at);
  });

  it("holds a Friday evening card until Monday 08:00", () => {
    expect(nextDeliveryTime(new Date("2026-12-04T19:00:00Z"), q).toISOString()).toBe("2026-12-07T08:00:00.000Z");
  });

  it("holds a card from before 08:00 until 08:00 the same working day (BST: 07:00 UTC)", () => {
    expect(nextDeliveryTime(new Date("2026-06-10T05:30:00Z"), q).toISOString()).toBe("2026-06-10T07:00:00.000Z");
  });

  it("skips a bank holiday Monday: Friday night before the late May bank holiday goes to Tuesday", () => {
    // Monday 25 May 2026 is the Spring bank holiday; 08:00 BST on Tuesday 26 May = 07:00 UTC.
    expect(nextDeliveryTime(new Date("2026-05-22T20:00:00Z"), q).toISOString()).toBe("2026-05-26T07:00:00.000Z");
    expect(nextDeliveryTime(new Date("2026-05-25T11:00:00Z"), q).toISOString()).toBe("2026-05-26T07:00:00.000Z");
  });

  it("holds Christmas Eve evening until Tuesday 29 December", () => {
    expect(nextDeliveryTime(new Date("2026-12-24T18:45:00Z"), q).toISOString()).toBe("2026-12-29T08:00:00.000Z");
  });

  it("is DST-safe on the weekend the clocks change", () => {
    // Saturday 28 March 2026 (GMT) → Monday 30 March 08:00 BST = 07:00 UTC
    expect(nextDeliveryTime(new Date("2026-03-28T12:00:00Z"), q).toISOString()).toBe("2026-03-30T07:00:00.000Z");
    // Saturday 24 October 2026 (BST) → Monday 26 October 08:00 GMT = 08:00 UTC
    expect(nextDeliveryTime(new Date("2026-10-24T12:00:00Z"), q).toISOString()).toBe("2026-10-26T08:00:00.000Z");
  });

  it("18:29 is still working time, 18:30 is quiet", () => {
    expect(nextDeliveryTime(new Date("2026-12-02T18:29:00Z"), q).toISOString()).toBe("2026-12-02T18:29:00.000Z");
    expect(nextDeliveryTime(new Date("2026-12-02T18:30:00Z"), q).toISOString()).toBe("2026-12-03T08:00:00.000Z");
  });
});
