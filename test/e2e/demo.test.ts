// The whole-product demo (`npm run demo`) run against the test database: CI proves the month plays
// end to end through /api/messages, and that its headline facts hold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startHarness, type Harness } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { runDemo, type DemoResult } from "../../scripts/demo";

let h: Harness;
let outDir: string;
const clock = new ManualClock("2026-12-01T09:00:00Z");
const lines: string[] = [];
let result: DemoResult;

beforeAll(async () => {
  h = await startHarness({ clock });
  outDir = await mkdtemp(path.join(os.tmpdir(), "assure-demo-"));
  result = await runDemo(h, { clock, outDir, print: (l) => lines.push(l) });
}, 240_000);
afterAll(async () => {
  await h?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("npm run demo", () => {
  it("allocates the month, completes audits through the form with at least two Inadequate reaching the whole chain", () => {
    expect(result.allocated).toBe(30);
    expect(result.auditors).toBe(19);
    expect(lines[1]).toMatch(/allocates December 2026: 30 audits to 19 auditors/);
    expect(result.submitted).toBeGreaterThanOrEqual(6);
    expect(result.inadequate).toBeGreaterThanOrEqual(2);
    expect(result.inadequateRecipients).toBeGreaterThanOrEqual(12);
    expect(result.followUps).toBe(result.submitted);
  });

  it("shows each outcome card reaching the practitioner and team manager, and a Friday evening Inadequate alert delivered at once", () => {
    const outcomes = lines.filter((l) =>
      /^ {2}Outcome card for case \w+, grade \d \([A-Za-z ]+\): received by .+ \(practitioner\) and .+ \(Team Manager/.test(l),
    );
    expect(outcomes).toHaveLength(7);
    const friday = lines.find((l) => l.startsWith("Fri 4 Dec 19:00"));
    expect(friday).toMatch(/Inadequate; the alert reaches \d+ people at 4\sDec,\s19:00, the same evening/);
    expect(friday).toMatch(/\(Practitioner\).*\(Assistant Director\)/);
    expect(result.inadequate).toBe(3);
  });

  it("moves one grade by moderation, climbs an escalation to stage 2 and sends supervision reminders", () => {
    expect(result.moderatedGradeChanges).toBe(1);
    expect(result.escalationStage).toBe(2);
    expect(result.supervisionReminders).toBeGreaterThan(0);
    expect(result.auditsByStatus.finalised).toBe(1);
    expect(result.auditsByStatus.allocated).toBe(3);
  });

  it("reports the month with the allocated count and writes the XLSX", () => {
    expect(result.report.allocated).toBe(30);
    expect(result.report.returned).toBe(result.submitted);
    expect(result.report.moderated).toBe(1);
    expect(existsSync(result.xlsx)).toBe(true);
    expect(lines.some((l) => /How much: allocated 30/.test(l))).toBe(true);
    expect(result.cardsByKind["audit-inadequate"]).toBe(result.inadequateRecipients);
    expect(lines.at(-1)).toMatch(/^Summary: audits by status/);
  });

  it("prints roles, grades and statuses in words, not as stored names", () => {
    const printed = lines.join("\n");
    expect(printed).not.toMatch(/\b[A-Z]+_[A-Z_]+\b/); // TEAM_MANAGER, HEAD_OF_SERVICE
    expect(printed).not.toMatch(/requires-improvement|\((?:inadequate|good|outstanding)\)|\bin_progress\b/);
    expect(printed).toMatch(/Team Manager, Service Manager, Head of Service/);
    expect(printed).toMatch(/grade 4 \(Requires Improvement\)/);
  });
});
