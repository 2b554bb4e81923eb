// Per-file setup in one place: start what a test file needs before its tests (beforeAll), close it
// after them (afterAll), and hand the file a stand-in that forwards to it once it is up, so
// module-level helpers can name it as a constant.
import { afterAll, beforeAll } from "vitest";
import type { Page } from "playwright-core";
import { createPrisma, type Db } from "../../services/db";
import { launchChromium } from "./chromium";
import { startHarness, type Harness, type HarnessOptions } from "./harness";
import { createTestDatabase, type TestDatabase } from "./testDb";

/** A stand-in for an object made later: every property read goes to the object once `get` returns it. */
export function standIn<T extends object>(what: string, get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, prop) {
      const target = get();
      if (!target) throw new Error(`${what} is used before it was started`);
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** One service under test for this file: started before its tests, then `setup`; closed after them. */
export function useHarness(opts: HarnessOptions = {}, setup?: (h: Harness) => Promise<void>, timeout?: number): Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness(opts);
    await setup?.(h);
  }, timeout);
  afterAll(async () => {
    await h?.close();
  });
  return standIn("the harness", () => h);
}

/**
 * One fresh database and a Prisma client on it for this file (no service), handed to `opened`
 * before the tests (the client itself: services/db.ts keys its SQL pool on it).
 */
export function useDatabase(opened: (db: Db, url: string) => void, opts: { seed?: boolean; connections?: number } = {}): void {
  let tdb: TestDatabase | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    tdb = await createTestDatabase({ seed: opts.seed ?? false });
    db = createPrisma(tdb.url, opts.connections ?? 2);
    opened(db, tdb.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await tdb?.drop();
  });
}

/** Headless Chromium with one page for this file, handed to `opened` before the tests; closed after them. */
export function useChromiumPage(o: { width: number; height: number; stepMs: number }, opened: (page: Page) => void | Promise<void>): void {
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: o.width, height: o.height } });
    page.setDefaultTimeout(o.stepMs);
    await opened(page);
  });
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
  });
}
