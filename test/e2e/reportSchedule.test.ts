// The monthly report is scheduled once per month by the scheduler's daily check, for the first
// working day of the next month, and a report that already ran is never scheduled again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { ensureMonthlyReportScheduled } from "../../services/reports";
import { buildRecurringJobs } from "../../scheduler/recurring";

let h: Harness;
const clock = new ManualClock("2026-12-14T10:00:00Z");
beforeAll(async () => {
  h = await startHarness({ clock });
});
afterAll(async () => {
  await h?.close();
});

describe("monthly report schedule", () => {
  it("is checked every day by a recurring scheduler job", () => {
    expect(buildRecurringJobs().map((j) => j.name)).toContain("report.ensureScheduled");
  });

  it("schedules December's report for the first working day of January, once", async () => {
    await ensureMonthlyReportScheduled(h.service.ctx);
    await ensureMonthlyReportScheduled(h.service.ctx);
    const jobs = await h.db.scheduledJob.findMany({ where: { name: "report.monthly" } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.key).toBe("report:monthly:2026-12");
    // 1 Jan 2027 is a bank holiday (New Year's Day, a Friday): the report goes on Monday 4 January.
    expect(jobs[0]!.runAt.toISOString().slice(0, 10)).toBe("2027-01-04");
  });

  it("does not bring back a report that already ran", async () => {
    await h.db.scheduledJob.update({ where: { key: "report:monthly:2026-12" }, data: { status: "done" } });
    await ensureMonthlyReportScheduled(h.service.ctx);
    const job = await h.db.scheduledJob.findUniqueOrThrow({ where: { key: "report:monthly:2026-12" } });
    expect(job.status).toBe("done");
  });
});
