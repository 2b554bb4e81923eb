// The grade scales' schema (gradeScales.json): the bands a grade falls in.
import { z } from "zod";
import { text, source, slug, comment } from "./common";

export const gradeBandSchema = z
  .strictObject({
    $comment: comment,
    id: slug,
    label: text,
    value: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    rank: z.number().int().min(1),
    isGood: z.boolean(),
    isInadequate: z.boolean(),
    /** Never derived from a score alone: the grader chooses it (score must still be in min..max). */
    judgementOnly: z.boolean().optional(),
    /** A half step reported inside another band (e.g. “nearly good” within “not yet good”). */
    countsAs: slug.optional(),
    description: text.optional(),
    source,
  })
  .superRefine((b, ctx) => {
    const hasValue = b.value !== undefined;
    const hasRange = b.min !== undefined && b.max !== undefined;
    if (hasValue === hasRange || (b.min === undefined) !== (b.max === undefined)) {
      ctx.addIssue({ code: "custom", message: `band ${b.id}: give either value or min and max` });
    }
    if (hasRange && b.min! > b.max!) ctx.addIssue({ code: "custom", message: `band ${b.id}: min > max` });
    if (b.isGood && b.isInadequate) ctx.addIssue({ code: "custom", message: `band ${b.id}: cannot be good and inadequate` });
  });
export type GradeBand = z.infer<typeof gradeBandSchema>;

export const gradeScaleSchema = z
  .strictObject({
    $comment: comment,
    id: slug,
    label: text,
    source,
    /** score: the grader enters a number in scoreRange; band: the grader picks a band. */
    input: z.enum(["score", "band"]),
    scoreRange: z.strictObject({ min: z.number(), max: z.number(), step: z.number().positive() }).optional(),
    sourceText: text,
    bands: z.array(gradeBandSchema).min(2),
    inadequateBandIds: z.array(slug),
  })
  .superRefine((s, ctx) => {
    const ids = s.bands.map((b) => b.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: `scale ${s.id}: duplicate band ids` });
    const ranks = s.bands.map((b) => b.rank);
    if (new Set(ranks).size !== ranks.length) ctx.addIssue({ code: "custom", message: `scale ${s.id}: duplicate ranks` });
    if (ranks.some((r, i) => i > 0 && r <= ranks[i - 1]!)) {
      ctx.addIssue({ code: "custom", message: `scale ${s.id}: bands must be listed worst to best (rising rank)` });
    }
    for (const id of s.inadequateBandIds) {
      const b = s.bands.find((x) => x.id === id);
      if (!b || !b.isInadequate)
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: inadequate band ${id} missing or not flagged isInadequate` });
    }
    for (const b of s.bands) {
      if (b.isInadequate && !s.inadequateBandIds.includes(b.id)) {
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: band ${b.id} is inadequate but not in inadequateBandIds` });
      }
      if (b.countsAs && !ids.includes(b.countsAs))
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: ${b.id} countsAs unknown band` });
    }
    if (s.input === "score") {
      if (!s.scoreRange) {
        ctx.addIssue({ code: "custom", message: `scale ${s.id}: score input needs scoreRange` });
        return;
      }
      // Every score in range must fall in exactly one band that is not judgement-only.
      for (let v = s.scoreRange.min; v <= s.scoreRange.max; v += s.scoreRange.step) {
        const hits = s.bands.filter((b) => !b.judgementOnly && b.min !== undefined && b.max !== undefined && v >= b.min && v <= b.max);
        if (hits.length !== 1) ctx.addIssue({ code: "custom", message: `scale ${s.id}: score ${v} is in ${hits.length} bands` });
      }
    }
  });
export type GradeScale = z.infer<typeof gradeScaleSchema>;

export const gradeScalesSchema = z
  .strictObject({
    $comment: comment,
    version: z.number().int().min(1),
    defaultScaleId: slug,
    scales: z.array(gradeScaleSchema).min(1),
  })
  .superRefine((g, ctx) => {
    const ids = g.scales.map((s) => s.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "duplicate scale ids" });
    if (!ids.includes(g.defaultScaleId)) ctx.addIssue({ code: "custom", message: "defaultScaleId is not a scale" });
  });
export type GradeScales = z.infer<typeof gradeScalesSchema>;
