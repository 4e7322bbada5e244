import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { checkCredentials } from "./credentials";
import { decodeBase64, extractCredentials, parseKubeconfig } from "./kubeconfig";

// Canary secrets: no error message may contain them.
const TOKEN = "canary-token-7f3a9c1e5b";
const PASSWORD = "canary-password-42d8";

type Pki = { caPem: string; certPem: string; keyPem: string; otherKeyPem: string; encryptedKeyPem: string };
let pki: Pki;
let dir: string;

function openssl(...args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-pki-"));
  const selfSigned = (name: string) =>
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-subj", `/CN=${name}`, "-days", "1");
  selfSigned("ca");
  selfSigned("client");
  selfSigned("other");
  openssl("pkey", "-in", "client.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key");
  const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
  pki = { caPem: read("ca.crt"), certPem: read("client.crt"), keyPem: read("client.key"), otherKeyPem: read("other.key"), encryptedKeyPem: read("encrypted.key") };
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const b64 = (text: string) => Buffer.from(text).toString("base64");

type Config = Record<string, unknown> & { clusters: { name: string; cluster: Record<string, unknown> }[]; users: { name: string; user: Record<string, unknown> }[] };

/** A valid two-context kubeconfig; tests mutate the first cluster/user. */
function config(): Config {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "prod", cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": b64(pki.caPem) } },
      { name: "dev", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": b64(pki.caPem) } },
    ],
    users: [
      { name: "prod-admin", user: { token: TOKEN } },
      { name: "dev-cert", user: { "client-certificate-data": b64(pki.certPem), "client-key-data": b64(pki.keyPem) } },
    ],
    contexts: [
      { name: "prod", context: { cluster: "prod", user: "prod-admin", namespace: "apps" } },
      { name: "dev", context: { cluster: "dev", user: "dev-cert" } },
    ],
    "current-context": "prod",
  };
}

const text = (c: unknown) => YAML.stringify(c);

function expectRejected(result: ReturnType<typeof extractCredentials>, field: string, reason: RegExp) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.field).toBe(field);
  expect(result.message).toContain(field);
  expect(result.message).toMatch(reason);
  for (const secret of [TOKEN, PASSWORD, b64(pki.keyPem), pki.keyPem, b64(pki.caPem)]) expect(result.message).not.toContain(secret);
}

