import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import { useTempDatabase } from "@/test-support/temp-db";
import { fieldLabel } from "@/lib/validation/field-labels";

// The data layer against a real SQLite file; clusters point at a closed port, so nothing is reachable.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("./store");
let rollouts: typeof import("@/lib/push/rollouts");
let tables: typeof import("@/db/schema-configurations");
const clusterIds: Record<string, string> = {};
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  store = await import("./store");
  rollouts = await import("@/lib/push/rollouts");
  tables = await import("@/db/schema-configurations");
  // Rows written directly: the registry module pulls in the Kubernetes client, slow to load and not needed here.
  const { clusters } = await import("@/db/schema");
  const now = new Date();
  for (const [name, labels] of [["prod-1", { env: "prod" }], ["prod-2", { env: "prod" }], ["dev-1", { env: "dev" }]] as const) {
    const id = `id-${name}`;
    const common = { displayName: name, server: "https://127.0.0.1:1", authMethod: "token" as const, credentialsFingerprint: "x", credentialsRotatedAt: now, updatedAt: now, createdBy: "test" };
    temp.db.insert(clusters).values({ id, name, labels, credentials: "unused", ...common }).run();
    clusterIds[name] = id;
  }
});
afterAll(() => temp?.cleanup());

function spec(overrides: Record<string, unknown> = {}) {
  return {
    name: "baseline",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "infra", path: "infrastructure" }],
    targets: { selector: { matchLabels: { env: "prod" } } },
    ...overrides,
  };
}

function rowCounts() {
  const db = temp.db;
  return {
    configurations: db.select().from(tables.configurations).all().length,
    versions: db.select().from(tables.configurationVersions).all().length,
  };
}

describe("validation writes nothing and names the field", () => {
  it.each([
    ["a bad name", spec({ name: "Baseline!" }), "name"],
    ["a file:// URL", spec({ source: { kind: "GitRepository", url: "file:///etc", ref: { type: "branch", value: "main" } } }), "source.url"],
    ["a path escaping the repo", spec({ kustomizations: [{ name: "infra", path: "../../etc" }] }), "kustomizations.0.path"],
    ["an unknown credential", spec({ source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, credentialId: "nope" } }), "source.credentialId"],
    ["an unknown cluster", spec({ targets: { clusterIds: ["not-a-cluster"] } }), "targets.clusterIds.0"],
    ["a loopback source (local sources are off)", spec({ source: { kind: "GitRepository", url: "https://127.0.0.1/repo", ref: { type: "branch", value: "main" } } }), "source.url"],
  ])("refuses %s", (_, input, field) => {
    const before = rowCounts();
    const result = store.createConfiguration(input, { author: "op@example.com" });
    expect(result.status).toBe("invalid");
    if (result.status === "invalid") {
      expect(Object.keys(result.fieldErrors)).toContain(field);
      // The message names the field as the form labels it (issue 13: labels, never paths).
      expect(result.message).toContain(fieldLabel(field));
      expect(result.message).not.toContain(field.includes(".") ? field : "\u0000");
    }
    expect(rowCounts()).toEqual(before);
  });

  it("refuses a credential bound to another host", async () => {
    const { createCredential } = await import("@/lib/credentials/store");
    const credential = await createCredential({ type: "https", name: "gitlab-token", host: "gitlab.com", username: "bot", password: "s3cret" }, { author: "admin" });
    if (credential.status !== "ok") throw new Error("setup");
    const before = rowCounts();
    const input = spec({ source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, credentialId: credential.credential.id } });
    const result = store.createConfiguration(input, { author: "op@example.com" });
    expect(result.status === "invalid" && result.fieldErrors["source.credentialId"]).toMatch(/bound to host gitlab.com/);
    expect(rowCounts()).toEqual(before);
  });
});

