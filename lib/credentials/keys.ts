import "server-only";
import crypto from "node:crypto";

/**
 * Checks of the three key credentials, with the libraries made for each format (OpenPGP.js,
 * age's own TypeScript implementation, node:crypto for cosign's PEM keys). Each returns what
 * may be shown (fingerprints, recipients, the public keys themselves) or a problem that names
 * no key material. OpenPGP.js and age are imported on first use: loaded, they hold about 23 MiB
 * resident (a bare node process), and the server's background loop, which every process runs,
 * never needs them.
 */

export const MAX_PGP_KEYS = 20;
export const MAX_AGE_IDENTITIES = 20;

export type KeyCheck<T> = { ok: true; value: T } | { ok: false; error: string };

export type PgpKeySet = { keys: string[]; fingerprints: string[] };

/** One or more armored PGP public keys, as source-controller reads them to verify commits and tags. */
export async function parsePgpPublicKeys(text: string): Promise<KeyCheck<PgpKeySet>> {
  if (text.includes("PGP PRIVATE KEY BLOCK")) return { ok: false, error: "holds a private key: paste only the public keys (gpg --export --armor)" };
  // OpenPGP.js, like Go's reader in source-controller, reads one armor block per call: each
  // pasted block is read on its own (a block may hold several keys), so none is dropped.
  const blocks = text.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g) ?? [];
  if (blocks.length === 0) return { ok: false, error: "holds no armored PGP public key block" };
  const { readKeys } = await import("openpgp");
  const keys = [];
  for (const [i, block] of blocks.entries()) {
    try {
      keys.push(...(await readKeys({ armoredKeys: block })));
    } catch {
      return { ok: false, error: blocks.length > 1 ? `block ${i + 1} is not a valid armored PGP public key` : "is not a valid armored PGP public key block" };
    }
  }
  if (keys.length > MAX_PGP_KEYS) return { ok: false, error: `must hold at most ${MAX_PGP_KEYS} keys` };
  if (keys.some((key) => key.isPrivate())) return { ok: false, error: "holds a private key: paste only the public keys (gpg --export --armor)" };
  return { ok: true, value: { keys: keys.map((key) => key.armor()), fingerprints: keys.map((key) => key.getFingerprint().toUpperCase()) } };
}

export type CosignKey = { pem: string; fingerprint: string };

/** The PEM public key cosign signed with (cosign.pub): ECDSA, RSA or Ed25519, as cosign generates or accepts. */
export function parseCosignPublicKey(text: string): KeyCheck<CosignKey> {
  // createPublicKey would derive a public key from a private one: a private key pasted here must
  // be refused, not stored in the clear as if it were public.
  if (/PRIVATE KEY-----/.test(text)) return { ok: false, error: "is a private key: paste the public key (cosign.pub), never cosign.key" };
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: text.trim(), format: "pem" });
  } catch {
    return { ok: false, error: "is not a valid PEM public key (cosign.pub)" };
  }
  if (!["ec", "rsa", "ed25519"].includes(key.asymmetricKeyType ?? "")) return { ok: false, error: "must be an ECDSA, RSA or Ed25519 public key" };
  const der = key.export({ type: "spki", format: "der" });
  const pem = key.export({ type: "spki", format: "pem" }).toString();
  return { ok: true, value: { pem, fingerprint: `SHA256:${crypto.createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}` } };
}

export type SopsKey =
  | { format: "age"; identities: string; recipients: string[] }
  | { format: "pgp"; privateKey: string; fingerprint: string };

/**
 * The private key kustomize-controller decrypts SOPS files with: an age identity file (one or
 * more AGE-SECRET-KEY-1… lines, comments allowed, as age-keygen writes it) or an armored PGP
 * private key without a passphrase (the controller has no way to enter one).
 */
export async function parseSopsKey(text: string): Promise<KeyCheck<SopsKey>> {
  const trimmed = text.trim();
  if (trimmed.includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
    const { readPrivateKey } = await import("openpgp");
    let key;
    try {
      key = await readPrivateKey({ armoredKey: trimmed });
    } catch {
      return { ok: false, error: "is not a valid armored PGP private key" };
    }
    if (!key.isDecrypted()) return { ok: false, error: "is protected by a passphrase, which kustomize-controller cannot enter: export the key without one" };
    return { ok: true, value: { format: "pgp", privateKey: `${trimmed}\n`, fingerprint: key.getFingerprint().toUpperCase() } };
  }
  const lines = trimmed.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
  if (lines.length === 0) return { ok: false, error: "holds no age identity (AGE-SECRET-KEY-1…)" };
  if (lines.length > MAX_AGE_IDENTITIES) return { ok: false, error: `must hold at most ${MAX_AGE_IDENTITIES} identities` };
  const { identityToRecipient } = await import("age-encryption");
  const recipients: string[] = [];
  for (const [i, line] of lines.entries()) {
    const where = lines.length > 1 ? `line ${i + 1}: ` : "";
    if (!line.startsWith("AGE-SECRET-KEY-1")) return { ok: false, error: `${where}is not an age identity (AGE-SECRET-KEY-1…)` };
    try {
      recipients.push(await identityToRecipient(line));
    } catch {
      return { ok: false, error: `${where}is not a valid age identity` };
    }
  }
  return { ok: true, value: { format: "age", identities: `${lines.join("\n")}\n`, recipients } };
}