describe("parseKubeconfig", () => {
  it("lists every context and the current one", () => {
    expect(parseKubeconfig(text(config()))).toEqual({
      ok: true,
      currentContext: "prod",
      contexts: [
        { name: "prod", cluster: "prod", user: "prod-admin", namespace: "apps" },
        { name: "dev", cluster: "dev", user: "dev-cert" },
      ],
    });
  });

  it("accepts JSON (it is YAML) and a kubeconfig without current-context", () => {
    const withoutCurrent = config();
    delete withoutCurrent["current-context"];
    const parsed = parseKubeconfig(JSON.stringify(withoutCurrent));
    expect(parsed).toMatchObject({ ok: true });
    expect(parsed).not.toHaveProperty("currentContext");
  });

  it.each([
    ["not yaml: [", "kubeconfig", /not valid YAML|single YAML document/],
    ["- just\n- a list\n", "kubeconfig", /not a YAML mapping/],
    ["plain scalar", "kubeconfig", /not a YAML mapping/],
    ["clusters: []\nusers: []\ncontexts: []\n", "contexts", /no contexts/],
    ["contexts: {}\n", "contexts", /must be a list/],
    ["contexts:\n- context: {cluster: a, user: b}\n", "contexts[0].name", /non-empty string/],
    ["a: 1\na: 2\n", "kubeconfig", /must not repeat a key/],
    ["a: 1\n---\nb: 2\n", "kubeconfig", /not valid YAML|single YAML document/],
    ["current-context: x\ncontexts:\n- name: y\n  context: {cluster: a, user: b}\n", "current-context", /not in the kubeconfig/],
  ])("rejects %j naming %s", (input, field, reason) => {
    const result = parseKubeconfig(input);
    expect(result).toMatchObject({ ok: false, field });
    if (!result.ok) expect(result.message).toMatch(reason);
  });

  it("rejects input over 1 MiB before parsing it", () => {
    const big = `${text(config())}# ${"x".repeat(1024 * 1024)}\n`;
    expect(parseKubeconfig(big)).toMatchObject({ ok: false, field: "kubeconfig", message: expect.stringMatching(/at most 1.0 MiB/) });
  });

  it("rejects alias bombs", () => {
    const rows = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, next] of [["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"], ["e", "f"]]) rows.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    expect(parseKubeconfig(rows.join("\n"))).toMatchObject({ ok: false, field: "kubeconfig", message: expect.stringMatching(/expand aliases/) });
  });

  it("rejects deep nesting (flow and block) without crashing the parser", () => {
    const flow = `contexts: ${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const block = Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n");
    for (const input of [flow, block]) {
      expect(parseKubeconfig(input)).toMatchObject({ ok: false, field: "kubeconfig", message: expect.stringMatching(/nest deeper than 32/) });
    }
  });

  it("rejects custom tags", () => {
    expect(parseKubeconfig("contexts: !python/object x\n")).toMatchObject({ ok: false, message: expect.stringMatching(/custom or language-specific tags/) });
  });

  it("does not quote the input in YAML syntax errors", () => {
    const result = parseKubeconfig(`users:\n- name: a\n  user: {token: ${TOKEN}\n`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain(TOKEN);
  });
});

describe("extractCredentials", () => {
  it("decodes the current context's credentials", () => {
    expect(extractCredentials(text(config()))).toEqual({ ok: true, credentials: { server: "https://10.0.0.1:6443", caData: pki.caPem, token: TOKEN } });
  });

  it("decodes a chosen context with a client certificate", () => {
    const result = extractCredentials(text(config()), "dev");
    expect(result).toEqual({ ok: true, credentials: { server: "https://127.0.0.1:6443", caData: pki.caPem, clientCertData: pki.certPem, clientKeyData: pki.keyPem } });
  });

  it("needs a context when there is no current-context", () => {
    const withoutCurrent = config();
    delete withoutCurrent["current-context"];
    expectRejected(extractCredentials(text(withoutCurrent)), "current-context", /not set/);
  });

  it("rejects a chosen context that does not exist", () => {
    expectRejected(extractCredentials(text(config()), "staging"), "context", /not in the kubeconfig/);
  });

  it.each([
    ["cluster", 'contexts["prod"].context.cluster'],
    ["user", 'contexts["prod"].context.user'],
  ])("rejects a context whose %s is missing", (what, field) => {
    const c = config();
    if (what === "cluster") c.clusters.shift();
    else c.users.shift();
    expectRejected(extractCredentials(text(c)), field, /not in the kubeconfig/);
  });

  const userCases: [string, unknown, RegExp][] = [
    ["exec", { apiVersion: "client.authentication.k8s.io/v1", command: "sh", args: ["-c", `echo ${TOKEN}`] }, /runs a local command/],
    ["auth-provider", { name: "gcp", config: { "access-token": TOKEN } }, /plugin/],
    ["tokenFile", "/var/run/secrets/token", /file path/],
    ["client-certificate", "/etc/ssl/client.crt", /file path/],
    ["client-key", "/etc/ssl/client.key", /file path/],
    ["username", "admin", /basic authentication/],
    ["password", PASSWORD, /basic authentication/],
    ["as", "system:admin", /impersonation/],
    ["made-up-field", "x", /not a supported kubeconfig field/],
  ];
  it.each(userCases)("rejects users[].user.%s", (key, value, reason) => {
    const c = config();
    c.users[0]!.user[key] = value;
    expectRejected(extractCredentials(text(c)), `users["prod-admin"].user.${key}`, reason);
  });

  const clusterCases: [string, unknown, RegExp][] = [
    ["certificate-authority", "/etc/passwd", /file path/],
    ["proxy-url", "http://proxy:3128", /proxies|only to the API server/],
    ["insecure-skip-tls-verify", true, /never disables TLS verification/],
    ["insecure-skip-tls-verify", "true", /never disables TLS verification/],
  ];
  it.each(clusterCases)("rejects clusters[].cluster.%s = %j", (key, value, reason) => {
    const c = config();
    c.clusters[0]!.cluster[key] = value;
    expectRejected(extractCredentials(text(c)), `clusters["prod"].cluster.${key}`, reason);
  });

  it("accepts insecure-skip-tls-verify: false", () => {
    const c = config();
    c.clusters[0]!.cluster["insecure-skip-tls-verify"] = false;
    expect(extractCredentials(text(c)).ok).toBe(true);
  });

  it("only checks the chosen context: another user's exec is not run and not a reason to refuse", () => {
    const c = config();
    c.users[1]!.user = { exec: { command: "sh" } };
    expect(extractCredentials(text(c), "prod").ok).toBe(true);
    expectRejected(extractCredentials(text(c), "dev"), 'users["dev-cert"].user.exec', /runs a local command/);
  });

  it.each([
    ["server", "http://10.0.0.1:6443", /https/],
    ["server", "https://169.254.169.254", /link-local/],
    ["server", "https://[fd00:ec2::254]:443", /link-local/],
    ["server", "https://[::ffff:169.254.169.254]", /link-local/],
    ["server", undefined, /required/],
    ["certificate-authority-data", "not base64!", /not valid base64/],
    ["certificate-authority-data", "QUJD", /not a PEM certificate/],
    ["certificate-authority-data", "QUJDRA=", /not valid base64/],
    ["tls-server-name", "bad name!", /DNS name/],
  ])("validates clusters[].cluster.%s = %j", (key, value, reason) => {
    const c = config();
    c.clusters[0]!.cluster[key] = value;
    expectRejected(extractCredentials(text(c)), `clusters["prod"].cluster.${key}`, reason);
  });

  it("rejects a CA block that is not a certificate", () => {
    const c = config();
    c.clusters[0]!.cluster["certificate-authority-data"] = b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expectRejected(extractCredentials(text(c)), 'clusters["prod"].cluster.certificate-authority-data', /not a valid X.509/);
  });

  it("rejects bad client certificate material without echoing it", () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ "client-certificate-data": "%%%", "client-key-data": b64(pki.keyPem) }, "client-certificate-data", /base64/],
      [{ "client-certificate-data": b64(pki.certPem), "client-key-data": b64(pki.otherKeyPem) }, "client-key-data", /does not belong/],
      [{ "client-certificate-data": b64(pki.certPem), "client-key-data": b64(pki.encryptedKeyPem) }, "client-key-data", /unencrypted/],
      [{ "client-certificate-data": b64(pki.certPem), "client-key-data": b64("hello") }, "client-key-data", /not a PEM private key/],
      [{ "client-certificate-data": b64(pki.certPem) }, "client-key-data", /required/],
      [{ "client-key-data": b64(pki.keyPem) }, "client-certificate-data", /required/],
      [{ token: `${TOKEN} with spaces` }, "token", /printable ASCII/],
      [{ token: "" }, "token", /required/],
      [{}, "token", /required/],
    ];
    for (const [user, key, reason] of cases) {
      const c = config();
      c.users[0]!.user = user;
      expectRejected(extractCredentials(text(c)), `users["prod-admin"].user.${key}`, reason);
    }
  });
});

describe("checkCredentials (the URL + token form)", () => {
  it("accepts a URL, a token and a CA bundle", () => {
    const credentials = { server: "https://10.0.0.1:6443", token: TOKEN, caData: pki.caPem + pki.certPem };
    expect(checkCredentials(credentials)).toEqual({ ok: true, credentials });
  });

  it("names the field and keeps the token out of the reason", () => {
    const result = checkCredentials({ server: "https://169.254.169.254", token: TOKEN });
    expect(result).toMatchObject({ ok: false, field: "server" });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});

describe("decodeBase64", () => {
  it.each([["aGVsbG8=", "hello"], ["aGVs\nbG8=", "hello"], ["", ""]])("decodes %j", (input, output) => {
    expect(decodeBase64(input)).toBe(output);
  });

  it.each(["aGVsbG8", "aGVsbG8==", "aGVs bG8=", "aGVsbG9=", "aGV-bG8=", "====", "a==="])("rejects %j", (input) => {
    expect(decodeBase64(input)).toBeUndefined();
  });
});
