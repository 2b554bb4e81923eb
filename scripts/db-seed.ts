// `npm run db:seed`: import the example directory (staff and cases) into the database. Idempotent.
import { loadConfig } from "../services/config";
import { createPrisma, openDatabase } from "../services/db";
import { migrate } from "../prisma/migrate";
import { seedDemo } from "../prisma/seed";

const config = loadConfig();
const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
const db = createPrisma(handle.url, 2);
try {
  await migrate(handle.url);
  const r = await seedDemo(db);
  console.log(JSON.stringify(r));
} finally {
  await db.$disconnect();
  await handle.close();
}
