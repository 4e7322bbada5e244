import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateEd25519KeyPair, parsePrivateKey, parsePublicKeyLine } from "./ssh-key";
import { WireReader } from "./ssh-wire";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-ssh-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const hasSshKeygen = (() => {
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // ssh-keygen exits non-zero on -? but exists; ENOENT means it is missing.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
})();

function sshKeygen(args: string[]): string {
  return execFileSync("ssh-keygen", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function writeKey(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** The ed25519 seed inside an unencrypted OpenSSH key file, read the way OpenSSH reads it. */
function seedFromOpenSsh(file: string): Buffer {
  const base64 = file.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const reader = new WireReader(Buffer.from(base64, "base64").subarray("openssh-key-v1\0".length));
  reader.text();
  reader.text();
  reader.bytes();
  reader.uint32();
  reader.bytes();
  const secret = new WireReader(reader.bytes());
  secret.uint32();
  secret.uint32();
  secret.text();
  secret.bytes();
  return secret.bytes().subarray(0, 32);
}

describe("generateEd25519KeyPair", () => {
  const pair = generateEd25519KeyPair("fleetline-test");

  it("writes an OpenSSH public key line that node can parse back", () => {
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} fleetline-test$/);
    const parsed = parsePublicKeyLine(pair.publicKey);
    expect(parsed?.type).toBe("ssh-ed25519");
    const reader = new WireReader(parsed!.blob);
    expect(reader.text()).toBe("ssh-ed25519");
    const raw = reader.bytes();
    expect(raw).toHaveLength(32);
    const publicKey = crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
    expect(publicKey.asymmetricKeyType).toBe("ed25519");

    // The private key file holds the matching seed: a signature made with it verifies.
    const seed = seedFromOpenSsh(pair.privateKey);
    const privateKey = crypto.createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: seed.toString("base64url"), x: raw.toString("base64url") }, format: "jwk" });
    const message = Buffer.from("deploy key check");
    expect(crypto.verify(null, message, publicKey, crypto.sign(null, message, privateKey))).toBe(true);
  });

  it("writes a private key file our own parser accepts, with the same public key and fingerprint", () => {
    expect(pair.privateKey.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")).toBe(true);
    expect(pair.privateKey.endsWith("-----END OPENSSH PRIVATE KEY-----\n")).toBe(true);
    const parsed = parsePrivateKey(pair.privateKey);
    expect(parsed).toEqual({ ok: true, keyType: "ssh-ed25519", publicKey: pair.publicKey.replace(/ fleetline-test$/, ""), fingerprint: pair.fingerprint });
    expect(pair.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it.skipIf(!hasSshKeygen)("is read by ssh-keygen: same public key, same fingerprint", () => {
    const file = writeKey("generated", pair.privateKey);
    expect(sshKeygen(["-y", "-f", file]).trim()).toBe(pair.publicKey);
    expect(sshKeygen(["-l", "-f", file])).toContain(pair.fingerprint);
  });

  it("makes a different key every time", () => {
    expect(generateEd25519KeyPair("x").publicKey).not.toBe(generateEd25519KeyPair("x").publicKey);
  });
});

describe.skipIf(!hasSshKeygen)("parsePrivateKey with keys made by ssh-keygen", () => {
  for (const [type, extra] of [["ed25519", []], ["rsa", ["-b", "2048"]], ["ecdsa", ["-b", "384"]]] as const) {
    it(`derives the public key of an OpenSSH ${type} key`, () => {
      const file = path.join(dir, `openssh-${type}`);
      sshKeygen(["-q", "-t", type, ...extra, "-N", "", "-C", "", "-f", file]);
      const parsed = parsePrivateKey(fs.readFileSync(file, "utf8"));
      expect(parsed.ok && parsed.publicKey).toBe(fs.readFileSync(`${file}.pub`, "utf8").trim());
    });
  }

  it("derives the public key of PEM keys (PKCS#8 and PKCS#1)", () => {
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    for (const [name, pem] of [
      ["pkcs8", rsa.export({ type: "pkcs8", format: "pem" }).toString()],
      ["pkcs1", rsa.export({ type: "pkcs1", format: "pem" }).toString()],
      ["ec", crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString()],
    ]) {
      const parsed = parsePrivateKey(pem!);
      expect(parsed.ok, name).toBe(true);
      if (parsed.ok) expect(parsed.publicKey).toBe(sshKeygen(["-y", "-f", writeKey(name!, pem!)]).trim());
    }
  });

  it("refuses a passphrase-protected key without quoting it", () => {
    const file = path.join(dir, "encrypted");
    sshKeygen(["-q", "-t", "ed25519", "-N", "correct horse", "-f", file]);
    const text = fs.readFileSync(file, "utf8");
    const parsed = parsePrivateKey(text);
    expect(parsed).toEqual({ ok: false, error: expect.stringMatching(/passphrase/) });
  });
});

describe("parsePrivateKey refusals", () => {
  it.each([
    ["not a key", "hello", /must be an OpenSSH/],
    ["no END line", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA", /must end with/],
    ["bad base64", "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n-----END OPENSSH PRIVATE KEY-----", /base64/],
    ["wrong magic", `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from("not-openssh-at-all").toString("base64")}\n-----END OPENSSH PRIVATE KEY-----`, /not an OpenSSH/],
    ["garbage PEM", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", /not a valid PEM/],
    ["too long", "x".repeat(20_000), /at most/],
  ])("%s", (_, text, message) => {
    const parsed = parsePrivateKey(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("notices a truncated key file", () => {
    const { privateKey } = generateEd25519KeyPair("t");
    const lines = privateKey.trim().split("\n");
    const truncated = [lines[0], lines[1], lines[2], lines[lines.length - 1]].join("\n");
    expect(parsePrivateKey(truncated)).toEqual({ ok: false, error: expect.stringMatching(/truncated|corrupt/) });
  });
});