describe("ownership of rendered names", () => {
  it("refuses a Kustomization whose object name another configuration already renders, naming it (issue 14, defect 2)", () => {
    const first = store.createConfiguration(spec({ name: "a", kustomizations: [{ name: "b-c", path: "infrastructure" }] }), { author: "op@example.com" });
    expect(first.status).toBe("ok");
    const before = rowCounts();
    // `a` + `b-c` and `a-b` + `c` both render Kustomization flux-system/a-b-c.
    const second = store.createConfiguration(spec({ name: "a-b", kustomizations: [{ name: "c", path: "apps" }] }), { author: "op@example.com" });
    expect(second.status).toBe("invalid");
    if (second.status !== "invalid") return;
    expect(second.fieldErrors["kustomizations.0.name"]).toMatch(/Kustomization flux-system\/a-b-c.*configuration "a"/);
    expect(second.message).toContain(fieldLabel("kustomizations.0.name"));
    expect(rowCounts()).toEqual(before);
    // A new version of `a` itself is not a collision with itself; another Kustomization name is another object.
    // (Another namespace would not do: Argo CD Applications all live in argocd.)
    if (first.status !== "ok") return;
    expect(store.updateConfiguration(first.configuration.id, spec({ name: "a", kustomizations: [{ name: "b-c", path: "apps" }] }), { author: "op@example.com" }).status).toBe("ok");
    expect(store.createConfiguration(spec({ name: "a-b", kustomizations: [{ name: "d", path: "apps" }] }), { author: "op@example.com" }).status).toBe("ok");
  });
});

