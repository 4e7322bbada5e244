import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurationSpecSchema, type SourceSpec } from "@/lib/validation/configuration";
import { useTempDatabase } from "@/test-support/temp-db";
import { generateEd25519KeyPair } from "./ssh-key";

type Store = typeof import("./store");
let store: Store;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;

const PASSWORD = "canary-token-93a1c7";
const hostKey = generateEd25519KeyPair("host").publicKey.split(" ").slice(0, 2).join(" ");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  store = await import("./store");
});
afterAll(() => temp?.cleanup());

function gitSource(url: string): SourceSpec {
  return configurationSpecSchema.parse({
    name: "demo",
    scope: "cluster",
    source: { kind: "GitRepository", url, ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps" }],
    targets: { clusterIds: ["c1"] },
  }).source;
}

async function credentialRowCount(): Promise<number> {
  const { credentials } = await import("@/db/schema-configurations");
  return temp.db.select().from(credentials).all().length;
}

describe("createCredential", () => {
  it("generates an SSH key and shows only its public half", async () => {
    const result = await store.createCredential({ type: "ssh", name: "deploy-key", host: "GitHub.com", knownHosts: `github.com ${hostKey}` }, { author: "admin@example.com" });
    expect(result.status).toBe("ok");
    if (result.status !== "ok") return;
    const view = result.credential;
    expect(view).toMatchObject({ type: "ssh", host: "github.com", knownHosts: ["github.com"], username: null, createdBy: "admin@example.com" });
    expect(view.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ fleetline-deploy-key$/);
    expect(view.fingerprint).toMatch(/^SHA256:/);
    expect(JSON.stringify(view)).not.toMatch(/PRIVATE KEY|sealed|identity/);

    const rendered = store.toRenderCredential(view.id, gitSource("ssh://git@github.com/acme/fleet"));
    expect(rendered.type === "ssh" && rendered.identity).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(rendered.type === "ssh" && rendered.identityPub).toBe(view.publicKey);
  });

  it("stores an HTTPS token sealed: the view, the list and the database file never hold it", async () => {
    const result = await store.createCredential({ type: "https", name: "git-token", host: "git.example.com", username: "fleet-bot", password: PASSWORD, caCert: "" }, { author: "a" });
    expect(result.status).toBe("ok");
    if (result.status !== "ok") return;
    expect(result.credential).toMatchObject({ username: "fleet-bot", hasCaCert: false, publicKey: null });
    expect(JSON.stringify(store.listCredentials())).not.toContain(PASSWORD);
    const bytes = temp.storedText();
    expect(bytes).not.toContain(PASSWORD);
    expect(store.toRenderCredential(result.credential.id, gitSource("https://git.example.com/acme/fleet"))).toEqual({ type: "https", username: "fleet-bot", password: PASSWORD });
  });

  it.each([
    ["no type", { name: "x", host: "github.com" }, "type"],
    ["bad name", { type: "bearer", name: "Bad Name", host: "github.com", token: "t" }, "name"],
    ["host with scheme", { type: "bearer", name: "x", host: "https://github.com", token: "t" }, "host"],
    ["token with a line break", { type: "bearer", name: "x", host: "github.com", token: "a\nX-Evil: 1" }, "token"],
    ["username with a colon", { type: "https", name: "x", host: "github.com", username: "a:b", password: "p" }, "username"],
    ["CA that is not PEM", { type: "ca", name: "x", host: "github.com", caCert: "hello" }, "caCert"],
    ["CA block that is not a certificate", { type: "ca", name: "x", host: "github.com", caCert: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }, "caCert"],
    ["pasted key that is not a key", { type: "ssh", name: "x", host: "github.com", knownHosts: `github.com ${hostKey}`, privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n-----END OPENSSH PRIVATE KEY-----" }, "privateKey"],
    ["known_hosts for another host", { type: "ssh", name: "x", host: "github.com", knownHosts: `gitlab.com ${hostKey}` }, "knownHosts"],
    ["no known_hosts", { type: "ssh", name: "x", host: "github.com", knownHosts: " " }, "knownHosts"],
  ])("refuses %s, naming the field, and writes nothing", async (_, input, field) => {
    const before = await credentialRowCount();
    const result = await store.createCredential(input, { author: "a" });
    expect(result.status).toBe("invalid");
    if (result.status === "invalid") expect(Object.keys(result.fieldErrors)).toContain(field);
    expect(await credentialRowCount()).toBe(before);
  });

  it("does not echo a refused secret back", async () => {
    const result = await store.createCredential({ type: "bearer", name: "x", host: "github.com", token: `${PASSWORD}\n` }, { author: "a" });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it("refuses a second credential with the same name", async () => {
    const input = { type: "bearer", name: "twice", host: "github.com", token: "t" };
    expect((await store.createCredential(input, { author: "a" })).status).toBe("ok");
    const again = await store.createCredential(input, { author: "a" });
    expect(again.status === "invalid" && again.fieldErrors.name).toMatch(/already used/);
  });
});

describe("host binding at use", () => {
  it("says why a credential cannot go to a source, and refuses to decrypt it for another host", async () => {
    const created = await store.createCredential({ type: "bearer", name: "bound", host: "github.com", token: "t0k3n" }, { author: "a" });
    if (created.status !== "ok") throw new Error("setup");
    const { id } = created.credential;
    expect(store.credentialProblemForSource(id, gitSource("https://github.com/acme/fleet"))).toBeUndefined();
    expect(store.credentialProblemForSource(id, gitSource("https://evil.example/acme/fleet"))).toMatch(/bound to host github.com/);
    expect(store.credentialProblemForSource(id, gitSource("ssh://git@github.com/acme/fleet"))).toMatch(/http/);
    expect(store.credentialProblemForSource("missing", gitSource("https://github.com/acme/fleet"))).toBe("no such credential");
    expect(() => store.toRenderCredential(id, gitSource("https://evil.example/acme/fleet"))).toThrow(store.CredentialUnavailableError);
  });
});

describe("fingerprints (issue 11 item 9)", () => {
  const unsalted = (json: string) => `sha256:${crypto.createHash("sha256").update(json).digest("hex").slice(0, 16)}`;

  it("are keyed: no offline guess from the username and a candidate password", async () => {
    const result = await store.createCredential({ type: "https", name: "fp-token", host: "git.example.com", username: "fleet-bot", password: "Summer2024!" }, { author: "a" });
    if (result.status !== "ok") throw new Error(result.message);
    const guess = JSON.stringify({ type: "https", username: "fleet-bot", password: "Summer2024!" });
    expect(result.credential.fingerprint).not.toBe(unsalted(guess));
    expect(result.credential.fingerprint).toMatch(/^hmac:[0-9a-f]{16}$/);
  });

  it("stored unsalted fingerprints are recomputed", async () => {
    const result = await store.createCredential({ type: "bearer", name: "fp-old", host: "git.example.com", token: "old-style-token-1" }, { author: "a" });
    if (result.status !== "ok") throw new Error(result.message);
    const { credentials } = await import("@/db/schema-configurations");
    const { eq } = await import("drizzle-orm");
    const old = unsalted(JSON.stringify({ type: "bearer", token: "old-style-token-1" }));
    temp.db.update(credentials).set({ fingerprint: old }).where(eq(credentials.id, result.credential.id)).run();
    expect(store.recomputeFingerprints()).toBeGreaterThanOrEqual(1);
    const row = temp.db.select().from(credentials).where(eq(credentials.id, result.credential.id)).get();
    expect(row?.fingerprint).toBe(result.credential.fingerprint);
  });

  it("a stored credential that no longer opens is skipped, not fatal: start-up goes on and the others are recomputed", async () => {
    const broken = await store.createCredential({ type: "bearer", name: "fp-broken", host: "git.example.com", token: "broken-token-1" }, { author: "a" });
    const good = await store.createCredential({ type: "bearer", name: "fp-good", host: "git.example.com", token: "good-token-1" }, { author: "a" });
    if (broken.status !== "ok" || good.status !== "ok") throw new Error("setup failed");
    const { credentials } = await import("@/db/schema-configurations");
    const { eq } = await import("drizzle-orm");
    // Sealed under another key (or tampered): the row no longer opens with this one.
    temp.db.update(credentials).set({ fingerprint: "old-1", sealed: "v1:AAAA:BBBB:CCCC" }).where(eq(credentials.id, broken.credential.id)).run();
    temp.db.update(credentials).set({ fingerprint: "old-2" }).where(eq(credentials.id, good.credential.id)).run();
    expect(() => store.recomputeFingerprints()).not.toThrow();
    expect(temp.db.select().from(credentials).where(eq(credentials.id, good.credential.id)).get()?.fingerprint).toBe(good.credential.fingerprint);
    expect(temp.db.select().from(credentials).where(eq(credentials.id, broken.credential.id)).get()?.fingerprint).toBe("old-1");
  });
});

describe("key credentials", () => {
  const spec = (source: object, kustomizations: object[] = [{ name: "apps" }]) =>
    configurationSpecSchema.parse({ name: "signed", scope: "cluster", source, kustomizations, targets: { clusterIds: ["c1"] } });

  it("seal a SOPS age identity: the view shows only its recipient, the database file never holds it, a render gets it back", async () => {
    const { generateIdentity, identityToRecipient } = await import("age-encryption");
    const identity = await generateIdentity();
    const result = await store.createCredential({ type: "sops", name: "team-a-age", privateKey: `# public key: ${await identityToRecipient(identity)}\n${identity}\n` }, { author: "a" });
    expect(result.status).toBe("ok");
    if (result.status !== "ok") return;
    expect(result.credential).toMatchObject({ type: "sops", host: "", fingerprint: await identityToRecipient(identity) });
    expect(JSON.stringify(store.listCredentials())).not.toContain(identity);
    const bytes = temp.storedText();
    expect(bytes).not.toContain(identity.slice(16));
    const withDecryption = spec({ kind: "GitRepository", url: "https://github.com/acme/x", ref: { type: "branch", value: "main" } }, [{ name: "apps", decryption: { provider: "sops", credentialId: result.credential.id } }]);
    expect(store.renderKeysFor(withDecryption)).toEqual({ [result.credential.id]: { type: "sops", format: "age", privateKey: `${identity}\n` } });
    expect(store.maskedSecretsFor(withDecryption).keys).toEqual({ [result.credential.id]: { type: "sops", format: "age", privateKey: "•••• (masked)" } });
    // A key deleted under the spec: previews still render (a masked placeholder); status gets the reason in words.
    const gone = spec({ kind: "GitRepository", url: "https://github.com/acme/x", ref: { type: "branch", value: "main" } }, [{ name: "apps", decryption: { provider: "sops", credentialId: "deleted-key" } }]);
    expect(store.maskedSecretsFor(gone)).toEqual({ keys: { "deleted-key": { type: "sops", format: "pgp", privateKey: "•••• (masked)" } }, problem: "the SOPS decryption key credential (kustomizations.0.decryption.credentialId) no longer exists" });
  });

  it("are checked by type where a spec names them, and cannot log in to a source", async () => {
    const { publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const cosign = await store.createCredential({ type: "cosign", name: "release-cosign", publicKey: publicKey.export({ type: "spki", format: "pem" }).toString() }, { author: "a" });
    if (cosign.status !== "ok") throw new Error(JSON.stringify(cosign));
    expect(cosign.credential.fingerprint).toMatch(/^SHA256:/);
    const git = { kind: "GitRepository", url: "https://github.com/acme/x", ref: { type: "tag", value: "v1" } };
    expect(store.keyCredentialProblems(spec({ ...git, verify: { mode: "Tag", credentialId: cosign.credential.id } }))).toEqual({ "source.verify.credentialId": "must be a PGP public key set credential, not cosign" });
    expect(store.keyCredentialProblems(spec({ ...git, verify: { mode: "Tag", credentialId: "gone" } }))).toEqual({ "source.verify.credentialId": "no such credential" });
    const oci = spec({ kind: "OCIRepository", url: "oci://ghcr.io/acme/app", ref: { type: "tag", value: "1.0.0" }, verify: { provider: "cosign", credentialId: cosign.credential.id } });
    expect(store.keyCredentialProblems(oci)).toEqual({});
    expect(store.credentialProblemForSource(cosign.credential.id, oci.source)).toMatch(/cosign public key: it verifies or decrypts, it cannot log in/);
    expect(() => store.toRenderCredential(cosign.credential.id, oci.source)).toThrow(/cannot log in/);
  });

  it("refuse a missing or mistyped field by name, and write nothing", async () => {
    const before = await credentialRowCount();
    const cases: Array<[object, string]> = [
      [{ type: "pgp", name: "k1", publicKeys: "hello" }, "publicKeys"],
      [{ type: "cosign", name: "k2", publicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" }, "publicKey"],
      [{ type: "sops", name: "k3", privateKey: "AGE-SECRET-KEY-1NOTREALLY" }, "privateKey"],
      [{ type: "sops", name: "k4", privateKey: "password123" }, "privateKey"],
    ];
    for (const [input, field] of cases) {
      const result = await store.createCredential(input, { author: "a" });
      expect(result.status === "invalid" && Object.keys(result.fieldErrors)).toEqual([field]);
    }
    expect(await credentialRowCount()).toBe(before);
  });
});

describe("notification webhook credentials", () => {
  const HOOK = "https://hooks.slack.com/services/T1/B1/canary-webhook-4e2a";
  const withProviders = (providers: object[]) =>
    configurationSpecSchema.parse({
      name: "alerted",
      scope: "cluster",
      source: { kind: "GitRepository", url: "https://github.com/acme/x", ref: { type: "branch", value: "main" } },
      kustomizations: [{ name: "apps" }],
      targets: { clusterIds: ["c1"] },
      notifications: { providers },
    });

  it("seal the address: the view shows its host and which entries it holds, a render gets it back, a preview masks it", async () => {
    const result = await store.createCredential({ type: "webhook", name: "slack-hook", address: HOOK, token: "" }, { author: "a" });
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    expect(result.credential).toMatchObject({ type: "webhook", host: "hooks.slack.com", publicKey: "address" });
    expect(JSON.stringify(store.listCredentials())).not.toContain("canary-webhook");
    const bytes = temp.storedText();
    expect(bytes).not.toContain("canary-webhook");
    const spec = withProviders([{ name: "slack", type: "slack", credentialId: result.credential.id }]);
    expect(store.keyCredentialProblems(spec)).toEqual({});
    expect(store.renderKeysFor(spec)).toEqual({ [result.credential.id]: { type: "webhook", address: HOOK } });
    expect(store.maskedSecretsFor(spec).keys).toEqual({ [result.credential.id]: { type: "webhook", address: "•••• (masked)" } });
    // A commit status provider reads a token, which this credential does not hold.
    expect(store.keyCredentialProblems(withProviders([{ name: "status", type: "github", address: "https://github.com/acme/x", credentialId: result.credential.id }]))).toEqual({
      "notifications.providers.0.credentialId": "must hold an API token for this provider type",
    });
    expect(store.credentialProblemForSource(result.credential.id, spec.source)).toMatch(/notification webhook: it sends notifications, it cannot log in/);
  });

  it.each<[string, object, string]>([
    ["neither address nor token", { type: "webhook", name: "w1", address: "", token: "" }, "address"],
    ["a plain http address", { type: "webhook", name: "w2", address: "http://hooks.example.com/x" }, "address"],
    ["a token with a line break", { type: "webhook", name: "w3", token: "a\nb" }, "token"],
  ])("refuse %s by name, and write nothing", async (_, input, field) => {
    const before = await credentialRowCount();
    const result = await store.createCredential(input, { author: "a" });
    expect(result.status === "invalid" && Object.keys(result.fieldErrors)).toEqual([field]);
    expect(await credentialRowCount()).toBe(before);
  });
});
