import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Integration tests: real kube-apiservers (KUBEBUILDER_ASSETS), real git, real SQLite files.
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./test-support/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["**/*.int.test.ts", "test-support/**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**"],
    environment: "node",
    pool: "forks",
    // Each file starts its own API servers; two cores cannot run many at once.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
