// Rules every submission shares: text without control characters (PostgreSQL refuses NUL in text,
// and no one types the others), and calendar dates in a range the date code and the database
// handle. The bot applies `cardTextRules` to all card data before a route's own schema, so no
// route can forget it; `isoDay` is for date fields.
import { z } from "zod";

/** C0 control characters except tab, line feed and carriage return (which people do type). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
export const CONTROL_CHAR_MESSAGE = "Text cannot contain control characters (such as NUL). Please retype it.";

/** Adds an issue for every string (at any depth, keys included) holding a control character. */
function checkText(value: unknown, path: (string | number)[], ctx: z.RefinementCtx, depth = 0): void {
  if (typeof value === "string") {
    if (CONTROL.test(value)) ctx.addIssue({ code: "custom", message: CONTROL_CHAR_MESSAGE, path });
  } else if (value && typeof value === "object" && depth < 32) {
    for (const [k, v] of Object.entries(value)) {
      if (CONTROL.test(k)) ctx.addIssue({ code: "custom", message: CONTROL_CHAR_MESSAGE, path });
      checkText(v, [...path, Array.isArray(value) ? Number(k) : k], ctx, depth + 1);
    }
  }
}

/** Card data as a whole: refused with the path of each string that breaks the text rules. */
export const cardTextRules = z.unknown().superRefine((v, ctx) => checkText(v, [], ctx));

/** Free text of at most `max` characters. */
export const text = (max: number, message = `At most ${max} characters.`) => z.string().max(max, message);

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day (YYYY-MM-DD) between FIRST_YEAR and LAST_YEAR. */
export function isValidDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return y >= FIRST_YEAR && y <= LAST_YEAR && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export const DAY_MESSAGE = `Enter a date (YYYY-MM-DD) between ${FIRST_YEAR} and ${LAST_YEAR}.`;

/** A calendar day as YYYY-MM-DD, between FIRST_YEAR and LAST_YEAR. */
export const isoDay = (message = DAY_MESSAGE) => z.string().trim().refine(isValidDay, message);
