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
 * Runs `open` (a decryption); a row that no longer opens (sealed under another key, or tampered)
 * gives undefined and a warning naming the row, never its contents. Any other error is thrown.
 */
export function openOrSkip<T>(open: () => T, kind: string, id: string): T | undefined {
  try {
    return open();
  } catch (err) {
    if (!(err instanceof DecryptionError)) throw err;
    log.warn(`a stored ${kind} could not be decrypted and was left as it is`, { id });
    return undefined;
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

/** The key file's path: FLEETLINE_SECRET_KEY_FILE, else secret.key in the data directory (beside the database). */
export function keyFilePath(): string {
  const e = env();
  return path.resolve(e.FLEETLINE_SECRET_KEY_FILE ?? path.join(e.FLEETLINE_DATA_DIR, "secret.key"));
}

export function getMasterKey(): Buffer {
  if (masterKey) return masterKey;
  const e = env();
  const fromEnv = e.FLEETLINE_SECRET_KEY ? decodeKey(e.FLEETLINE_SECRET_KEY) : null;
  if (fromEnv) {
    masterKey = fromEnv;
    return masterKey;
  }
  const file = keyFilePath();
  const { key, created } = loadOrCreateKeyFile(file);
  if (created) {
    const besideData = path.dirname(file) === path.resolve(e.FLEETLINE_DATA_DIR);
    log.warn(
      `FLEETLINE_SECRET_KEY is not set: generated a new encryption key at ${file} (mode 0600). Back it up; without it, stored credentials cannot be decrypted.` +
        (besideData ? " It sits next to the database: anyone with a copy of that folder can read every stored credential. Set FLEETLINE_SECRET_KEY or FLEETLINE_SECRET_KEY_FILE to keep the key elsewhere." : ""),
    );
  }
  masterKey = key;
  return masterKey;
}

/** The key being rotated away from (FLEETLINE_SECRET_KEY_PREVIOUS), accepted for reading only. */
export function getPreviousKey(): Buffer | null {
  const text = env().FLEETLINE_SECRET_KEY_PREVIOUS;
  return text ? decodeKey(text) : null;
}

/** Opens a sealed value with the current key, or during a rotation with the previous one. */
export function decryptWithAnyKey(sealed: string, context: string): { plaintext: string; withPrevious: boolean } {
  try {
    return { plaintext: decryptWithKey(getMasterKey(), sealed, context), withPrevious: false };
  } catch (e) {
    const previous = getPreviousKey();
    if (!previous || !(e instanceof DecryptionError)) throw e;
    return { plaintext: decryptWithKey(previous, sealed, context), withPrevious: true };
  }
}

/** A purpose-specific key derived from the master key (HKDF), e.g. for signing session tokens. */
export function deriveKey(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", getMasterKey(), Buffer.alloc(0), `fleetline:${purpose}`, 32));
}

export const encrypt = (plaintext: string, context: string) => encryptWithKey(getMasterKey(), plaintext, context);
export const decrypt = (sealed: string, context: string) => decryptWithAnyKey(sealed, context).plaintext;

export const FINGERPRINT_PREFIX = "hmac:";

/**
 * A short fingerprint for showing that a secret exists (and whether it changed) without showing
 * it. Keyed (HMAC-SHA256 under a key derived from the master key): an unsalted hash of a
 * username and password could be guessed offline by anyone who saw it, viewers included.
 */
export function fingerprint(secret: string): string {
  return FINGERPRINT_PREFIX + crypto.createHmac("sha256", deriveKey("fingerprint")).update(secret).digest("hex").slice(0, 16);
}
