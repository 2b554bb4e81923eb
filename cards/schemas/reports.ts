// Data submitted by the report cards' buttons (all optional: a typed command gives its arguments as text).
import { z } from "zod";

export const reportMonthSchema = z
  .object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Give the month as YYYY-MM")
      .optional(),
    theme: z.string().max(100).optional(),
  })
  .passthrough();

export const reportQuarterSchema = z
  .object({
    quarter: z
      .string()
      .regex(/^(\d{4}-Q[1-4])?$/i, "Give the quarter as YYYY-Qn")
      .optional(),
  })
  .passthrough();
