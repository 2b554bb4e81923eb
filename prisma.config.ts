// Prisma 7 configuration. The URL is only used by Prisma's own CLI (migrate diff/dev where a
// schema engine exists); the application connects through @prisma/adapter-pg (services/db).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
