// Card validation with the official Adaptive Cards parser (the UMD build runs in Node).
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import "./chartElements";
import { CARD_SIZE_LIMIT_BYTES, cardSizeBytes, listTemplates, markCard, renderCard, templatesDir, type CardJson } from "./render";

const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js") as typeof import("adaptivecards");

export const samplesDir = path.join(templatesDir, "..", "samples");

/** Problems the official parser reports, plus Teams' limits (schema 1.5, size). */
export function cardProblems(card: CardJson): string[] {
  const problems: string[] = [];
  const ctx = new AC.SerializationContext();
  ctx.targetVersion = AC.Versions.v1_5;
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parser: ${e.message}`);
  }
  const validation = parsed.validateProperties();
  for (const e of validation.validationEvents) problems.push(`validation: ${e.message}`);
  if (card.version !== "1.5") problems.push(`version ${String(card.version)} (Teams supports 1.5)`);
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

/** Every template with every sample in cards/samples/<name>.json (an object, or an array of them). */
export function validateAllCards(): CardCheck[] {
  const out: CardCheck[] = [];
  for (const name of listTemplates()) {
    const samplePath = path.join(samplesDir, `${name}.json`);
    if (!existsSync(samplePath)) {
      out.push({ name, bytes: 0, problems: [`no sample data at cards/samples/${name}.json`] });
      continue;
    }
    const raw = JSON.parse(readFileSync(samplePath, "utf8")) as Record<string, unknown> | Record<string, unknown>[];
    const samples = Array.isArray(raw) ? raw : [raw];
    samples.forEach((sample, i) => {
      const label = samples.length > 1 ? `${name}#${i + 1}` : name;
      try {
        // Checked as the outbox sends it: marked with an outbox message id (root `id`).
        const card = markCard(renderCard(name, sample), SAMPLE_OUTBOX_ID);
        out.push({ name: label, bytes: cardSizeBytes(card), problems: cardProblems(card) });
      } catch (err) {
        out.push({ name: label, bytes: 0, problems: [`render failed: ${(err as Error).message}`] });
      }
    });
  }
  return out;
}
