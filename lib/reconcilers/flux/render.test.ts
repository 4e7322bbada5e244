import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { base64Encode } from "./credentials";
import { maskedCredential, maskSecrets, renderFluxObjects, toYaml } from "./render";
import {
  bucketInput,
  CANARY,
  fluxFieldsInput,
  CREDENTIALS,
  gitHttpsInput,
  helmInput,
  ociInput,
  KEY_IDS,
  KEYS,
  keySignedOciInput,
  signedGitInput,
  signedOciInput,
  sopsInput,
  sparseGitInput,
  suspendedNamespacedInput,
} from "./test-fixtures";
import type { KubeObject, RenderInput } from "./types";

const GOLDEN_CASES: Array<[string, RenderInput]> = [
  ["git-https.yaml", gitHttpsInput],
  ["oci.yaml", ociInput],
  ["bucket.yaml", bucketInput],
  ["helm-repository.yaml", helmInput],
  ["suspended-namespace-scoped.yaml", suspendedNamespacedInput],
  ["flux-fields.yaml", fluxFieldsInput],
  ["sparse-git.yaml", sparseGitInput],
  ["signed-oci.yaml", signedOciInput],
  ["signed-git.yaml", signedGitInput],
  ["key-signed-oci.yaml", keySignedOciInput],
  ["sops.yaml", sopsInput],
];

describe("renderFluxObjects golden output", () => {
  // UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
  it.each(GOLDEN_CASES)("matches __golden__/%s", (file, input) => {
    const path = fileURLToPath(new URL(`./__golden__/${file}`, import.meta.url));
    const yaml = toYaml(renderFluxObjects(input));
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, yaml);
    if (!existsSync(path)) throw new Error(`missing golden ${file}: run the tests with UPDATE_GOLDEN=1`);
    expect(yaml).toBe(readFileSync(path, "utf8"));
  });
});

const ALL_INPUTS = GOLDEN_CASES.map(([, input]) => input);
const canaryForms = Object.values(CANARY).flatMap((value) => [value, base64Encode(value), value.split("\n")[1] ?? value]);

function containsCanary(text: string): boolean {
  return canaryForms.some((canary) => canary.length > 0 && text.includes(canary));
}

function walk(value: unknown, visit: (value: unknown, path: string) => void, path = ""): void {
  visit(value, path);
  if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) walk(child, visit, `${path}.${key}`);
  }
}

