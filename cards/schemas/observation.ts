// Submitted data of the practice observation cards. Ids in card data only name the observation;
// who acts always comes from the authenticated activity. Lenient where the card is re-shown with
// what was typed; the service checks the rules and says which field needs attention.
import { z } from "zod";

const observationId = z.string().uuid("This card does not name a valid observation.");
const optional = (max: number) => z.string().max(max).optional();

export const observationRefSchema = z.object({ observationId });

export const scheduleSchema = z.object({
  requiredId: z.union([z.literal(""), z.string().uuid()]).optional(),
  practitionerId: optional(64),
  observerId: optional(64),
  process: optional(40),
  date: optional(20),
  caseRef: optional(40),
});

export const proposeSchema = z.object({
  observationId,
  proposedDate: z.string().max(20).optional().default(""),
  note: z.string().max(2000).optional().default(""),
});

/** Moving the date (newDate) or cancelling, with the reason the practitioner is told. */
export const changeSchema = z.object({
  observationId,
  newDate: z.string().max(20).optional().default(""),
  reason: z.string().max(2000).optional().default(""),
});

/** The Practice Observation form: theme_<id>, seen_<id>, band, strengths, toDevelop, actions. */
export const observationFormSchema = z.object({ observationId }).catchall(z.string().max(5000));

export const reflectSchema = z.object({ observationId, reflection: z.string().max(5000).optional().default("") });
