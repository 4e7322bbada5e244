import { openDatabase, type Db } from "./client";
import { env } from "@/lib/env";

// One connection per process; cached on globalThis so dev-mode reloads do not open another.
const globalForDb = globalThis as unknown as { fleetlineDb?: Db };

export function getDb(): Db {
  globalForDb.fleetlineDb ??= openDatabase(env().DATABASE_URL);
  return globalForDb.fleetlineDb;
}

export * as schema from "./schema";
export type { Db } from "./client";
