// Valid answers to each page of the audit form (services/audit/form.ts), from the audit tool in the
// catalogue: what the end-to-end tests, `npm run demo` and `npm run bench:actions` send as an
// auditor completing an audit through the bot.
import { loadAuditTool } from "../../services/catalogue";
import { inputOf } from "./harness";

export interface SampleAudit {
  /** The score of every area on the page, or a score by area number (default "7"). */
  score?: string | ((area: number) => string);
  /** The evidence noted for each area (default "direct work uploaded 01/04/19"). */
  evidence?: string;
  /** Strengths, areas to develop and the auditor's rationale typed for some areas (by number). */
  areaTexts?: Record<number, { strengths?: string; develop?: string; rationale?: string }>;
  /** Whether the child's feedback was obtained (default: not, for want of consent). */
  childFeedback?: boolean;
  /** The family's answer to "the worker listens" (default "8"). */
  familyListens?: string;
  /** The outcome page: grade (default "6"), a judgement where the grade needs one, the overall impact and actions. */
  grade?: string;
  judgement?: string;
  overallImpact?: string;
  actions?: { what: string; who: string; when: string; immediate?: boolean }[];
}

/** Valid answers for `page` of the audit form, shown by `card` (the areas it asks about). */
export function auditPageAnswers(card: unknown, page: string, o: SampleAudit = {}): Record<string, unknown> {
  const tool = loadAuditTool();
  const data: Record<string, unknown> = {};
  if (page === "health") for (const i of tool.caseFileHealthCheck.items) data[`hc_${i.id}`] = "Yes";
  if (page.startsWith("areas-"))
    for (const a of tool.areas) {
      if (!inputOf(card, `a${a.number}_score`)) continue;
      data[`a${a.number}_score`] = typeof o.score === "function" ? o.score(a.number) : (o.score ?? "7");
      data[`a${a.number}_evidence`] = o.evidence ?? "direct work uploaded 01/04/19";
      for (const [k, v] of Object.entries(o.areaTexts?.[a.number] ?? {})) data[`a${a.number}_${k}`] = v;
    }
  if (page === "feedback-child")
    Object.assign(data, o.childFeedback ? { "child-obtained": "yes" } : { "child-obtained": "no", "child-not-obtained-why": "no-consent" });
  if (page === "feedback-family")
    Object.assign(data, { "family-obtained": "yes", "fs-listens": o.familyListens ?? "8", "family-going-well": "Worker listens" });
  if (page === "feedback-network") Object.assign(data, { "network-obtained": "no", "network-not-obtained-why": "unreachable" });
  if (page === "outcome") {
    Object.assign(data, {
      grade: o.grade ?? "6",
      childrenBenefit: "yes",
      childUnsafe: "no",
      overallImpact: o.overallImpact ?? "Child is safer at home",
    });
    if (o.judgement) data.gradeJudgement = o.judgement;
    (o.actions ?? []).forEach((a, i) => {
      data[`act${i + 1}_what`] = a.what;
      data[`act${i + 1}_who`] = a.who;
      data[`act${i + 1}_when`] = a.when;
      data[`act${i + 1}_immediate`] = a.immediate ? "true" : "false";
    });
  }
  return data;
}
