// A campaign's results as the "survey-results" card shows them, and the export of the same figures
// as files on the server. Suppressed groups stay suppressed here: the figures come from results.ts.
import path from "node:path";
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import type { CardData } from "../../cards/schemas/cardData";
import { campaignResults, type SurveyResults } from "./results";
import { exportResults } from "./resultsExport";
import { RUNNING_NOTE, STATE_LABELS } from "./home";

const fmt = (x: number | null) => (x === null ? "–" : x.toFixed(1));

function questionStat(r: SurveyResults, q: SurveyResults["sections"][number]["questions"][number]): string {
  if (q.n === null) return r.withheld || `not shown (fewer than ${r.minGroupSize} answered)`;
  if (q.mean !== null || q.scaleMax !== null) {
    let stat = `Mean ${fmt(q.mean)} of ${q.scaleMax} (${q.n} answered)`;
    if (q.previousMean !== null) stat += ` · before: ${fmt(q.previousMean)}`;
    if (q.changePct !== null) stat += ` · ${q.changePct > 0 ? "+" : ""}${q.changePct}%`;
    return stat;
  }
  if (q.type === "text" || q.type === "longtext") return `${q.n} written answers (listed anonymously, in random order, in the export)`;
  return q.distribution.map((d) => `${d.label}: ${d.shown}`).join(" · ");
}

export function resultsCardData(r: SurveyResults): CardData<"survey-results"> {
  const facts = [
    r.campaign.onBehalf
      ? { title: "Families surveyed", value: r.responded }
      : {
          title: "Response rate",
          value: `${r.responded} of ${r.invited}${r.responseRatePct === null ? "" : ` (${r.responseRatePct}%)`}${
            r.campaign.state === "closed" ? "" : `. ${RUNNING_NOTE(r.minGroupSize)}`
          }`,
        },
    ...(r.withheld ? [{ title: "Answers", value: r.withheld }] : []),
    {
      title: "Compared with",
      value: r.previous ? `${r.previous.title}, ${r.previous.window} (${r.previous.responses} responses)` : "no earlier survey",
    },
  ];
  return {
    campaignId: r.campaign.id,
    title: r.campaign.title,
    window: r.campaign.window,
    stateLabel: STATE_LABELS[r.campaign.state],
    facts,
    sections: r.sections.map((s) => ({ title: s.title, questions: s.questions.map((q) => ({ text: q.text, stat: questionStat(r, q) })) })),
    groups: r.groups.map((g) => ({
      label: `${g.kind === "role" ? "Role" : "Team"}: ${g.label}`,
      value: g.suppressed ? `not shown (fewer than ${r.minGroupSize})` : `${g.n} responses`,
    })),
    suppressionNote: r.suppressionNote,
  };
}

/** Writes the results as XLSX and CSV under REPORTS_DIR; returns the file names only (not where the server keeps them). */
export async function exportCampaignResults(ctx: AppContext, actor: Actor, campaignId: string): Promise<{ xlsx: string; csv: string }> {
  const files = await exportResults(await campaignResults(ctx, actor, campaignId), ctx.config.REPORTS_DIR, ctx.clock.now());
  return { xlsx: path.basename(files.xlsx), csv: path.basename(files.csv) };
}
