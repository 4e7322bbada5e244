import crypto from "node:crypto";
import { sshMpint, sshString, sshUint32, WireError, WireReader } from "./ssh-wire";

/**
 * SSH deploy keys: Fleetline-generated ed25519 keys written in OpenSSH's own file format
 * (what Flux's source-controller and `ssh-keygen` read), and pasted keys checked and
 * turned into the public key a user adds as a deploy key. Messages never quote the key.
 */

export const MAX_PRIVATE_KEY_LENGTH = 16 * 1024;

const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
const OPENSSH_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_END = "-----END OPENSSH PRIVATE KEY-----";
// Private sections are padded to the cipher block size; "none" uses 8.
const BLOCK_SIZE = 8;

export type SshKeyPair = {
  /** OpenSSH private key file, unencrypted (Flux reads it from the Secret's `identity`). */
  privateKey: string;
  /** `ssh-ed25519 AAAA... comment`, for the repository's deploy keys. */
  publicKey: string;
  /** `SHA256:...`, as `ssh-keygen -l` and Git hosts print it. */
  fingerprint: string;
};

export type ParsedPrivateKey = { ok: true; publicKey: string; fingerprint: string; keyType: string } | { ok: false; error: string };

function base64url(value: string | undefined): Buffer {
  if (value === undefined) throw new Error("key export lacks a component");
  return Buffer.from(value, "base64url");
}

/** SHA256 fingerprint of a public key blob, unpadded base64 like OpenSSH. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function publicKeyLine(blob: Buffer, comment: string): string {
  const type = new WireReader(blob).text();
  return `${type} ${blob.toString("base64")}${comment ? ` ${comment}` : ""}`;
}

function wrapPem(body: Buffer): string {
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return `${OPENSSH_BEGIN}\n${lines.join("\n")}\n${OPENSSH_END}\n`;
}

/** Writes an unencrypted OpenSSH private key file for one ed25519 key. */
export function encodeOpenSshEd25519(seed: Buffer, publicKey: Buffer, comment: string): string {
  if (seed.length !== 32 || publicKey.length !== 32) throw new RangeError("ed25519 keys are 32 bytes");
  const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]);
  // The check integers let a reader tell a wrong passphrase from a corrupt file; any equal pair will do.
  const check = crypto.randomBytes(4).readUInt32BE();
  const unpadded = Buffer.concat([
    sshUint32(check),
    sshUint32(check),
    sshString("ssh-ed25519"),
    sshString(publicKey),
    // OpenSSH stores the 32-byte seed followed by the public key.
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padLength = (BLOCK_SIZE - (unpadded.length % BLOCK_SIZE)) % BLOCK_SIZE;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const body = Buffer.concat([
    OPENSSH_MAGIC,
    sshString("none"),
    sshString("none"),
    sshString(Buffer.alloc(0)),
    sshUint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  return wrapPem(body);
}

export function generateEd25519KeyPair(comment: string): SshKeyPair {
  const { privateKey } = crypto.generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = base64url(jwk.d);
  const publicKey = base64url(jwk.x);
  const blob = Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]);
  return {
    privateKey: encodeOpenSshEd25519(seed, publicKey, comment),
    publicKey: publicKeyLine(blob, comment),
    fingerprint: sshFingerprint(blob),
  };
}

/** The public key blob of a node KeyObject, for the key types Git hosts accept. */
function publicBlobOf(key: crypto.KeyObject): Buffer | undefined {
  const jwk = key.export({ format: "jwk" });
  switch (key.asymmetricKeyType) {
    case "ed25519":
      return Buffer.concat([sshString("ssh-ed25519"), sshString(base64url(jwk.x))]);
    case "rsa":
      return Buffer.concat([sshString("ssh-rsa"), sshMpint(base64url(jwk.e)), sshMpint(base64url(jwk.n))]);
    case "ec": {
      const curve = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" }[jwk.crv ?? ""];
      if (!curve) return undefined;
      const point = Buffer.concat([Buffer.from([4]), base64url(jwk.x), base64url(jwk.y)]);
      return Buffer.concat([sshString(`ecdsa-sha2-${curve}`), sshString(curve), sshString(point)]);
    }
    default:
      return undefined;
  }
}

function parsePemPrivateKey(text: string): ParsedPrivateKey {
  if (/ENCRYPTED/.test(text)) {
    return { ok: false, error: "is protected by a passphrase: Flux needs the key without one (ssh-keygen -p -N '')" };
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: text, format: "pem" });
  } catch {
    // node's message is not shown: it is not needed and could quote the input.
    return { ok: false, error: "is not a valid PEM private key" };
  }
  const blob = publicBlobOf(key);
  if (!blob) return { ok: false, error: "must be an ed25519, RSA or ECDSA (P-256/384/521) key" };
  return { ok: true, publicKey: publicKeyLine(blob, ""), fingerprint: sshFingerprint(blob), keyType: new WireReader(blob).text() };
}

