import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DecryptionError, decryptWithKey, encryptWithKey, loadOrCreateKeyFile } from "./index";

const key = crypto.randomBytes(32);

describe("AES-256-GCM", () => {
  it("round-trips text", () => {
    const sealed = encryptWithKey(key, "apiVersion: v1\nkind: Config", "cluster:1");
    expect(sealed.startsWith("v1:")).toBe(true);
    expect(sealed).not.toContain("Config");
    expect(decryptWithKey(key, sealed, "cluster:1")).toBe("apiVersion: v1\nkind: Config");
  });

  it("uses a fresh IV each time", () => {
    expect(encryptWithKey(key, "same", "c")).not.toBe(encryptWithKey(key, "same", "c"));
  });

  it("detects a flipped ciphertext byte", () => {
    const sealed = encryptWithKey(key, "secret value", "c");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1]! ^= 0x01;
    expect(() => decryptWithKey(key, `v1:${raw.toString("base64")}`, "c")).toThrow(DecryptionError);
  });

  it("refuses the wrong context and the wrong key", () => {
    const sealed = encryptWithKey(key, "secret value", "cluster:a");
    expect(() => decryptWithKey(key, sealed, "cluster:b")).toThrow(DecryptionError);
    expect(() => decryptWithKey(crypto.randomBytes(32), sealed, "cluster:a")).toThrow(DecryptionError);
  });

  it("refuses truncated or unversioned input", () => {
    expect(() => decryptWithKey(key, "v1:AAAA", "c")).toThrow(DecryptionError);
    expect(() => decryptWithKey(key, "plain text", "c")).toThrow(DecryptionError);
  });
});

describe("key file", () => {
  it("is created once with mode 0600 and then reused", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-key-"));
    const file = path.join(dir, "sub", "secret.key");
    const first = loadOrCreateKeyFile(file);
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateKeyFile(file);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });

  it("rejects a file that holds no valid key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-key-"));
    const file = path.join(dir, "secret.key");
    fs.writeFileSync(file, "nope");
    expect(() => loadOrCreateKeyFile(file)).toThrow(/32-byte key/);
    fs.rmSync(dir, { recursive: true });
  });
});
