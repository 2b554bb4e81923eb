// What every catalogue schema is built from: the roles, and the shapes of sourced text.
import { z } from "zod";

import { ROLES } from "../directory/roles";

export { ROLES };
export const role = z.enum(ROLES);

export const text = z.string().min(1);
export const source = z.string().min(1);
export const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
export const comment = z.string().optional();
export const anchors = z.record(z.string().regex(/^(?:10|[0-9])$/), text);
export const idText = z.strictObject({ id: slug, text });
export const sourcedText = z.strictObject({ text, source });
