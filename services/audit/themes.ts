// Monthly audit themes (services/catalogue/auditThemes.json, wording from the 2017 “Audit at a glance” reports). A theme is
// recorded on the audit cycle and may narrow the sample to the plan types the source names.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { PlanType } from "../../generated/prisma/enums";
import { ValidationFailed } from "../errors";

const PLAN_TYPES = ["EARLY_HELP", "CHILD_IN_NEED", "CHILD_PROTECTION", "CHILD_LOOKED_AFTER", "CARE_LEAVER", "CONTACT"] as const;
const planType = z.enum(PLAN_TYPES);

const themesSchema = z.strictObject({
  $comment: z.string().optional(),
  planTypes: z.record(planType, z.string().min(1)),
  themes: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
      label: z.string().min(1),
      source: z.string().min(1),
      focus: z.array(z.string().min(1)).min(1),
      planTypes: z.array(planType),
      sampleNote: z.string().min(1),
    }),
  ),
});
export type AuditThemes = z.infer<typeof themesSchema>;
export type AuditTheme = AuditThemes["themes"][number];

let cached: AuditThemes | undefined;
export function loadAuditThemes(): AuditThemes {
  if (!cached) {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "catalogue", "auditThemes.json");
    cached = themesSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  }
  return cached;
}

export function planTypeLabel(p: PlanType | string): string {
  return (loadAuditThemes().planTypes as Record<string, string>)[p] ?? p;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[’']/g, "")
    .replace(/&/g, " ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** "" → no theme; otherwise the theme by id or by label ("children's plans", "Safeguarding & risk"). */
export function resolveTheme(input: string | undefined | null): AuditTheme | null {
  const raw = (input ?? "").trim();
  if (!raw || raw === "none") return null;
  const key = norm(raw);
  const t = loadAuditThemes().themes.find((x) => x.id === key || norm(x.label) === key);
  if (!t) {
    const known = loadAuditThemes()
      .themes.map((x) => x.id)
      .join(", ");
    throw new ValidationFailed(`"${raw.slice(0, 60)}" is not a known audit theme.`, { theme: `Choose one of: ${known}, or none.` });
  }
  return t;
}
