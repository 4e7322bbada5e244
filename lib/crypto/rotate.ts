import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { decryptWithAnyKey, encrypt, fingerprint } from "./index";

/**
 * Every sealed column, with the context its rows are bound to (the same strings as
 * lib/credentials/store.ts and lib/inventory/credentials.ts; lib/crypto/rotate.int.test.ts seals
 * through those modules, so a drift between them fails there).
 */
const SEALED_COLUMNS = [
  { table: "credentials", column: "sealed", fingerprintColumn: "fingerprint", context: (id: string) => `credential:${id}:secret` },
  { table: "clusters", column: "credentials", fingerprintColumn: "credentials_fingerprint", context: (id: string) => `cluster:${id}:credentials` },
  // Webhook URLs and signing keys (lib/notify/store.ts); no fingerprint: nothing compares them.
  { table: "notification_channels", column: "secret", fingerprintColumn: null, context: (id: string) => `notification-channel:${id}` },
] as const;

export type RotationReport = { resealed: number; fromPreviousKey: number; byTable: Record<string, number> };

/**
 * Re-seals every stored secret with the current key (FLEETLINE_SECRET_KEY or the key file), reading
 * each with the current key or FLEETLINE_SECRET_KEY_PREVIOUS. One write transaction: a secret that
 * opens with neither key aborts the whole rotation and nothing is written.
 */
export function resealAllSecrets(db: Db): RotationReport {
  const report: RotationReport = { resealed: 0, fromPreviousKey: 0, byTable: {} };
  db.transaction(
    (tx) => {
      for (const { table, column, fingerprintColumn, context } of SEALED_COLUMNS) {
        const rows = tx.all<{ id: string; sealed: string }>(sql`select id, ${sql.identifier(column)} as sealed from ${sql.identifier(table)}`);
        for (const row of rows) {
          let opened;
          try {
            opened = decryptWithAnyKey(row.sealed, context(row.id));
          } catch {
            throw new Error(`${table} ${row.id}: opens with neither the current key nor FLEETLINE_SECRET_KEY_PREVIOUS; nothing was changed`);
          }
          const sealed = encrypt(opened.plaintext, context(row.id));
          // Fingerprints are keyed from the master key too: recomputed under the new one.
          const fingerprintSet = fingerprintColumn ? sql`, ${sql.identifier(fingerprintColumn)} = ${fingerprint(opened.plaintext)}` : sql``;
          tx.run(sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = ${sealed}${fingerprintSet} where id = ${row.id}`);
          report.resealed++;
          if (opened.withPrevious) report.fromPreviousKey++;
        }
        report.byTable[table] = rows.length;
      }
    },
    // Taken for writing from the start: a rotation racing another writer waits, it does not fail half-way.
    { behavior: "immediate" },
  );
  return report;
}
