import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests: pure code beside the modules they test. No clusters, no server.
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // "server-only" throws outside React Server Components; tests run plain Node.
      "server-only": fileURLToPath(new URL("./test-support/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "eslint/**/*.test.ts", "db/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts"],
    exclude: ["**/*.int.test.ts", "node_modules/**", ".next/**"],
    environment: "node",
    // scrypt at production cost and a migrated SQLite file per test take a few seconds on a busy two-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
