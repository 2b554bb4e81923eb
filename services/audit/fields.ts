// A page of a form as data: the fields a card shows and the rules its answers must meet. The card
// template (cards/templates/audit-page.json) draws any list of these; `validateFields` checks a
// submission against the same list, so what the user sees and what the server accepts cannot drift.
import { DAY_MESSAGE, isValidDay } from "../../cards/schemas/common";
import { onlyChoices } from "../../cards/schemas/cardData";

export type FieldKind = "heading" | "info" | "text" | "multiline" | "number" | "choice" | "date" | "toggle";

export interface FieldDef {
  kind: FieldKind;
  /** Input id (also the key in submitted data). Headings and info lines use a display id. */
  id: string;
  label: string;
  /** Smaller text under a heading (e.g. "Auditor only" or the suggested scaling question). */
  note?: string;
  maxLength?: number;
  min?: number;
  max?: number;
  step?: number;
  choices?: { title: string; value: string }[];
}

/** What the card template receives for one field. */
export interface FieldView extends FieldDef {
  value: string;
  error: string;
  hasValue: boolean;
  /** The value as a number, for number inputs (null when empty or not a number). */
  num: number | null;
  choices: { title: string; value: string }[];
  note: string;
}

export type FieldValues = Record<string, string>;

/**
 * The 0–10 scale as one compact dropdown wherever it is asked (audit areas, moderation, family
 * feedback, self-assessment): a blank optional number box blocks every button on a Teams card.
 * Anchors label the ends ("0 – not at all").
 */
export function zeroToTen(anchors: Record<string, string> = {}): { title: string; value: string }[] {
  return Array.from({ length: 11 }, (_, n) => ({
    title: anchors[String(n)] ? `${n} – ${anchors[String(n)]}` : String(n),
    value: String(n),
  }));
}

const INPUT_KINDS: FieldKind[] = ["text", "multiline", "number", "choice", "date", "toggle"];
export const isInput = (f: FieldDef) => INPUT_KINDS.includes(f.kind);

/** Submitted values arrive as strings (Teams) or numbers/booleans (other clients): normalise. */
export function rawString(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * Checks every input of a page. Returns the cleaned values (trimmed strings, "" for empty) and the
 * errors by field id; an empty error map means the whole page may be saved.
 */
export function validateFields(defs: FieldDef[], data: Record<string, unknown>): { values: FieldValues; errors: Record<string, string> } {
  const values: FieldValues = {};
  const errors: Record<string, string> = {};
  for (const f of defs.filter(isInput)) {
    const raw = rawString(data[f.id]);
    const v = f.kind === "multiline" || f.kind === "text" ? raw.replace(/\r\n/g, "\n") : raw.trim();
    values[f.id] = v;
    if (v.trim() === "") {
      values[f.id] = "";
      continue;
    }
    switch (f.kind) {
      case "text":
      case "multiline":
        if (f.maxLength !== undefined && v.length > f.maxLength) {
          errors[f.id] = `At most ${f.maxLength} characters, please (this has ${v.length}).`;
        }
        break;
      case "number": {
        const n = Number(v);
        const step = f.step ?? 1;
        const k = (n - (f.min ?? 0)) / step;
        const onStep = Number.isFinite(k) && Math.abs(k - Math.round(k)) < 1e-9;
        if (!Number.isFinite(n) || (f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max) || !onStep) {
          errors[f.id] = `Enter a number from ${f.min ?? 0} to ${f.max ?? ""}${step !== 1 ? ` in steps of ${step}` : " (whole numbers)"}.`;
        } else values[f.id] = String(n);
        break;
      }
      case "choice":
        if (!(f.choices ?? []).some((c) => c.value === v)) errors[f.id] = "Choose one of the options shown.";
        break;
      case "date":
        if (!isValidDay(v)) errors[f.id] = DAY_MESSAGE;
        break;
      case "toggle":
        values[f.id] = v === "true" ? "true" : "false";
        break;
      default:
        break;
    }
  }
  return { values, errors };
}

/** Field definitions + stored values (+ the user's rejected input and its errors) → card data. */
export function fieldViews(defs: FieldDef[], stored: FieldValues, input?: FieldValues, errors: Record<string, string> = {}): FieldView[] {
  return defs.map((f) => {
    const typed = input && f.id in input ? input[f.id]! : (stored[f.id] ?? "");
    const value = f.kind === "choice" ? onlyChoices(typed, f.choices ?? []) : typed;
    return {
      ...f,
      note: f.note ?? "",
      choices: f.choices ?? [],
      value,
      hasValue: value !== "",
      num: value !== "" && Number.isFinite(Number(value)) ? Number(value) : null,
      error: errors[f.id] ?? "",
      maxLength: f.maxLength,
    };
  });
}
