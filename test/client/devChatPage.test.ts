// The local chat page (/dev/chat) in headless Chromium, as a new user meets it on an evening: replies
// pushed at once, a card refreshed in place stays refreshed after switching person, quiet hours
// said on the page and in the card with a way to deliver now, card inputs in the page's font,
// dropdowns with a placeholder, no console warnings. Screenshots: build/devchat/*.png.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { useChromiumPage, useHarness } from "../support/hooks";
import { ManualClock } from "../../services/clock";

const OUT = path.resolve("build/devchat");
const STEP_MS = 15_000;
// Friday 4 December 2026, 19:30 in London: quiet hours hold proactive cards until Monday 08:00.
const clock = new ManualClock("2026-12-04T19:30:00Z");
let page: Page;
const consoleMessages: string[] = [];

// Run in the page (this project's TypeScript has no DOM types, so the browser's globals are typed here).
interface PageGlobals {
  getComputedStyle(e: unknown): { fontFamily: string };
  document: { querySelectorAll(selector: string): { length: number } };
}
// Serialised into the page: they may use only the page's globals.
const fontFamilies = (els: unknown[]) => els.map((e) => (globalThis as unknown as PageGlobals).getComputedStyle(e).fontFamily);
const selectedTexts = (els: unknown[]) => els.map((e) => (e as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text ?? "");

const replies = () => page.locator("#log .msg:not(.me)");
const shot = (name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`) });

async function chatAs(name: string) {
  const value = await page.locator("#who option", { hasText: name }).first().getAttribute("value");
  await page.locator("#who").selectOption(value!);
}

/** Types a command; returns how long the reply took to appear. */
async function send(text: string): Promise<number> {
  const n = await replies().count();
  const t0 = Date.now();
  await page.fill("#text", text);
  await page.press("#text", "Enter");
  await page.waitForFunction((k) => (globalThis as unknown as PageGlobals).document.querySelectorAll("#log .msg:not(.me)").length > k, n, {
    timeout: STEP_MS,
  });
  return Date.now() - t0;
}

const h = useHarness({ clock, env: { DEV_CHAT: "true", NODE_ENV: "development" } });
useChromiumPage({ width: 1200, height: 1000, stepMs: STEP_MS }, (p) => {
  page = p;
});
beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  page.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") consoleMessages.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleMessages.push(`pageerror: ${e.message}`));
  await page.goto(`${h.service.url}/dev/chat`);
  await page.locator("#who option").first().waitFor({ state: "attached" });
  await chatAs("Zara Khan"); // Head of QA
}, 120_000);

describe("the local chat page", () => {
  it("shows each reply as soon as the bot sends it (pushed, not polled once a second)", async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await send("my audits"));
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(700); // the median; polling once a second gave 938–1401 ms
  });

  it("keeps a card refreshed in place when you switch person and back", async () => {
    await send("help");
    const help = replies().last();
    await help.getByRole("button", { name: "My audits", exact: true }).click();
    await expect.poll(() => help.innerText(), { timeout: STEP_MS }).toMatch(/^My audits/);
    const count = await replies().count();
    await chatAs("Dev Dawson");
    await chatAs("Zara Khan");
    await expect.poll(() => replies().count(), { timeout: STEP_MS }).toBe(count);
    expect(await replies().last().innerText()).toMatch(/^My audits/);
    expect(await replies().last().innerText()).not.toMatch(/What Assure can do for you/);
    await shot("1-refreshed-card-after-switching");
  });

  it("says on the page and in the card that quiet hours hold the cards, until when, and delivers them on request", async () => {
    await send("allocate");
    const form = replies().last();
    // The card's inputs use the page's font (a browser's default for text areas is monospace).
    const fonts = (await form.locator("input, select, textarea").evaluateAll(fontFamilies)) as string[];
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f).toMatch(/Segoe UI/);
    await form.locator("input[type=number]").fill("4");
    await form.getByRole("button", { name: "Allocate", exact: true }).click();
    await expect.poll(() => form.innerText(), { timeout: STEP_MS }).toMatch(/held until Mon 7 Dec, 08:00/);
    const banner = page.locator("#held");
    await expect.poll(() => banner.isVisible(), { timeout: STEP_MS }).toBe(true);
    expect(await banner.innerText()).toMatch(/cards are held until Mon 7 Dec, 08:00/);
    await form.scrollIntoViewIfNeeded();
    await shot("2-held-by-quiet-hours");
    await banner.getByRole("button", { name: "Deliver now" }).click();
    await expect.poll(() => banner.isVisible(), { timeout: STEP_MS }).toBe(false);
    expect(((await (await fetch(`${h.service.url}/dev/held`)).json()) as { count: number }).count).toBe(0);
  });

  it("shows the practitioner's self-assessment with placeholders in its dropdowns and text boxes in the page's font", async () => {
    const audit = (await h.db.audit.findMany({ where: { cycle: { month: { not: "" } } }, orderBy: { allocatedAt: "desc" } }))[0]!;
    const practitioner = await h.db.staff.findUniqueOrThrow({ where: { id: audit.practitionerId } });
    await chatAs(practitioner.name);
    await send("self assessment");
    const card = replies().last();
    const shown = (await card.locator("select").evaluateAll(selectedTexts)) as string[];
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) expect(s).toBe("Choose…");
    const fonts = (await card.locator("textarea").evaluateAll(fontFamilies)) as string[];
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f).toMatch(/Segoe UI/);
    await card.locator("select").first().scrollIntoViewIfNeeded();
    await shot("3-self-assessment");
  });

  it("logs no warnings or errors in the browser console", () => {
    expect(consoleMessages.filter((m) => !/favicon|Failed to load resource/.test(m))).toEqual([]);
  });
});
