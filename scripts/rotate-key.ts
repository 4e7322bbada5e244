// `npm run keys:rotate`: re-seals every stored secret with the current key. Run it with the same
// environment as the server during a rotation (FLEETLINE_SECRET_KEY or FLEETLINE_SECRET_KEY_FILE
// = the new key, FLEETLINE_SECRET_KEY_PREVIOUS = the old one); see the README's "Key rotation".
import { getDb } from "@/db";
import { migrateDatabase } from "@/db/client";
import { resealAllSecrets } from "@/lib/crypto/rotate";
import { env } from "@/lib/env";

try {
  const e = env();
  if (!e.FLEETLINE_SECRET_KEY_PREVIOUS) console.warn("FLEETLINE_SECRET_KEY_PREVIOUS is not set: every secret must already open with the current key.");
  const db = getDb();
  migrateDatabase(db);
  const report = resealAllSecrets(db);
  console.log(`re-sealed ${report.resealed} secrets (${report.fromPreviousKey} were under the previous key): ${JSON.stringify(report.byTable)}`);
  console.log("Remove FLEETLINE_SECRET_KEY_PREVIOUS from the server's environment and restart it.");
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
