// Every card a test sees the bot deliver (through the fake Bot Connector) or return to an invoke
// (Action.Execute's response) is checked against the official Adaptive Cards 1.5 schema and
// parser (cards/validate.ts): a test that makes the bot send a card Teams would render wrongly
// fails, whatever it asserts itself. Each distinct card is also kept under build/cards/captured/
// so `npm run test:cards` can render every kind with Microsoft's renderer (scripts/render-cards.ts).
// Registered for every test file by vitest.config.ts (setupFiles).
import { appendFileSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { afterEach, expect } from "vitest";
import { CAPTURED_DIR } from "./capturedCards";

const pending: unknown[] = [];
const seen = new Set<string>();
/** Outside vitest (`npm run demo` uses the harness) there is no test to check cards after. */
const inVitest = !!process.env.VITEST;

/** Notes a card Teams would show; it is checked after the running test. */
export function noteCard(card: unknown): void {
  if (inVitest) pending.push(card);
}

if (inVitest)
  afterEach(async () => {
    if (!pending.length) return;
    const cards = pending.splice(0);
    // The format only: the size budget and template expressions are checked on the templates
    // (validate:cards) and by the tests that fill cards to their limits or type "${...}" themselves.
    const { cardFormatProblems } = await import("../../cards/validate");
    const testFile = path.relative(process.cwd(), expect.getState().testPath ?? "");
    const problems: string[] = [];
    const lines: string[] = [];
    for (const card of cards) {
      const json = JSON.stringify(card);
      const hash = createHash("sha1").update(json).digest("hex");
      if (seen.has(hash)) continue;
      seen.add(hash);
      lines.push(JSON.stringify({ testFile, card }));
      const p = cardFormatProblems(card as Parameters<typeof cardFormatProblems>[0]);
      if (p.length) problems.push(`a card the bot sent has problems:\n  ${p.join("\n  ")}\n  card: ${json.slice(0, 400)}…`);
    }
    if (lines.length) {
      mkdirSync(CAPTURED_DIR, { recursive: true });
      appendFileSync(path.join(CAPTURED_DIR, `${process.pid}.jsonl`), lines.join("\n") + "\n");
    }
    if (problems.length) throw new Error(problems.join("\n"));
  });
