// The supervision frequency rules of services/catalogue/supervision.json applied to due dates.
import { describe, expect, it } from "vitest";
import { dueDatesBetween, groupRule, ruleFor } from "../services/supervision/schedule";
import { isoDate, parseIsoDate } from "../services/workingTime";

const d = parseIsoDate;
const gaps = (dates: string[]) => dates.slice(1).map((x, i) => (Date.parse(x) - Date.parse(dates[i]!)) / 86_400_000);

describe("supervision schedule", () => {
  it("case-holding: weekly for 4 weeks, fortnightly for the next 4, then every 4 weeks, on working days", () => {
    const rule = ruleFor({ isNqsw: false, isCaseHolding: true });
    expect(rule.id).toBe("case-holding");
    const start = d("2027-01-04"); // a Monday
    const dates = dueDatesBetween(rule, start, start, d("2027-06-30")).map(isoDate);
    expect(dates.slice(0, 4)).toEqual(["2027-01-11", "2027-01-18", "2027-01-25", "2027-02-01"]);
    expect(dates.slice(4, 6)).toEqual(["2027-02-15", "2027-03-01"]);
    // Every 4 weeks after; a bank holiday (Easter Monday 29 Mar 2027) brings one session earlier, never later.
    expect(gaps(dates.slice(5)).every((x) => x <= 28 && x >= 24)).toBe(true);
    expect(dates).toContain("2027-03-25");
  });

  it("non-case-holding: every 4 weeks; a due date on a bank holiday moves earlier, never later", () => {
    const rule = ruleFor({ isNqsw: false, isCaseHolding: false });
    expect(rule.id).toBe("non-case-holding");
    // 28 days after Mon 30 Nov 2026 is Mon 28 Dec 2026 (substitute Boxing Day) → Thu 24 Dec.
    const [first] = dueDatesBetween(rule, d("2020-01-01"), d("2026-11-30"), d("2027-01-31")).map(isoDate);
    expect(first).toBe("2026-12-24");
  });

  it("NQSW: weekly for six months, then fortnightly for six months, then every four weeks", () => {
    const rule = ruleFor({ isNqsw: true, isCaseHolding: true });
    expect(rule.id).toBe("nqsw");
    const start = d("2027-01-04");
    const dates = dueDatesBetween(rule, start, start, d("2028-03-31")).map(isoDate);
    const g = gaps(dates);
    const before = (iso: string) => dates.filter((x) => x < iso).length;
    // Bank holidays move a session a few days earlier; the gap never exceeds the rule's maximum.
    const within = (xs: number[], max: number) => xs.length > 0 && xs.every((x) => x <= max && x >= max - 4);
    expect(within(g.slice(0, before("2027-07-04") - 1), 7)).toBe(true);
    expect(within(g.slice(before("2027-07-12"), before("2028-01-04") - 1), 14)).toBe(true);
    expect(within(g.slice(before("2028-01-12")), 28)).toBe(true);
    expect(before("2027-07-04")).toBeGreaterThanOrEqual(25); // ~26 weekly sessions in the first six months
  });

  it("group supervision: at most 4 weeks apart", () => {
    const dates = dueDatesBetween(groupRule(), d("2027-01-04"), d("2027-01-04"), d("2027-06-30")).map(isoDate);
    expect(gaps(dates).every((x) => x <= 28 && x >= 14)).toBe(true);
  });
});
