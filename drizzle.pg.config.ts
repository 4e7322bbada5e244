import { defineConfig } from "drizzle-kit";

// PostgreSQL migrations, from the tables db/pg/schema.ts works out of the SQLite schema.
// `npm run db:generate` runs this beside drizzle.config.ts, so both stay in step.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/pg/schema.ts",
  out: "./db/migrations-pg",
});
