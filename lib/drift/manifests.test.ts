import { describe, expect, it } from "vitest";
import { buildDesired, substituteVariables } from "./manifests";

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  env: \${cluster_env:=dev}\n`;

describe("buildDesired", () => {
  it("takes every manifest under the path, sorted, with substitutions", () => {
    const files = [
      { path: "apps/podinfo/b.yaml", content: configMap("b") },
      { path: "apps/podinfo/a.yml", content: `${configMap("a")}---\n# nothing\n---\n${configMap("a2")}` },
      { path: "apps/other/c.yaml", content: configMap("c") },
      { path: "apps/podinfo/.hidden/d.yaml", content: configMap("d") },
      { path: "apps/podinfo/README.md", content: "# not yaml" },
    ];
    const result = buildDesired(files, "apps/podinfo", { cluster_env: "prod" });
    if (!result.ok) throw new Error(result.reason);
    expect(result.objects.map((o) => [o.metadata.name, (o.data as { env: string }).env])).toEqual([
      ["a", "prod"],
      ["a2", "prod"],
      ["b", "prod"],
    ]);
  });

  it("follows a kustomization.yaml with resources and namespace", () => {
    const files = [
      { path: "base/kustomization.yaml", content: "resources:\n  - one.yaml\n  - nested\nnamespace: team\n" },
      { path: "base/one.yaml", content: configMap("one") },
      { path: "base/nested/two.yaml", content: configMap("two") },
      { path: "base/ignored.yaml", content: configMap("ignored") },
    ];
    const result = buildDesired(files, "base");
    if (!result.ok) throw new Error(result.reason);
    expect(result.objects.map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
      ["one", "team"],
      ["two", "team"],
    ]);
  });

  it("reports kustomize features it does not build, and escapes, instead of guessing", () => {
    expect(buildDesired([{ path: "k/kustomization.yaml", content: "resources: [a.yaml]\npatches: []\n" }], "k")).toEqual({ ok: false, reason: expect.stringMatching(/patches/) });
    expect(buildDesired([{ path: "k/kustomization.yaml", content: "resources: [../../etc/passwd]\n" }], "k")).toMatchObject({ ok: false });
    expect(buildDesired([{ path: "k/kustomization.yaml", content: "resources: [https://example.com/x.yaml]\n" }], "k")).toMatchObject({ ok: false });
  });

  it("refuses YAML bombs and documents without a name", () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    expect(buildDesired([{ path: "x.yaml", content: bomb }], "")).toMatchObject({ ok: false });
    expect(buildDesired([{ path: "x.yaml", content: "apiVersion: v1\nkind: ConfigMap\n" }], "")).toMatchObject({ ok: false, reason: expect.stringMatching(/metadata.name/) });
  });

  it("leaves objects that disable substitution alone", () => {
    const content = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: raw", "  annotations:", "    kustomize.toolkit.fluxcd.io/substitute: disabled", "data:", "  env: ${cluster_env:=dev}", ""].join("\n");
    const result = buildDesired([{ path: "raw.yaml", content }], "", { cluster_env: "prod" });
    if (!result.ok) throw new Error(result.reason);
    expect((result.objects[0]!.data as { env: string }).env).toBe("${cluster_env:=dev}");
  });
});

describe("substituteVariables", () => {
  it("replaces ${var}, uses defaults, and empties unset variables", () => {
    expect(substituteVariables("${a} ${b:=x} ${c:-y} ${d}", { a: "1" })).toBe("1 x y ");
  });
});
