import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";

/** True when the database answers a trivial query (the liveness endpoint's one read). */
export function databaseAnswers(): boolean {
  try {
    getDb().get(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
