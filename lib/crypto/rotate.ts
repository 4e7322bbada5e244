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
  const sqlite = db.$client;
  const report: RotationReport = { resealed: 0, fromPreviousKey: 0, byTable: {} };
  sqlite
    .transaction(() => {
      for (const { table, column, fingerprintColumn, context } of SEALED_COLUMNS) {
        const rows = sqlite.prepare(`select id, ${column} as sealed from ${table}`).all() as { id: string; sealed: string }[];
        // Fingerprints are keyed from the master key too: recomputed under the new one.
        const update = fingerprintColumn
          ? sqlite.prepare(`update ${table} set ${column} = ?, ${fingerprintColumn} = ? where id = ?`)
          : sqlite.prepare(`update ${table} set ${column} = ? where id = ?`);
        for (const row of rows) {
          let opened;
          try {
            opened = decryptWithAnyKey(row.sealed, context(row.id));
          } catch {
            throw new Error(`${table} ${row.id}: opens with neither the current key nor FLEETLINE_SECRET_KEY_PREVIOUS; nothing was changed`);
          }
          const sealed = encrypt(opened.plaintext, context(row.id));
          if (fingerprintColumn) update.run(sealed, fingerprint(opened.plaintext), row.id);
          else update.run(sealed, row.id);
          report.resealed++;
          if (opened.withPrevious) report.fromPreviousKey++;
        }
        report.byTable[table] = rows.length;
      }
    })
    .immediate();
  return report;
}
