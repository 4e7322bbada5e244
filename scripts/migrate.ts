// `npm run db:migrate`: applies committed migrations to DATABASE_URL (the server also does this at start).
import { migrateDatabase, openDatabase } from "../db/client";
import { describeDatabase } from "../db/dialect";

const url = process.env.DATABASE_URL ?? "./data/fleetline.db";
migrateDatabase(openDatabase(url));
console.log(`migrated ${describeDatabase(url)}`);
