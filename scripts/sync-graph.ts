// `npm run sync:graph [-- --no-create]`: sync staff and the manager chain from Microsoft Graph
// (GRAPH_* in .env; optional GRAPH_SYNC_FILTER). The CSV import stays the default: roles and teams
// come from it and are never changed here.
import { loadConfig } from "../services/config";
import { createPrisma, openDatabase } from "../services/db";
import { migrate } from "../prisma/migrate";
import { createGraphClient } from "../services/graph/client";
import { syncDirectoryFromGraph } from "../services/directory/graphSync";

const config = loadConfig();
const graph = createGraphClient(config);
if (!graph) {
  console.error("Graph is not configured: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET.");
  process.exit(2);
}
const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
const db = createPrisma(handle.url, 2);
let code = 0;
try {
  await migrate(handle.url);
  const r = await syncDirectoryFromGraph(db, graph, {
    ...(config.GRAPH_SYNC_FILTER ? { filter: config.GRAPH_SYNC_FILTER } : {}),
    createMissing: !process.argv.includes("--no-create"),
  });
  console.log(
    `Graph: ${r.users} users; ${r.created} staff created, ${r.updated} updated; line managers set for ${r.managersSet}` +
      (r.managersUnknown ? `, ${r.managersUnknown} with a manager not in the directory` : ""),
  );
} catch (err) {
  console.error(`Graph sync failed: ${(err as Error).message}`);
  code = 1;
} finally {
  await db.$disconnect();
  await handle.close();
}
process.exit(code);
