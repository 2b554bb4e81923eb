// The Home tab opened outside Teams on a development server: the page offers the same "act as"
// choice as the local chat page, and shows the chosen person's work (no token, no tenant needed).
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useChromiumPage, useHarness } from "../support/hooks";

const h = useHarness({ env: { NODE_ENV: "development", DEV_CHAT: "true" } });
let page: Page;
useChromiumPage({ width: 900, height: 800, stepMs: 15_000 }, (p) => {
  page = p;
});

describe("the Home tab outside Teams (development)", () => {
  it("acts as the person chosen, in the theme asked for", async () => {
    await page.goto(`${h.service.url}/tab?theme=dark`);
    await page.locator("#actas-select option").first().waitFor({ state: "attached" });
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { dataset: { theme: string } } } }).document.documentElement.dataset
            .theme,
      ),
    ).toBe("dark");
    const qa = (await h.staffWithRole("QA_TEAM"))[0]!;
    await page.locator("#actas-select").selectOption(qa.aadObjectId!);
    await expect.poll(() => page.locator("#who").innerText()).toMatch(new RegExp(`^${qa.name} · All teams`));
    expect(await page.locator("#tab-dashboard").isVisible()).toBe(true);
    const worker = await h.one("PRACTITIONER", "CIN");
    await page.locator("#actas-select").selectOption(worker.aadObjectId!);
    await expect.poll(() => page.locator("#who").innerText()).toBe(worker.name);
    expect(await page.locator("#views").isHidden()).toBe(true);
    expect(await page.locator("#waiting h2").innerText()).toMatch(/wait/);
  }, 120_000);
});
