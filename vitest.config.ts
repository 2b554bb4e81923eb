import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/client drives a real Microsoft client in Chromium: `npm run test:client` (vitest.client.config.ts).
    exclude: [...configDefaults.exclude, "test/client/**"],
    globalSetup: ["test/support/globalSetup.ts"],
    setupFiles: ["test/support/cardGuard.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", ["json", { outputFile: "build/test-results.json" }]],
  },
});