describe("versions", () => {
  let id: string;

  it("creates version 1 and then a new immutable version per save", () => {
    const created = store.createConfiguration(spec(), { author: "op@example.com", message: "first" });
    if (created.status !== "ok") throw new Error(JSON.stringify(created));
    id = created.configuration.id;
    expect(created.version).toBe(1);
    const updated = store.updateConfiguration(id, spec({ kustomizations: [{ name: "infra", path: "infrastructure", interval: "5m" }] }), { author: "b@example.com", message: "faster" });
    expect(updated.status === "ok" && updated.version).toBe(2);
    expect(store.listVersions(id).map((v) => [v.version, v.author, v.message])).toEqual([
      [2, "b@example.com", "faster"],
      [1, "op@example.com", "first"],
    ]);
    expect(store.getVersion(id, 1)?.spec.kustomizations[0]?.interval).toBe("10m");
    expect(store.getConfiguration(id)?.spec.kustomizations[0]?.interval).toBe("5m");
  });

  it("refuses a rename, a duplicate name and an invalid update without writing", () => {
    const before = rowCounts();
    const renamed = store.updateConfiguration(id, spec({ name: "other" }), { author: "a" });
    expect(renamed.status === "invalid" && renamed.fieldErrors.name).toMatch(/cannot be changed/);
    const duplicate = store.createConfiguration(spec(), { author: "a" });
    expect(duplicate.status === "invalid" && duplicate.fieldErrors.name).toMatch(/already used/);
    const bad = store.updateConfiguration(id, spec({ kustomizations: [{ name: "infra", interval: "forever" }] }), { author: "a" });
    expect(bad.status === "invalid" && Object.keys(bad.fieldErrors)).toEqual(["kustomizations.0.interval"]);
    expect(rowCounts()).toEqual(before);
    expect(store.updateConfiguration("missing", spec(), { author: "a" }).status).toBe("not-found");
  });

  it("plans a push: one pending row per matching cluster, targets recorded, version marked pushed", () => {
    const started = rollouts.startRollout(id, 2, { actor });
    if (started.status !== "ok") throw new Error(JSON.stringify(started));
    expect(started.clusterCount).toBe(2);
    const progress = rollouts.getRolloutProgress(started.rolloutId);
    expect(progress?.state).toBe("running");
    expect(progress?.clusters.map((c) => [c.clusterName, c.action, c.state])).toEqual([
      ["prod-1", "apply", "pending"],
      ["prod-2", "apply", "pending"],
    ]);
    expect(JSON.stringify(progress)).not.toContain("op@example.com\",\"role");
    expect(store.getConfiguration(id)?.pushedVersion).toBe(2);
    expect(store.getConfiguration(id)?.targets.map((t) => [t.clusterName, t.reason])).toEqual([
      ["prod-1", "selector"],
      ["prod-2", "selector"],
    ]);
  });

  it("refuses to push to a cluster that is not a target, and an oversized batch", () => {
    const notTarget = rollouts.startRollout(id, 2, { actor, clusterIds: [clusterIds["dev-1"]!] });
    expect(notTarget.status === "invalid" && notTarget.fieldErrors["clusterIds.0"]).toMatch(/not a target/);
    const huge = rollouts.startRollout(id, 2, { actor, clusterIds: Array.from({ length: 5001 }, (_, i) => `c${i}`) });
    expect(huge.status === "invalid" && huge.fieldErrors.clusterIds).toMatch(/at most 5,000/);
  });

  it("plans removal from clusters that stopped being targets on the next full push", () => {
    store.updateConfiguration(id, spec({ targets: { clusterIds: [clusterIds["prod-1"]!] } }), { author: "a" });
    const started = rollouts.startRollout(id, 3, { actor });
    if (started.status !== "ok") throw new Error("setup");
    expect(rollouts.getRolloutProgress(started.rolloutId)?.clusters.map((c) => [c.clusterName, c.action])).toEqual([
      ["prod-1", "apply"],
      ["prod-2", "remove"],
    ]);
  });

  it("keeps a credential that a configuration uses", async () => {
    const { createCredential, deleteCredential } = await import("@/lib/credentials/store");
    const credential = await createCredential({ type: "https", name: "github-token", host: "github.com", username: "bot", password: "s3cret" }, { author: "admin" });
    if (credential.status !== "ok") throw new Error("setup");
    const source = { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, credentialId: credential.credential.id };
    expect(store.updateConfiguration(id, spec({ source, targets: { clusterIds: [clusterIds["prod-1"]!] } }), { author: "a" }).status).toBe("ok");
    expect(deleteCredential(credential.credential.id)).toEqual({ status: "in-use", configurations: ["baseline"] });
  });

  it("keeps the keys a configuration verifies and decrypts with", async () => {
    const { createCredential, deleteCredential } = await import("@/lib/credentials/store");
    const { generateIdentity } = await import("age-encryption");
    const { generateKey } = await import("openpgp");
    const pgp = await generateKey({ type: "ecc", curve: "curve25519Legacy", userIDs: [{ email: "release@example.com" }], format: "armored" });
    const signing = await createCredential({ type: "pgp", name: "release-keys", publicKeys: pgp.publicKey }, { author: "admin" });
    const sops = await createCredential({ type: "sops", name: "sops-age", privateKey: await generateIdentity() }, { author: "admin" });
    const unused = await createCredential({ type: "sops", name: "sops-unused", privateKey: await generateIdentity() }, { author: "admin" });
    if (signing.status !== "ok" || sops.status !== "ok" || unused.status !== "ok") throw new Error("setup");
    const source = { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, verify: { mode: "HEAD", credentialId: signing.credential.id } };
    const kustomizations = [{ name: "apps" }, { name: "secrets", decryption: { provider: "sops", credentialId: sops.credential.id } }];
    const saved = store.updateConfiguration(id, spec({ source, kustomizations, targets: { clusterIds: [clusterIds["prod-1"]!] } }), { author: "a" });
    expect(saved.status).toBe("ok");
    expect(deleteCredential(signing.credential.id)).toEqual({ status: "in-use", configurations: ["baseline"] });
    expect(deleteCredential(sops.credential.id)).toEqual({ status: "in-use", configurations: ["baseline"] });
    expect(deleteCredential(unused.credential.id)).toEqual({ status: "ok" });
  });
});

describe("scale", () => {
  it("plans a push to thousands of clusters in one transaction", async () => {
    const { clusters } = await import("@/db/schema");
    const now = new Date();
    const common = { server: "https://127.0.0.1:1", authMethod: "token" as const, credentials: "unused", credentialsFingerprint: "x", credentialsRotatedAt: now, updatedAt: now, createdBy: "test" };
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: `big-${i}`, name: `big-${i}`, displayName: `big-${i}`, labels: { tier: "big" }, ...common }));
    for (let start = 0; start < rows.length; start += 500) temp.db.insert(clusters).values(rows.slice(start, start + 500)).run();
    const created = store.createConfiguration(spec({ name: "big", targets: { selector: { matchLabels: { tier: "big" } } } }), { author: "a" });
    if (created.status !== "ok") throw new Error("setup");
    const started = rollouts.startRollout(created.configuration.id, 1, { actor });
    expect(started.status === "ok" && started.clusterCount).toBe(3000);
    expect(store.getConfiguration(created.configuration.id)?.targetCount).toBe(3000);
  });
});
