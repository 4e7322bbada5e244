import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: ["./db/schema.ts", "./db/schema-configurations.ts", "./db/schema-status.ts", "./db/schema-compliance.ts", "./db/schema-windows.ts", "./db/schema-policy.ts", "./db/schema-versions.ts", "./db/schema-notifications.ts", "./db/schema-replicas.ts"],
  out: "./db/migrations",
});
