// Demo seed: the example directory (≈60 staff across 6 teams, 300 cases). Idempotent.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../services/db";
import { importCasesCsv, importStaffCsv } from "../services/directory/import";

export const seedDataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "seed-data");

export async function seedDemo(db: Db, opts: { onlyIfEmpty?: boolean } = {}) {
  if (opts.onlyIfEmpty && (await db.staff.count()) > 0) return { skipped: true as const };
  const staff = await importStaffCsv(db, readFileSync(path.join(seedDataDir, "staff.csv"), "utf8"));
  const cases = await importCasesCsv(db, readFileSync(path.join(seedDataDir, "cases.csv"), "utf8"));
  return { skipped: false as const, staff, cases };
}
