// Card validation with the official Adaptive Cards 1.5 JSON schema (element by element, see
// schemaCheck.ts) and the official Adaptive Cards parser (the UMD build runs in Node).
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import "./chartElements";
import { schemaProblems } from "./schemaCheck";
import { CARD_SIZE_LIMIT_BYTES, cardSizeBytes, listTemplates, markCard, renderCard, templatesDir, type CardJson } from "./render";

const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js") as typeof import("adaptivecards");

/** Microsoft Teams' host config (light theme): its limits, e.g. at most 6 buttons a card. */
const TEAMS_HOST_CONFIG = new AC.HostConfig(require("./vendor/microsoft-teams-light.json"));

export const samplesDir = path.join(templatesDir, "..", "samples");

/** Problems against the official schema, parser and Teams' host config, and the version Teams supports (1.5). */
export function cardFormatProblems(card: CardJson): string[] {
  const problems: string[] = schemaProblems(card).map((p) => `schema: ${p}`);
  const ctx = new AC.SerializationContext();
  ctx.targetVersion = AC.Versions.v1_5;
  const parsed = new AC.AdaptiveCard();
  parsed.hostConfig = TEAMS_HOST_CONFIG;
  parsed.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parser: ${e.message}`);
  }
  const validation = parsed.validateProperties();
  for (const e of validation.validationEvents) problems.push(`validation: ${e.message}`);
  if (card.version !== "1.5") problems.push(`version ${String(card.version)} (Teams supports 1.5)`);
  return problems;
}

/** A template's card: its format, the size budget, and every template expression expanded. */
export function cardProblems(card: CardJson): string[] {
  const problems = cardFormatProblems(card);
  const bytes = cardSizeBytes(card);
  if (bytes > CARD_SIZE_LIMIT_BYTES) problems.push(`${bytes} bytes is over the ${CARD_SIZE_LIMIT_BYTES}-byte budget`);
  const text = JSON.stringify(card);
  if (/\$\{[^}]*\}/.test(text)) problems.push("unexpanded template expression left in the card");
  return problems;
}

const SAMPLE_OUTBOX_ID = "00000000-0000-4000-8000-000000000000";

export interface CardCheck {
  name: string;
  bytes: number;
  problems: string[];
}

/** Every template expanded with every sample in cards/samples/<name>.json (an object, or an array of them). */
export function sampleCards(): { name: string; card?: CardJson; problem?: string }[] {
  const out: { name: string; card?: CardJson; problem?: string }[] = [];
  for (const name of listTemplates()) {
    const samplePath = path.join(samplesDir, `${name}.json`);
    if (!existsSync(samplePath)) {
      out.push({ name, problem: `no sample data at cards/samples/${name}.json` });
      continue;
    }
    const raw = JSON.parse(readFileSync(samplePath, "utf8")) as Record<string, unknown> | Record<string, unknown>[];
    const samples = Array.isArray(raw) ? raw : [raw];
    samples.forEach((sample, i) => {
      const label = samples.length > 1 ? `${name}#${i + 1}` : name;
      try {
        // As the outbox sends it: marked with an outbox message id (root `id`).
        out.push({ name: label, card: markCard(renderCard(name, sample), SAMPLE_OUTBOX_ID) });
      } catch (err) {
        out.push({ name: label, problem: `render failed: ${(err as Error).message}` });
      }
    });
  }
  return out;
}

/** Every template with every sample, checked. */
export function validateAllCards(): CardCheck[] {
  return sampleCards().map(({ name, card, problem }) =>
    card ? { name, bytes: cardSizeBytes(card), problems: cardProblems(card) } : { name, bytes: 0, problems: [problem ?? "no card"] },
  );
}