describe("renderFluxObjects", () => {
  it("returns objects in apply order", () => {
    const kinds = (input: RenderInput) => renderFluxObjects(input).map((object) => `${object.kind}/${object.metadata.name}`);
    expect(kinds(gitHttpsInput)).toEqual(["Secret/baseline-auth", "GitRepository/baseline", "Kustomization/baseline-infra", "Kustomization/baseline-apps"]);
    expect(kinds(suspendedNamespacedInput)).toEqual([
      "Namespace/team-shop",
      "ServiceAccount/shop-reconciler",
      "RoleBinding/shop-reconciler",
      "Secret/shop-auth",
      "GitRepository/shop",
      "Kustomization/shop-app",
      "HelmRelease/shop-cache",
    ]);
  });

  it("confines a namespace-scoped configuration: its workloads apply as a service account bound to admin in that namespace only", () => {
    const objects = renderFluxObjects(suspendedNamespacedInput);
    const account = objects.find((o) => o.kind === "ServiceAccount");
    expect(account?.metadata).toMatchObject({ name: "shop-reconciler", namespace: "team-shop" });
    const binding = objects.find((o) => o.kind === "RoleBinding");
    expect(binding).toMatchObject({
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: { name: "shop-reconciler", namespace: "team-shop" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "ServiceAccount", name: "shop-reconciler", namespace: "team-shop" }],
    });
    // No ClusterRoleBinding: the rights end at the namespace.
    expect(objects.some((o) => o.kind.startsWith("Cluster"))).toBe(false);
    for (const workload of objects.filter((o) => o.kind === "Kustomization" || o.kind === "HelmRelease")) {
      expect(workload.spec?.serviceAccountName, workload.metadata.name).toBe("shop-reconciler");
      // Sources are referenced without a namespace: always the configuration's own.
      const ref = (workload.spec?.sourceRef ?? (workload.spec?.chart as { spec: { sourceRef: unknown } }).spec.sourceRef) as Record<string, unknown>;
      expect(ref.namespace, workload.metadata.name).toBeUndefined();
    }
  });

  it("renders no service account for a cluster-scoped configuration", () => {
    for (const input of [gitHttpsInput, ociInput, bucketInput, helmInput]) {
      const objects = renderFluxObjects(input);
      expect(objects.some((o) => o.kind === "ServiceAccount" || o.kind === "RoleBinding")).toBe(false);
      for (const workload of objects.filter((o) => o.kind === "Kustomization" || o.kind === "HelmRelease")) expect(workload.spec?.serviceAccountName).toBeUndefined();
    }
  });

  it("renders every §3 Flux field under its Flux name, and leaves unset ones out", () => {
    const objects = renderFluxObjects(fluxFieldsInput);
    const apps = objects.find((o) => o.metadata.name === "platform-apps")?.spec ?? {};
    expect(Object.keys(apps)).toEqual(expect.arrayContaining(["postBuild", "patches", "images", "healthChecks", "components", "deletionPolicy", "serviceAccountName"]));
    expect(apps.postBuild).toEqual({
      substitute: { cluster_env: "prod" },
      substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars" }, { kind: "Secret", name: "cluster-secrets", optional: true }],
    });
    expect(apps.serviceAccountName).toBe("platform-applier");
    const web = objects.find((o) => o.metadata.name === "platform-web")?.spec ?? {};
    expect(web).toMatchObject({
      dependsOn: [{ name: "platform-redis" }],
      timeout: "10m",
      maxHistory: 3,
      install: { remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 2, remediateLastFailure: true, strategy: "uninstall" } },
      driftDetection: { mode: "warn" },
    });
    const redis = objects.find((o) => o.metadata.name === "platform-redis")?.spec ?? {};
    for (const key of ["dependsOn", "timeout", "maxHistory", "install", "upgrade", "valuesFrom", "driftDetection"]) expect(redis[key], key).toBeUndefined();
  });

  it("labels and annotates every object", () => {
    for (const input of ALL_INPUTS) {
      for (const object of renderFluxObjects(input)) {
        expect(object.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "fleetline", "fleetline.io/configuration": input.spec.name, "fleetline.io/configuration-id": input.configurationId });
        expect(object.metadata.annotations).toEqual({ "fleetline.io/version": String(input.version), "fleetline.io/configuration-id": "cfg_01HZX3" });
      }
    }
  });

  it("never writes a secret outside Secret data", () => {
    for (const input of ALL_INPUTS) {
      for (const object of renderFluxObjects(input)) {
        const { data, ...rest } = object;
        expect(containsCanary(JSON.stringify(rest)), `${object.kind}/${object.metadata.name}`).toBe(false);
        if (object.kind !== "Secret") expect(data).toBeUndefined();
      }
    }
  });

  it("renders no null or undefined field outside Helm values", () => {
    for (const input of ALL_INPUTS) {
      for (const object of renderFluxObjects(input)) {
        walk(object, (value, path) => {
          if (!path.startsWith(".spec.values")) expect(value ?? "missing", path).not.toBe("missing");
        });
      }
    }
  });

  it("masks every secret value for previews", () => {
    for (const input of ALL_INPUTS) {
      const masked = toYaml(maskSecrets(renderFluxObjects(input)));
      expect(containsCanary(masked)).toBe(false);
    }
    for (const credential of Object.values(CREDENTIALS)) {
      const source = credential.type === "ssh" ? suspendedNamespacedInput : gitHttpsInput;
      const masked = toYaml(maskSecrets(renderFluxObjects({ ...source, credential })));
      expect(containsCanary(masked), credential.type).toBe(false);
      expect(masked).toContain("•••• (masked)");
    }
  });

  it("renders the same masked preview from a masked credential (no secret in the browser)", () => {
    const real = toYaml(maskSecrets(renderFluxObjects(gitHttpsInput)));
    const preview = toYaml(maskSecrets(renderFluxObjects({ ...gitHttpsInput, credential: maskedCredential("https", { withCaCert: true }) })));
    expect(preview).toBe(real);
  });

  it("refuses inconsistent input instead of rendering a broken object", () => {
    const withoutCredential: RenderInput = { spec: gitHttpsInput.spec, version: 1, configurationId: "x" };
    expect(() => renderFluxObjects(withoutCredential)).toThrow("the source names a credential but none was passed");
    expect(() => renderFluxObjects({ ...bucketInput, credential: CREDENTIALS.https })).toThrow("a credential was passed but the source names none");
    expect(() => renderFluxObjects({ ...gitHttpsInput, credential: CREDENTIALS.ssh })).toThrow("an SSH key needs an ssh:// repository URL");
    expect(() => renderFluxObjects({ ...bucketInput, version: 0 })).toThrow("version must be a positive integer");
    expect(() => renderFluxObjects({ ...bucketInput, configurationId: "" })).toThrow("configurationId must not be empty");
  });

  it("does not share or mutate the input spec", () => {
    const before = JSON.stringify(gitHttpsInput.spec);
    const objects: KubeObject[] = renderFluxObjects(gitHttpsInput);
    const apps = objects.find((object) => object.metadata.name === "baseline-apps");
    const postBuild = apps?.spec?.postBuild;
    if (typeof postBuild === "object" && postBuild !== null && !Array.isArray(postBuild)) postBuild.substitute = {};
    expect(JSON.stringify(gitHttpsInput.spec)).toBe(before);
  });
});

