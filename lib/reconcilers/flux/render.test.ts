import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { base64Encode } from "./credentials";
import { maskedCredential, maskSecrets, renderFluxObjects, toYaml } from "./render";
import {
  bucketInput,
  CANARY,
  CREDENTIALS,
  gitHttpsInput,
  helmInput,
  ociInput,
  suspendedNamespacedInput,
} from "./test-fixtures";
import type { KubeObject, RenderInput } from "./types";

const GOLDEN_CASES: Array<[string, RenderInput]> = [
  ["git-https.yaml", gitHttpsInput],
  ["oci.yaml", ociInput],
  ["bucket.yaml", bucketInput],
  ["helm-repository.yaml", helmInput],
  ["suspended-namespace-scoped.yaml", suspendedNamespacedInput],
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
      "Secret/shop-auth",
      "GitRepository/shop",
      "Kustomization/shop-app",
      "HelmRelease/shop-cache",
    ]);
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
