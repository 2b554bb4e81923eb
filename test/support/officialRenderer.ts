// Cards as a person sees them in Teams: Microsoft's `adaptivecards` renderer (the one Teams' web and
// desktop clients use) in headless Chromium, with the Microsoft Teams light host config, on a
// 560 px wide card. Each card is parsed, rendered and checked for what a reader would notice:
// - a FactSet value that shows nothing (the renderer drops a value that is not a string);
// - an input that does not show the value the card was sent with (e.g. an Input.Number value sent
//   as a string, a ChoiceSet value that is not one of its choices);
// - a button the renderer's own input validation blocks in the state the card is sent (a blank
//   optional Input.Number with min/max is "invalid", and blocks every button on the card);
// - visible "NaN", "undefined", "[object Object]", template expressions, raw ids and enum names.
// A PNG of a card can be written (build/cards/) so a reviewer can look at it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { Role } from "../../generated/prisma/enums";

const require = createRequire(import.meta.url);
const AC_SCRIPT = readFileSync(require.resolve("adaptivecards/dist/adaptivecards.min.js"), "utf8");
/** The checks, run in the page (browser JavaScript): window.checkCard(card, rawWords). */
const CHECK_SCRIPT = readFileSync(new URL("./cardCheckPage.js", import.meta.url), "utf8");
const HOST_CONFIG = JSON.parse(readFileSync(new URL("../../cards/vendor/microsoft-teams-light.json", import.meta.url), "utf8")) as unknown;
const GRADE_SCALES = JSON.parse(readFileSync(new URL("../../services/catalogue/gradeScales.json", import.meta.url), "utf8")) as unknown;

/** Debian's Chromium, as `.ci/run` installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Teams shows a card in a chat up to about this width. */
export const CARD_WIDTH_PX = 560;

/** Words that are never text for a person: enum names and ids of the domain. */
function rawWords(): string[] {
  const ids = new Set<string>(Object.values(Role).filter((r) => r.includes("_"))); // IRO is also the word people use
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    // Band ids such as requires-improvement (the labels are what people read).
    if (Array.isArray(o.bands))
      for (const b of o.bands as { id?: unknown }[]) if (typeof b.id === "string" && b.id.includes("-")) ids.add(b.id);
    Object.values(o).forEach(walk);
  };
  walk(GRADE_SCALES);
  return [...ids];
}

export interface CardToRender {
  name: string;
  card: unknown;
  /** Write a screenshot of the rendered card here. */
  png?: string;
}

export interface RenderResult {
  name: string;
  problems: string[];
  heightPx: number;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 12px; background: #f5f5f5; font-family: "Segoe UI", system-ui, sans-serif; }
#card { width: ${CARD_WIDTH_PX}px; background: #fff; border: 1px solid #e1dfdd; border-radius: 4px; }
/* Teams' buttons: semibold 14 px text, 12 px side padding, 32 px high. */
.ac-pushButton { font: 600 14px "Segoe UI", system-ui, sans-serif; padding: 0 12px; min-height: 32px; border: 1px solid #e1dfdd; border-radius: 4px; background: #fff; color: #242424; }
</style></head><body><div id="card"></div></body></html>`;

interface PageApi {
  checkCard(card: unknown, rawWords: readonly string[]): { problems: string[]; heightPx: number };
}

async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: CARD_WIDTH_PX + 40, height: 800 } });
  await page.setContent(PAGE);
  // tsx and vitest compile functions with esbuild's keepNames, which calls __name inside them.
  await page.addScriptTag({ content: AC_SCRIPT });
  await page.addScriptTag({ content: `window.hostConfig = ${JSON.stringify(HOST_CONFIG)};\n${CHECK_SCRIPT}` });
  return page;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
}

/** Renders every card (one browser, a few pages in parallel) and reports what a reader would notice. */
export async function renderCards(cards: CardToRender[], opts: { pages?: number } = {}): Promise<RenderResult[]> {
  const browser = await launchChromium();
  try {
    const words = rawWords();
    const results: RenderResult[] = new Array(cards.length);
    // Cards without a screenshot go to the page in batches (one round trip each); the others one by one.
    const tasks: number[][] = [];
    let batch: number[] = [];
    cards.forEach((c, i) => {
      if (c.png) return tasks.push([i]);
      batch.push(i);
      if (batch.length === 25) {
        tasks.push(batch);
        batch = [];
      }
    });
    if (batch.length) tasks.push(batch);
    const worker = async () => {
      const page = await newPage(browser);
      for (let task = tasks.shift(); task; task = tasks.shift()) {
        const checked = await page.evaluate(
          ([batchCards, rawWords]) => batchCards.map((card) => (globalThis as unknown as PageApi).checkCard(card, rawWords)),
          [task.map((i) => cards[i]!.card), words] as const,
        );
        task.forEach((i, k) => (results[i] = { name: cards[i]!.name, ...checked[k]! }));
        const png = task.length === 1 ? cards[task[0]!]!.png : undefined;
        if (png) await page.locator("#card").screenshot({ path: png });
      }
      await page.close();
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.pages ?? 2, tasks.length)) }, worker));
    return results;
  } finally {
    await browser.close();
  }
}
