// A real Microsoft client: the Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground,
// pinned) in front of the running service, driven in headless Chromium as a QA lead would use it:
// `help`, an Action.Execute button that refreshes its card in place, the monthly report's charts.
// The month's data comes from the demo (`npm run demo`). Screenshots: build/playground/*.png.
// Run with `npm run test:client` (too slow for `npm test`); `.ci/run` runs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { startHarness, type Harness } from "../support/harness";
import { launchChromium } from "../support/chromium";
import { ManualClock } from "../../services/clock";
import { runDemo } from "../../scripts/demo";
import { playgroundConfig } from "../../scripts/playground-config";

const OUT = path.resolve("build/playground");
const PID_FILE = path.join(OUT, "playground.pid");
const STEP_MS = 20_000; // the longest any one step may take to appear on the page

let h: Harness;
let playground: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let cards: Locator;
const pageErrors: string[] = [];

/** Starts the Playground on a free port (it picks another if its port is taken) and returns its URL. */
async function startPlayground(endpoint: string): Promise<string> {
  const config = path.join(OUT, ".m365agentsplayground.yml");
  writeFileSync(config, playgroundConfig("QA_TEAM").yml);
  const child = spawn(
    path.resolve("node_modules/.bin/agentsplayground"),
    ["-e", endpoint, "-c", "msteams", "-p", "0", "--disable-telemetry"],
    {
      cwd: OUT,
      detached: true, // its own process group, so afterAll ends it and anything it started
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: "none", // do not open a desktop browser
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: config,
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(OUT, "playground.log"),
      },
    },
  );
  playground = child;
  writeFileSync(PID_FILE, String(child.pid)); // .ci/run ends its process group if this run is killed
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Playground did not start in 30 s:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /Listening on (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}/`);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the Playground exited (${code}):\n${output}`));
    });
  });
}

function stopPlayground() {
  if (playground?.pid && playground.exitCode === null) {
    try {
      process.kill(-playground.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(PID_FILE, { force: true });
}
process.on("exit", stopPlayground);

async function send(text: string) {
  const box = page.locator("[data-lexical-editor=true]"); // the compose box under the chat
  await box.click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

async function shot(name: string, target: Page | Locator = page) {
  await target.screenshot({ path: path.join(OUT, `${name}.png`) });
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  h = await startHarness({ clock, seed: true });
  await runDemo(h, { clock, outDir: path.join(OUT, "reports-out"), print: () => undefined });
  const url = await startPlayground(h.endpoint);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(STEP_MS);
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url, { waitUntil: "domcontentloaded" });
  cards = page.locator(".ac-preview-panel > .ac-adaptiveCard");
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  stopPlayground();
  await h?.close();
});

describe("the Microsoft 365 Agents Playground, in front of Assure", () => {
  it("shows the welcome card the bot sends when the Playground installs it", async () => {
    await expect.poll(() => cards.count(), { timeout: STEP_MS }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => cards.first().innerText(), { timeout: STEP_MS }).toMatch(/Assure/);
    await shot("01-installed");
  });

  it("answers `help` with the help card", async () => {
    const before = await cards.count();
    await send("help");
    await expect.poll(() => cards.count(), { timeout: STEP_MS }).toBe(before + 1);
    await expect.poll(() => cards.last().innerText(), { timeout: STEP_MS }).toMatch(/What Assure can do for you/);
    await shot("02-help");
  });

  it("refreshes the help card in place when an Action.Execute button is pressed", async () => {
    const before = await cards.count();
    const help = cards.last();
    await help.getByRole("button", { name: "My audits", exact: true }).click();
    // The same message now shows the list: no new message, the help text gone.
    await expect.poll(() => help.innerText(), { timeout: STEP_MS }).toMatch(/^My audits/);
    expect(await help.innerText()).not.toMatch(/What Assure can do for you/);
    expect(await cards.count()).toBe(before);
    await shot("03-refreshed-in-place");
  });

  it("renders the monthly report's charts", async () => {
    const before = await cards.count();
    await send("report 2026-12");
    await expect.poll(() => cards.count(), { timeout: STEP_MS }).toBe(before + 1);
    const report = cards.last();
    await expect.poll(() => report.innerText(), { timeout: STEP_MS }).toMatch(/How much did we do\?/i);
    // Teams' chart elements: the "how much" bars and the grades donut are drawn as SVG.
    const charts = report.locator("svg");
    await expect.poll(() => charts.count(), { timeout: STEP_MS }).toBeGreaterThanOrEqual(2);
    expect(await charts.first().textContent()).toMatch(/Target.*Allocated.*Returned/);
    expect(await report.locator("svg rect, svg path").count()).toBeGreaterThan(3);
    const text = await report.innerText();
    expect(text).not.toMatch(/NaN|undefined|\$\{/);
    // A viewport taller than the card, so the Playground's header does not cover part of it.
    const box = await report.boundingBox();
    await page.setViewportSize({ width: 1280, height: Math.ceil((box?.height ?? 2000) + 400) });
    await report.scrollIntoViewIfNeeded();
    await shot("04-monthly-report", report);
    for (let i = 0; i < (await charts.count()); i++) await shot(`04-chart-${i + 1}`, charts.nth(i));
    await shot("05-page");
    expect(pageErrors).toEqual([]);
  });
});
