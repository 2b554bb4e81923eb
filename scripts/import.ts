// `npm run import -- staff.csv [cases.csv]`: import the directory from CSV. The kind of file is
// told by its header (email,… = staff; case_ref,… = cases). All-or-nothing per file; errors name
// the row.
import { readFileSync } from "node:fs";
import { importCasesCsv, importStaffCsv } from "../services/directory/import";
import { ValidationFailed } from "../services/errors";
import { runCli } from "./cli";

const files = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  console.error("usage: npm run import -- staff.csv [cases.csv]");
  process.exit(2);
}
await runCli(async ({ db }) => {
  let code = 0;
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const header = text.split(/\r?\n/, 1)[0]!.toLowerCase();
    const kind = header.includes("case_ref") ? "cases" : "staff";
    try {
      const r = kind === "cases" ? await importCasesCsv(db, text) : await importStaffCsv(db, text);
      console.log(`${f}: ${kind}: ${r.created} created, ${r.updated} updated`);
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      console.error(`${f}: ${err.message}`);
      code = 1;
    }
  }
  return code;
});
