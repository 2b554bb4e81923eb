// Submitted data of the audit cards. Page inputs are checked by the page's own field rules
// (services/audit/fields.ts) so an invalid page comes back with the errors and the user's input.
import { z } from "zod";

const id = z.string().uuid("not a valid id");
const version = z.coerce.number().int().min(0);

export const auditRefSchema = z.object({ auditId: id }).passthrough();
export const auditOpenSchema = z.object({ auditId: id, page: z.string().max(40).optional() }).passthrough();
export const auditPageSchema = z
  .object({
    auditId: id,
    page: z.string().min(1).max(40),
    version,
    nav: z.enum(["next", "back", "close", "stay", "another"]).default("stay"),
  })
  .passthrough();
export const auditSubmitSchema = z.object({ auditId: id, version }).passthrough();
export const actionDoneSchema = z.object({ actionId: id, note: z.string().max(2000).optional() }).passthrough();
