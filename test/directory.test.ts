// Directory import: the CSV importer against the real database.
import { describe, expect, it } from "vitest";
import { useDatabase } from "./support/hooks";
import type { Db } from "../services/db";
import { importCasesCsv, importStaffCsv } from "../services/directory/import";
import { seedDemo } from "../prisma/seed";
import { ValidationFailed } from "../services/errors";

let db: Db;
useDatabase((opened) => (db = opened));

const header = "email,name,job_title,roles,team_id,team_name,service_area,line_manager_email,start_date,nqsw,case_holding,aad_object_id";

describe("directory import", () => {
  it("imports the example directory, and a re-import changes nothing", async () => {
    const first = await seedDemo(db);
    expect(first.skipped).toBe(false);
    expect(await db.staff.count()).toBe(60);
    expect(await db.case.count()).toBe(300);
    expect(await db.team.count()).toBe(8);
    const again = await seedDemo(db);
    expect(again).toMatchObject({ staff: { created: 0, updated: 60 }, cases: { created: 0, updated: 300 } });
    expect(await db.case.count()).toBe(300);
    const nqsw = await db.staff.count({ where: { isNqsw: true } });
    expect(nqsw).toBe(6);
    const tm = await db.staff.findFirst({ where: { roles: { has: "PRACTITIONER" }, teamId: "CP" }, include: { lineManager: true } });
    expect(tm?.lineManager?.roles).toContain("TEAM_MANAGER");
  });

  it("reports invalid rows by number and imports nothing", async () => {
    const before = await db.staff.count();
    const csv = [
      header,
      "new.person@council.example,New Person,SW,PRACTITIONER,CP,,,,,no,yes,",
      "not-an-email,X,SW,WIZARD,CP,,,,2026-13-01,maybe,yes,",
    ].join("\n");
    const err = await importStaffCsv(db, csv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationFailed);
    expect((err as ValidationFailed).message).toMatch(/row 3/);
    expect((err as ValidationFailed).message).not.toMatch(/row 2/);
    expect(await db.staff.count()).toBe(before);
  });

  it("refuses a file without the required columns", async () => {
    await expect(importStaffCsv(db, "email,name\na@b.example,A\n")).rejects.toThrow(/missing column\(s\): roles/);
  });

  it("refuses a case reference that looks like a name, and unknown teams", async () => {
    const bad = "case_ref,team_id,worker_email,plan_type,opened_on\nJane Smith,CP,,CHILD_PROTECTION,\nLL999999,NOPE,,CHILD_PROTECTION,\n";
    const err = (await importCasesCsv(db, bad).catch((e: unknown) => e)) as ValidationFailed;
    expect(err.message).toMatch(/row 2: case_ref: must be a case-management ID/);
    const unknownTeam = (await importCasesCsv(
      db,
      "case_ref,team_id,worker_email,plan_type,opened_on\nLL999999,NOPE,,CHILD_PROTECTION,\n",
    ).catch((e: unknown) => e)) as ValidationFailed;
    expect(unknownTeam.message).toMatch(/team NOPE is unknown/);
    expect(await db.case.count({ where: { caseRef: "LL999999" } })).toBe(0);
  });
});
