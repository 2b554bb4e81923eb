// `npm run test:client`: the checks in headless Chromium (test/client/): the round trip through a
// real Microsoft client (the Agents Playground) and the local chat page, too slow for `npm test`.
// One file at a time; every step has its own bounded timeout.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/client/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    teardownTimeout: 30_000,
    pool: "forks",
    maxWorkers: 1,
    reporters: ["default", ["json", { outputFile: "build/client-test-results.json" }]],
  },
});
