// Submitted data of the supervision cards. Values are checked again (with field messages) by the service.
import { z } from "zod";

const field = z
  .union([z.string(), z.number()])
  .optional()
  .transform((v) => (v === undefined ? undefined : String(v).slice(0, 40)));

export const sessionRefSchema = z.object({ sessionId: z.string().uuid() }).passthrough();

export const sessionFormSchema = z
  .object({
    sessionId: z.string().uuid(),
    heldOn: field,
    durationMinutes: field,
    kind: field,
    newDate: field,
  })
  .passthrough();

/** The audit actions ticked as reviewed on the session card (toggles "reviewed_<action id>"). */
export function reviewedActionIds(d: Record<string, unknown>): string[] {
  return Object.entries(d)
    .flatMap(([k, v]) => {
      const m = /^reviewed_([0-9a-f-]{36})$/.exec(k);
      return m && v === "true" ? [m[1]!] : [];
    })
    .slice(0, 20);
}
