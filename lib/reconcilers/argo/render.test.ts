import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { base64Encode } from "@/lib/reconcilers/flux/credentials";
import { maskedCredential, maskSecrets, toYaml, type KubeObject, type RenderCredential, type RenderInput } from "@/lib/reconcilers/flux/render";
import { bucketInput, CANARY, CREDENTIALS, gitHttpsInput, helmInput, suspendedNamespacedInput } from "@/lib/reconcilers/flux/test-fixtures";
import { configurationSpecSchema, type ConfigurationSpecInput } from "@/lib/validation/configuration";
import { argoPath, renderArgoObjects } from "./render";

const semverInput: RenderInput = {
  spec: configurationSpecSchema.parse({
    name: "platform",
    scope: "cluster",
    argo: { project: "platform-team" },
    source: { kind: "GitRepository", url: "https://git.example.com/platform/manifests.git", ref: { type: "semver", value: ">=1.2.0 <2.0.0" } },
    kustomizations: [{ name: "ingress", path: "./", targetNamespace: "ingress-system" }],
    targets: { clusterIds: ["c1"] },
  } satisfies ConfigurationSpecInput),
  version: 1,
  configurationId: "cfg_01HZX3",
};

const GOLDEN_CASES: Array<[string, RenderInput]> = [
  ["git-https.yaml", gitHttpsInput],
  ["suspended-namespace-scoped.yaml", suspendedNamespacedInput],
  ["semver-project.yaml", semverInput],
];

describe("renderArgoObjects golden output", () => {
  // UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
  it.each(GOLDEN_CASES)("matches __golden__/%s", (file, input) => {
    const path = fileURLToPath(new URL(`./__golden__/${file}`, import.meta.url));
    const yaml = toYaml(renderArgoObjects(input));
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, yaml);
    if (!existsSync(path)) throw new Error(`missing golden ${file}: run the tests with UPDATE_GOLDEN=1`);
    expect(yaml).toBe(readFileSync(path, "utf8"));
  });
});

const decode = (object: KubeObject | undefined) =>
  Object.fromEntries(Object.entries(object?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]));
const canaryForms = Object.values(CANARY).flatMap((value) => [value, base64Encode(value), value.split("\n")[1] ?? value]);
const containsCanary = (text: string) => canaryForms.some((canary) => text.includes(canary));
const withCredential = (credential: RenderCredential): RenderInput => ({ ...(credential.type === "ssh" ? suspendedNamespacedInput : gitHttpsInput), credential });

