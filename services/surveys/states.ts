// A survey campaign's life: open (taking answers within its window) until closed, by the QA team
// or by the job at its closing time. Whether it has opened yet is a matter of its dates, not a
// status: `campaignState` gives what a reader sees (scheduled, open, closed).
import { byName, defineMachine } from "../stateMachine";

export const campaignMachine = defineMachine("survey_campaign", ["open", "closed"], {
  /** No more answers; the held answers are released to the results. */
  close: "open -> closed",
});
export type CampaignStatus = (typeof campaignMachine.statuses)[number];
/** The statuses by name, for readers (results, reports, queries). */
export const CampaignStatus = byName(campaignMachine);

export type CampaignState = "scheduled" | "open" | "closed";

/** What a reader sees: closed once closed or past its closing time, scheduled before it opens. */
export function campaignState(c: { status: string; opensAt: Date; closesAt: Date }, now: Date): CampaignState {
  if (c.status === CampaignStatus.closed || now >= c.closesAt) return "closed";
  return now < c.opensAt ? "scheduled" : "open";
}
