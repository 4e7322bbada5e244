import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Key rotation on a real SQLite file, sealing through the modules that own each secret.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-keys-"));
const keyA = crypto.randomBytes(32);
const keyB = crypto.randomBytes(32);
const fileA = path.join(keyDir, "a.key");
const fileB = path.join(keyDir, "b.key");

beforeAll(async () => {
  fs.writeFileSync(fileA, keyA.toString("hex"), { mode: 0o600 });
  fs.writeFileSync(fileB, keyB.toString("base64"), { mode: 0o600 });
  delete process.env.FLEETLINE_SECRET_KEY;
  process.env.FLEETLINE_SECRET_KEY_FILE = fileA;
  temp = await useTempDatabase();
});
afterAll(() => {
  temp.cleanup();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

const CANARY = "canary-Rotation-pass-93";
const CLUSTER_ID = crypto.randomUUID();

async function restartWith(envUpdate: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(envUpdate)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.resetModules(); // a fresh env() and key cache, as a restarted server has
}

function databaseBytes(): Buffer {
  return Buffer.from(temp.storedText(), "latin1");
}

describe("secret key file and rotation", () => {
  it("reads the key from FLEETLINE_SECRET_KEY_FILE and writes none next to the database", async () => {
    const { getMasterKey } = await import("./index");
    expect(getMasterKey().equals(keyA)).toBe(true);
    expect(fs.existsSync(path.join(temp.dir, "secret.key"))).toBe(false);
  });

  it("re-seals every secret with the new key while the old one is still accepted, then works without it", async () => {
    const { createCredential } = await import("@/lib/credentials/store");
    const { sealCredentials } = await import("@/lib/inventory/credentials");
    const created = await createCredential({ type: "https", name: "git-bot", host: "git.example.test", username: "bot", password: CANARY }, { author: "test" });
    expect(created.status).toBe("ok");
    const sealed = sealCredentials(CLUSTER_ID, { server: "https://10.0.0.1:6443", token: CANARY } as never);
    const now = Date.now();
    temp.db.$client
      .prepare(
        "insert into clusters (id, name, display_name, server, auth_method, credentials, credentials_fingerprint, credentials_rotated_at, updated_at, created_by) values (?, 'rot', 'rot', 'https://10.0.0.1:6443', 'token', ?, ?, ?, ?, 'test')",
      )
      .run(CLUSTER_ID, sealed.sealed, sealed.fingerprint, now, now);
    const { createChannel } = await import("@/lib/notify/store");
    const channel = createChannel({ name: "hooks", type: "webhook", url: `https://hooks.example.test/${CANARY}`, signingKey: `${CANARY}-signing` }, "test");
    expect(channel.status).toBe("ok");

    // Step 1: the server restarts on the new key with the old one as previous; both read.
    await restartWith({ FLEETLINE_SECRET_KEY_FILE: fileB, FLEETLINE_SECRET_KEY_PREVIOUS: keyA.toString("hex") });
    const { openCredentials } = await import("@/lib/inventory/credentials");
    const clusterRow = () => temp.db.$client.prepare("select id, credentials from clusters where id = ?").get(CLUSTER_ID) as { id: string; credentials: string };
    expect(openCredentials(clusterRow()).token).toBe(CANARY);

    // Step 2: npm run keys:rotate.
    const { resealAllSecrets } = await import("./rotate");
    expect(resealAllSecrets(temp.db)).toEqual({ resealed: 3, fromPreviousKey: 3, byTable: { credentials: 1, clusters: 1, notification_channels: 1 } });

    // Step 3: the previous key is removed; everything opens with the new key alone, nothing with the old.
    await restartWith({ FLEETLINE_SECRET_KEY_PREVIOUS: undefined });
    const fresh = await import("@/lib/inventory/credentials");
    expect(fresh.openCredentials(clusterRow()).token).toBe(CANARY);
    const { decryptWithKey, DecryptionError } = await import("./index");
    expect(() => decryptWithKey(keyA, clusterRow().credentials, `cluster:${CLUSTER_ID}:credentials`)).toThrow(DecryptionError);
    const credentialRow = temp.db.$client.prepare("select id, sealed from credentials").get() as { id: string; sealed: string };
    expect(decryptWithKey(keyB, credentialRow.sealed, `credential:${credentialRow.id}:secret`)).toContain(CANARY);
    expect(databaseBytes().includes(Buffer.from(CANARY))).toBe(false);
    const notify = await import("@/lib/notify/store");
    expect(notify.openChannel(notify.listChannels()[0]!).url).toContain(CANARY);
    // Fingerprints are keyed from the master key: recomputed under the new one, as a fresh seal would give.
    const { fingerprint } = await import("./index");
    const fp = temp.db.$client.prepare("select credentials_fingerprint as f from clusters where id = ?").get(CLUSTER_ID) as { f: string };
    expect(fp.f).toBe(fingerprint(JSON.stringify({ server: "https://10.0.0.1:6443", token: CANARY })));
  });

  it("refuses to rotate, changing nothing, when a secret opens with neither key", async () => {
    await restartWith({ FLEETLINE_SECRET_KEY_FILE: fileA, FLEETLINE_SECRET_KEY_PREVIOUS: crypto.randomBytes(32).toString("hex") });
    const before = temp.db.$client.prepare("select credentials from clusters").all();
    const { resealAllSecrets } = await import("./rotate");
    expect(() => resealAllSecrets(temp.db)).toThrow(/opens with neither the current key nor FLEETLINE_SECRET_KEY_PREVIOUS/);
    expect(temp.db.$client.prepare("select credentials from clusters").all()).toEqual(before);
  });
});
