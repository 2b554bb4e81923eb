// Submitted data of the delivery status card (it only has a Refresh button).
import { z } from "zod";

export const outboxViewSchema = z.object({}).passthrough();
