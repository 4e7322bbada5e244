import type { TestProject } from "vitest/node";
import { startPgServer } from "./pg-server";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

// vitest.pg.config.ts: one throwaway PostgreSQL server for the run; each test file's
// useTempDatabase() creates its own database on it.
export default async function setup(project: TestProject) {
  const server = await startPgServer();
  project.provide("pgAdminUrl", server.adminUrl);
  return () => server.stop();
}