describe("renderArgoObjects", () => {
  it("renders the repository Secret, then one Application per Kustomization named <config>-<kustomization>", () => {
    const names = renderArgoObjects(gitHttpsInput).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toEqual(["Secret argocd/baseline-auth", "Application argocd/baseline-infra", "Application argocd/baseline-apps"]);
    const custom = renderArgoObjects(gitHttpsInput, { namespace: "gitops" }).map((o) => o.metadata.namespace);
    expect(custom).toEqual(["gitops", "gitops", "gitops"]);
  });

  it("maps the ref, path, target namespace and prune onto the Application", () => {
    const [, infra, apps] = renderArgoObjects(gitHttpsInput);
    expect(infra?.spec).toEqual({
      project: "default",
      source: { repoURL: "https://github.com/acme/fleet-baseline", path: "infrastructure/base", targetRevision: "main" },
      destination: { server: "https://kubernetes.default.svc" },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
    });
    expect(apps?.spec).toMatchObject({ source: { path: "apps/production" }, syncPolicy: { automated: { prune: false, selfHeal: true } } });
    const [shop] = renderArgoObjects(suspendedNamespacedInput).filter((o) => o.kind === "Application");
    expect(shop?.spec).toMatchObject({ source: { targetRevision: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d" }, destination: { namespace: "team-shop" } });
    const [platform] = renderArgoObjects(semverInput);
    expect(platform?.spec).toMatchObject({ project: "platform-team", source: { path: ".", targetRevision: ">=1.2.0 <2.0.0" }, destination: { namespace: "ingress-system" } });
  });

  it("labels and annotates every object; the Secret is also labelled as an Argo CD repository", () => {
    for (const object of renderArgoObjects(gitHttpsInput)) {
      expect(object.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "fleetline", "fleetline.io/configuration": "baseline" });
      expect(object.metadata.annotations).toEqual({ "fleetline.io/version": "3", "fleetline.io/configuration-id": "cfg_01HZX3" });
      if (object.kind === "Secret") expect(object.metadata.labels?.["argocd.argoproj.io/secret-type"]).toBe("repository");
    }
  });

  it("leaves out the automated policy of a suspended configuration and keeps it for resume", () => {
    const [app] = renderArgoObjects(suspendedNamespacedInput).filter((o) => o.kind === "Application");
    expect(app?.spec?.syncPolicy).toEqual({ syncOptions: ["CreateNamespace=true"] });
    expect(JSON.parse(app?.metadata.annotations?.["fleetline.io/argo-automated"] ?? "")).toEqual({ prune: false, selfHeal: true });
  });

  it.each<[string, RenderCredential, Record<string, string> | undefined]>([
    ["https", CREDENTIALS.https, { type: "git", url: "https://github.com/acme/fleet-baseline", username: CANARY.username, password: CANARY.password }],
    ["https with CA (CA left to argocd-tls-certs-cm)", CREDENTIALS.httpsWithCa, { type: "git", url: "https://github.com/acme/fleet-baseline", username: CANARY.username, password: CANARY.password }],
    ["bearer", CREDENTIALS.bearer, { type: "git", url: "https://github.com/acme/fleet-baseline", bearerToken: CANARY.token }],
    ["ssh", CREDENTIALS.ssh, { type: "git", url: "ssh://git@github.com/acme/shop.git", sshPrivateKey: CANARY.identity }],
    ["ca (nothing Argo CD reads from a repository Secret)", CREDENTIALS.ca, undefined],
  ])("writes the repository Secret keys Argo CD reads for %s", (_, credential, keys) => {
    const secret = renderArgoObjects(withCredential(credential)).find((o) => o.kind === "Secret");
    if (keys === undefined) return expect(secret).toBeUndefined();
    expect(secret?.type).toBe("Opaque");
    expect(decode(secret)).toEqual(keys);
  });

  it("never writes a secret outside Secret data, and masks every value for previews", () => {
    for (const credential of Object.values(CREDENTIALS)) {
      const objects = renderArgoObjects(withCredential(credential));
      for (const object of objects) expect(containsCanary(JSON.stringify({ ...object, data: undefined })), credential.type).toBe(false);
      expect(containsCanary(toYaml(maskSecrets(objects))), credential.type).toBe(false);
    }
    const real = toYaml(maskSecrets(renderArgoObjects(gitHttpsInput)));
    expect(toYaml(maskSecrets(renderArgoObjects({ ...gitHttpsInput, credential: maskedCredential("https", { withCaCert: true }) })))).toBe(real);
  });

  it("refuses what it cannot render, with the reason", () => {
    expect(() => renderArgoObjects(bucketInput)).toThrow("GitRepository source only; this configuration's source is a Bucket");
    expect(() => renderArgoObjects(helmInput)).toThrow("GitRepository source only");
    const nothing: RenderInput = { ...suspendedNamespacedInput, spec: { ...suspendedNamespacedInput.spec, kustomizations: [], helmReleases: [] } };
    expect(() => renderArgoObjects(nothing)).toThrow("the configuration has no Kustomizations or Helm releases");
    expect(() => renderArgoObjects({ ...gitHttpsInput, credential: CREDENTIALS.ssh })).toThrow("an SSH key needs an ssh:// repository URL");
    expect(() => renderArgoObjects({ spec: gitHttpsInput.spec, version: 1, configurationId: "x" })).toThrow("the source names a credential but none was passed");
  });
});

describe("argoPath", () => {
  it.each([
    ["./", "."],
    ["./apps/podinfo", "apps/podinfo"],
    ["./apps/production/", "apps/production"],
    ["infrastructure/base", "infrastructure/base"],
  ])("%s -> %s", (path, expected) => expect(argoPath(path)).toBe(expected));
});
