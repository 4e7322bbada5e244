import crypto from "node:crypto";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { generateKey } from "openpgp";
import { describe, expect, it } from "vitest";
import { parseCosignPublicKey, parsePgpPublicKeys, parseSopsKey } from "./keys";

const pgpPair = (passphrase?: string) => generateKey({ type: "ecc", curve: "curve25519Legacy", userIDs: [{ name: "Release", email: "release@example.com" }], format: "armored", ...(passphrase ? { passphrase } : {}) });

describe("PGP public keys (GitRepository verify)", () => {
  it("accepts one or more armored public keys, each kept as its own block, with its fingerprint", async () => {
    const [a, b] = await Promise.all([pgpPair(), pgpPair()]);
    const parsed = await parsePgpPublicKeys(`${a.publicKey}\n${b.publicKey}`);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.keys).toHaveLength(2);
    expect(parsed.value.keys.every((k) => k.startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"))).toBe(true);
    expect(parsed.value.fingerprints.every((f) => /^[0-9A-F]{40}$/.test(f))).toBe(true);
    expect(new Set(parsed.value.fingerprints).size).toBe(2);
  });

  it("refuses a private key and text that is no key, without quoting it", async () => {
    const pair = await pgpPair();
    const privateKey = await parsePgpPublicKeys(pair.privateKey);
    expect(privateKey).toEqual({ ok: false, error: expect.stringMatching(/valid armored PGP public key|private key/) });
    const garbage = await parsePgpPublicKeys("-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot-a-key\n-----END PGP PUBLIC KEY BLOCK-----\n");
    expect(garbage.ok).toBe(false);
    expect(JSON.stringify(garbage)).not.toContain("not-a-key");
  });
});

describe("cosign public keys (OCIRepository verify)", () => {
  it("accepts the ECDSA P-256 key cosign generates and names it by the SHA-256 of its DER", () => {
    const { publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const parsed = parseCosignPublicKey(pem);
    const der = publicKey.export({ type: "spki", format: "der" });
    expect(parsed).toEqual({ ok: true, value: { pem, fingerprint: `SHA256:${crypto.createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}` } });
  });

  it("refuses a private key pasted as the public one, and a key type cosign does not sign with", () => {
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(parseCosignPublicKey(pem).ok).toBe(false);
    const x25519 = crypto.generateKeyPairSync("x25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(parseCosignPublicKey(x25519)).toEqual({ ok: false, error: "must be an ECDSA, RSA or Ed25519 public key" });
  });
});

describe("SOPS keys (Kustomization decryption)", () => {
  it("accepts an age identity file as age-keygen writes it, comments and all, and shows its recipients", async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const file = `# created: 2026-12-02T08:00:00Z\n# public key: ${recipient}\n${identity}\n`;
    expect(await parseSopsKey(file)).toEqual({ ok: true, value: { format: "age", identities: `${identity}\n`, recipients: [recipient] } });
  });

  it("refuses a damaged age identity, naming the line", async () => {
    const identity = await generateIdentity();
    const damaged = `${identity}\n${identity.slice(0, -4)}QQQQ`;
    expect(await parseSopsKey(damaged)).toEqual({ ok: false, error: "line 2: is not a valid age identity" });
    expect(await parseSopsKey("age1qqqq")).toEqual({ ok: false, error: "is not an age identity (AGE-SECRET-KEY-1…)" });
  });

  it("accepts an unprotected PGP private key and refuses one behind a passphrase, which the controller cannot enter", async () => {
    const open = await pgpPair();
    const parsed = await parseSopsKey(open.privateKey);
    expect(parsed.ok && parsed.value.format).toBe("pgp");
    const locked = await pgpPair("correct horse");
    expect(await parseSopsKey(locked.privateKey)).toEqual({ ok: false, error: expect.stringContaining("passphrase") });
  });
});
