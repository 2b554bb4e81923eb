// `npm run validate:cards`: expands every template in cards/templates with its sample data in
// cards/samples and checks it against the official Adaptive Cards 1.5 JSON schema (each element
// against its own definition) and with the official `adaptivecards` parser (no errors, no warnings),
// the schema version Teams supports (1.5) and the size budget. Exits non-zero on any problem.
import { validateAllCards } from "../cards/validate";

const results = validateAllCards();
let bad = 0;
for (const r of results) {
  const status = r.problems.length ? "FAIL" : "ok  ";
  console.log(`${status} ${r.name.padEnd(32)} ${String(r.bytes).padStart(6)} bytes`);
  for (const p of r.problems) console.log(`     - ${p}`);
  if (r.problems.length) bad++;
}
const largest = results.reduce((m, r) => Math.max(m, r.bytes), 0);
console.log(`${results.length} cards, ${bad} with problems, largest ${largest} bytes`);
process.exit(bad ? 1 : 0);
