// Where the test run keeps every distinct card the bot sent (test/support/cardGuard.ts), one JSON
// line { testFile, card } each, for `npm run test:cards` (scripts/render-cards.ts).
import path from "node:path";

export const CAPTURED_DIR = path.join(import.meta.dirname, "..", "..", "build", "cards", "captured");
