// `tsx scripts/survey.ts <command>`: the QA team's survey campaigns from the command line.
//
//   open  --template health-check --opens 2026-12-01 --closes 2026-12-21 --by qa@council.example
//         [--audience all|practitioners|managers|starters|team:CP,...] [--remind-every 7] [--title "…"]
//   close <campaignId> --by qa@council.example
//   list  --by qa@council.example
//
// --by names the member of staff acting (they need the survey.manage capability, like on the card).
import { systemClock } from "../services/clock";
import { DomainError, ValidationFailed } from "../services/errors";
import { closeCampaign, endOfLocalDay, listCampaigns, openCampaign, parseAudience, startOfLocalDay } from "../services/surveys/campaigns";
import { actorByEmail, flag, runCli } from "./cli";

const argv = process.argv.slice(2);
const command = argv[0];
const usage = () => {
  console.error(
    "usage: tsx scripts/survey.ts open --template <id> --opens YYYY-MM-DD --closes YYYY-MM-DD --by <email> [--audience all] [--remind-every 7]\n" +
      "       tsx scripts/survey.ts close <campaignId> --by <email>\n" +
      "       tsx scripts/survey.ts list --by <email>",
  );
  process.exit(2);
};
if (!command || !["open", "close", "list"].includes(command) || !flag("by")) usage();

await runCli(
  async (ctx) => {
    const actor = await actorByEmail(ctx.db, flag("by")!);
    const tz = ctx.config.TIMEZONE;
    if (command === "open") {
      const opens = flag("opens");
      const closes = flag("closes");
      if (!flag("template") || !opens || !closes) usage();
      const { campaign, invited } = await openCampaign(ctx, actor, {
        templateId: flag("template")!,
        title: flag("title"),
        audience: parseAudience((flag("audience") ?? "all").split(","), systemClock.now()),
        opensAt: startOfLocalDay(opens!, tz),
        closesAt: endOfLocalDay(closes!, tz),
        reminderEveryDays: flag("remind-every") === undefined ? undefined : Number(flag("remind-every")),
      });
      console.log(`opened ${campaign.title} (${campaign.id}) for ${invited} staff; invitations are in the outbox`);
    } else if (command === "close") {
      const id = argv[1];
      if (!id || id.startsWith("--")) usage();
      await closeCampaign(ctx, actor, id!);
      console.log(`closed ${id}`);
    } else {
      for (const c of await listCampaigns(ctx, actor, 50))
        console.log(`${c.id}  ${c.state.padEnd(9)}  ${c.answered}/${c.invited}  ${c.title}  (${c.window})`);
    }
    return 0;
  },
  {
    errorMessage: (err) => (err instanceof DomainError ? [err.message, err instanceof ValidationFailed ? err.fieldErrors : ""] : undefined),
  },
);