function parseOpenSshBody(body: Buffer): ParsedPrivateKey {
  if (!body.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return { ok: false, error: "is not an OpenSSH private key file" };
  const reader = new WireReader(body.subarray(OPENSSH_MAGIC.length));
  const cipher = reader.text();
  const kdf = reader.text();
  reader.bytes();
  if (cipher !== "none" || kdf !== "none") {
    return { ok: false, error: "is protected by a passphrase: Flux needs the key without one (ssh-keygen -p -N '')" };
  }
  if (reader.uint32() !== 1) return { ok: false, error: "must hold exactly one key" };
  const publicBlob = reader.bytes();
  const keyType = new WireReader(publicBlob).text();
  const secret = new WireReader(reader.bytes());
  if (secret.uint32() !== secret.uint32()) return { ok: false, error: "is corrupt (its check values differ)" };
  if (secret.text() !== keyType) return { ok: false, error: "is corrupt (its public and private parts disagree)" };
  if (keyType === "ssh-ed25519") {
    const publicKey = secret.bytes();
    const pair = secret.bytes();
    const mismatch = { ok: false as const, error: "is corrupt (the private key does not match its public key)" };
    if (publicKey.length !== 32 || pair.length !== 64) return mismatch;
    // node derives the public half from the seed (it requires `x` but does not trust it).
    const x = publicKey.toString("base64url");
    const derived = crypto.createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: pair.subarray(0, 32).toString("base64url"), x }, format: "jwk" });
    if (derived.export({ format: "jwk" }).x !== x || !publicBlob.equals(Buffer.concat([sshString(keyType), sshString(publicKey)]))) {
      return mismatch;
    }
  } else if (!/^(ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/.test(keyType)) {
    return { ok: false, error: "must be an ed25519, RSA or ECDSA key" };
  }
  return { ok: true, publicKey: publicKeyLine(publicBlob, ""), fingerprint: sshFingerprint(publicBlob), keyType };
}

/** Checks a pasted private key (OpenSSH or PEM) and derives its public key. */
export function parsePrivateKey(text: string): ParsedPrivateKey {
  if (text.length > MAX_PRIVATE_KEY_LENGTH) return { ok: false, error: `must be at most ${MAX_PRIVATE_KEY_LENGTH} characters` };
  const trimmed = text.trim();
  if (trimmed.startsWith(OPENSSH_BEGIN)) {
    if (!trimmed.endsWith(OPENSSH_END)) return { ok: false, error: `must end with ${OPENSSH_END}` };
    const base64 = trimmed.slice(OPENSSH_BEGIN.length, -OPENSSH_END.length).replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+=*$/.test(base64)) return { ok: false, error: "is not valid base64 between its BEGIN and END lines" };
    try {
      return parseOpenSshBody(Buffer.from(base64, "base64"));
    } catch (error) {
      if (error instanceof WireError) return { ok: false, error: "is truncated or corrupt" };
      return { ok: false, error: "is not a valid OpenSSH private key" };
    }
  }
  if (/^-----BEGIN ((RSA|EC) )?PRIVATE KEY-----/.test(trimmed) || /^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(trimmed)) {
    return parsePemPrivateKey(trimmed);
  }
  return { ok: false, error: "must be an OpenSSH (BEGIN OPENSSH PRIVATE KEY) or PEM (BEGIN PRIVATE KEY) private key" };
}

/** Splits `type base64 [comment]` into its blob, or undefined when the line is not an SSH public key. */
export function parsePublicKeyLine(line: string): { type: string; blob: Buffer } | undefined {
  const [type, base64] = line.trim().split(/\s+/);
  if (!type || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, "base64");
  try {
    return new WireReader(blob).text() === type ? { type, blob } : undefined;
  } catch {
    return undefined;
  }
}
