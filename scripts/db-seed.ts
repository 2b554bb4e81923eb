// `npm run db:seed`: import the example directory (staff and cases) into the database. Idempotent.
import { seedDemo } from "../prisma/seed";
import { runCli } from "./cli";

await runCli(async ({ db }) => {
  const r = await seedDemo(db);
  console.log(JSON.stringify(r));
});
