// `npm run sync:graph [-- --no-create]`: sync staff and the manager chain from Microsoft Graph
// (GRAPH_* in .env; optional GRAPH_SYNC_FILTER). The CSV import stays the default: roles and teams
// come from it and are never changed here.
import { loadConfig } from "../services/config";
import { createGraphClient } from "../services/graph/client";
import { syncDirectoryFromGraph } from "../services/directory/graphSync";
import { runCli } from "./cli";

const config = loadConfig();
const graph = createGraphClient(config);
if (!graph) {
  console.error("Graph is not configured: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET.");
  process.exit(2);
}
await runCli(
  async ({ db }) => {
    const r = await syncDirectoryFromGraph(db, graph, {
      ...(config.GRAPH_SYNC_FILTER ? { filter: config.GRAPH_SYNC_FILTER } : {}),
      createMissing: !process.argv.includes("--no-create"),
    });
    console.log(
      `Graph: ${r.users} users; ${r.created} staff created, ${r.updated} updated; line managers set for ${r.managersSet}` +
        (r.managersUnknown ? `, ${r.managersUnknown} with a manager not in the directory` : ""),
    );
    return 0;
  },
  { config, errorMessage: (err) => [`Graph sync failed: ${(err as Error).message}`] },
);