describe("key credentials", () => {
  const secretData = (input: RenderInput, name: string) => renderFluxObjects(input).find((o) => o.kind === "Secret" && o.metadata.name === name)?.data;
  const decode = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString("utf8");

  it("are rendered as Secrets before the source, one armored key per entry, and named by the source and Kustomizations", () => {
    expect(renderFluxObjects(signedGitInput).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Secret/signed-platform-verify", "GitRepository/signed-platform", "Kustomization/signed-platform-platform"]);
    const data = secretData(signedGitInput, "signed-platform-verify")!;
    expect(Object.keys(data)).toEqual(["key-1.asc", "key-2.asc"]);
    expect(decode(data["key-2.asc"])).toBe(KEYS.pgp.publicKeys[1]);
    expect(Object.keys(secretData(keySignedOciInput, "key-signed-verify")!)).toEqual(["cosign.pub"]);
  });

  it("give each distinct SOPS key one Secret, in the entry its format needs, and leave a key-less decryption to the controller's identity", () => {
    const objects = renderFluxObjects(sopsInput);
    expect(Object.keys(secretData(sopsInput, "secrets-sops")!)).toEqual(["identity.agekey"]);
    expect(Object.keys(secretData(sopsInput, "secrets-sops-2")!)).toEqual(["identity.asc"]);
    const decryption = (name: string) => objects.find((o) => o.kind === "Kustomization" && o.metadata.name === `secrets-${name}`)?.spec?.decryption;
    expect(decryption("apps")).toEqual({ provider: "sops", secretRef: { name: "secrets-sops" } });
    expect(decryption("jobs")).toEqual({ provider: "sops", secretRef: { name: "secrets-sops" } });
    expect(decryption("legacy")).toEqual({ provider: "sops", secretRef: { name: "secrets-sops-2" } });
    expect(decryption("kms")).toEqual({ provider: "sops" });
    expect(objects.filter((o) => o.kind === "Secret")).toHaveLength(2);
  });

  it("are required: a spec naming a key that was not passed, or one of another type, is a caller's mistake", () => {
    expect(() => renderFluxObjects({ ...sopsInput, keys: { [KEY_IDS.age]: KEYS.age } })).toThrow(/kustomizations.2.decryption.credentialId names a key credential that was not passed/);
    expect(() => renderFluxObjects({ ...signedGitInput, keys: { [KEY_IDS.pgp]: KEYS.cosign } })).toThrow(/needs a pgp key credential, not cosign/);
  });

  it("never print a private key: masked YAML hides every Secret value", () => {
    const yaml = toYaml(maskSecrets(renderFluxObjects(sopsInput)));
    expect(yaml).not.toContain("CANARYAGEIDENTITY");
    expect(yaml).not.toContain(base64Encode(KEYS.age.privateKey));
    expect(yaml).not.toContain("canary-sops-pgp");
  });
});
