import { startPgServer, createDatabase } from "@/test-support/pg-server";
const s = await startPgServer();
try {
  const url = await createDatabase(s.adminUrl);
  const { openDatabase, migrateDatabase } = await import("@/db/client");
  const db = openDatabase(url); migrateDatabase(db);
  const tables = db.$client.prepare("select tablename from pg_tables where schemaname = 'public'").pluck().all() as string[];
  console.log(tables.length);
  for (const t of tables) { const t0 = Date.now(); const r = db.$client.prepare(`select t::text from "${t}" t`).pluck().all(); if (Date.now() - t0 > 100) console.log(t, Date.now() - t0); }
  console.log("done");
} finally { await s.stop(); }
