import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { decodeKey, env } from "@/lib/env";
import { log } from "@/lib/log";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  constructor() {
    super("ciphertext could not be decrypted: wrong key, wrong context, or tampered data");
  }
}

/**
 * AES-256-GCM. `context` is bound as additional authenticated data, so a ciphertext copied
 * from one row (say, cluster A's kubeconfig) to another fails to decrypt there.
 */
export function encryptWithKey(key: Buffer, plaintext: string, context: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
}

export function decryptWithKey(key: Buffer, sealed: string, context: string): string {
  const [version, payload] = sealed.split(":", 2);
  if (version !== VERSION || !payload) throw new DecryptionError();
  const raw = Buffer.from(payload, "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError();
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError();
  }
}

/** Reads the key file, or creates it (0600) when absent. Returns the key and whether it was created. */
export function loadOrCreateKeyFile(file: string): { key: Buffer; created: boolean } {
  if (fs.existsSync(file)) {
    const key = decodeKey(fs.readFileSync(file, "utf8").trim());
    if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex characters or base64)`);
    return { key, created: false };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = crypto.randomBytes(32);
  // "wx" fails if another process created it first; then read theirs.
  try {
    fs.writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreateKeyFile(file);
    throw e;
  }
  return { key, created: true };
}

let masterKey: Buffer | undefined;

export function getMasterKey(): Buffer {
  if (masterKey) return masterKey;
  const e = env();
  const fromEnv = e.FLEETLINE_SECRET_KEY ? decodeKey(e.FLEETLINE_SECRET_KEY) : null;
  if (fromEnv) {
    masterKey = fromEnv;
    return masterKey;
  }
  const file = path.resolve(e.FLEETLINE_DATA_DIR, "secret.key");
  const { key, created } = loadOrCreateKeyFile(file);
  if (created) {
    log.warn(`FLEETLINE_SECRET_KEY is not set: generated a new encryption key at ${file} (mode 0600). Back it up; without it, stored credentials cannot be decrypted.`);
  }
  masterKey = key;
  return masterKey;
}

/** A purpose-specific key derived from the master key (HKDF), e.g. for signing session tokens. */
export function deriveKey(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", getMasterKey(), Buffer.alloc(0), `fleetline:${purpose}`, 32));
}

export const encrypt = (plaintext: string, context: string) => encryptWithKey(getMasterKey(), plaintext, context);
export const decrypt = (sealed: string, context: string) => decryptWithKey(getMasterKey(), sealed, context);

export const FINGERPRINT_PREFIX = "hmac:";

/**
 * A short fingerprint for showing that a secret exists (and whether it changed) without showing
 * it. Keyed (HMAC-SHA256 under a key derived from the master key): an unsalted hash of a
 * username and password could be guessed offline by anyone who saw it, viewers included.
 */
export function fingerprint(secret: string): string {
  return FINGERPRINT_PREFIX + crypto.createHmac("sha256", deriveKey("fingerprint")).update(secret).digest("hex").slice(0, 16);
}
