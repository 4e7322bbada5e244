import { describe, expect, it } from "vitest";
import { labelVariableName, substituteVariables, variableReferences } from "./cluster-variables";
import { configurationSpecSchema, formatZodErrors, type ConfigurationSpecInput } from "./configuration";
import { MAX_OVERRIDES, overrideWarnings } from "./configuration-overrides";

function spec(extra: Partial<ConfigurationSpecInput> = {}): ConfigurationSpecInput {
  return {
    name: "web",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps", path: "apps", postBuild: { substitute: { CLUSTER: "${cluster_name}", REGION: "${cluster_label_topology_kubernetes_io_region}" } } }],
    helmReleases: [{ name: "ingress", chart: "charts/ingress", values: "host: ${cluster_name}.example.com\nreplicas: 2\n" }],
    targets: { selector: { matchLabels: { env: "prod" } } },
    ...extra,
  };
}

function errorsOf(input: unknown): Record<string, string> {
  const result = configurationSpecSchema.safeParse(input);
  if (result.success) throw new Error("expected validation to fail");
  return formatZodErrors(result.error);
}

describe("cluster variables", () => {
  it("normalises label keys to variable names (lowercase, anything but a-z 0-9 _ becomes _)", () => {
    expect(labelVariableName("env")).toBe("cluster_label_env");
    expect(labelVariableName("topology.kubernetes.io/region")).toBe("cluster_label_topology_kubernetes_io_region");
    expect(labelVariableName("Team-Name")).toBe("cluster_label_team_name");
  });

  it("finds references, skipping the $${ escape, and substitutes only cluster variables", () => {
    expect(variableReferences("${cluster_name}-$${HOME}-${other}")).toEqual(["cluster_name", "other"]);
    expect(substituteVariables("${cluster_name}-$${HOME}-${other}", () => "c1")).toBe("c1-${HOME}-${other}");
  });
});

describe("overrides and variables at save", () => {
  it("accepts every cluster variable in substitutions, Helm values and overrides", () => {
    const parsed = configurationSpecSchema.parse(
      spec({ overrides: [{ selector: { matchLabels: { tier: "edge" } }, substitute: { REPLICAS: "3" }, helmValues: { ingress: "replicas: 3\nowner: ${cluster_reconciler}\n" } }] }),
    );
    expect(parsed.overrides).toHaveLength(1);
    expect(parsed.overrides[0]!.helmValues.ingress).toContain("${cluster_reconciler}");
  });

  it("refuses an unknown variable in a substitution, naming the variable and the field", () => {
    const errors = errorsOf(spec({ kustomizations: [{ name: "apps", postBuild: { substitute: { HOST: "${clustername}.example.com" } } }] }));
    expect(errors["kustomizations.0.postBuild.substitute.HOST"]).toMatch(/unknown variable \$\{clustername\}/);
  });

  it("refuses an unknown variable inside Helm values, naming the variable and the key", () => {
    const errors = errorsOf(spec({ helmReleases: [{ name: "ingress", chart: "charts/ingress", values: "ingress:\n  host: ${cluster_region}\n" }] }));
    expect(errors["helmReleases.0.values"]).toMatch(/^ingress\.host uses the unknown variable \$\{cluster_region\}/);
  });

  it("refuses an unknown variable in an override's substitution and values", () => {
    const errors = errorsOf(spec({ overrides: [{ clusterId: "c1", substitute: { X: "${nope}" }, helmValues: { ingress: "a: ${bad}\n" } }] }));
    expect(errors["overrides.0.substitute.X"]).toMatch(/\$\{nope\}/);
    expect(errors["overrides.0.helmValues.ingress"]).toMatch(/\$\{bad\}/);
  });

  it("refuses an override with both or neither of a selector and a cluster", () => {
    expect(errorsOf(spec({ overrides: [{ substitute: { A: "1" } }] }))["overrides.0.selector"]).toBe("choose either a label selector or one cluster");
    expect(errorsOf(spec({ overrides: [{ clusterId: "c1", selector: { matchLabels: { a: "b" } } }] }))["overrides.0.selector"]).toBe("choose either a label selector or one cluster");
  });

  it("refuses values for a Helm release the configuration lacks", () => {
    const errors = errorsOf(spec({ overrides: [{ clusterId: "c1", helmValues: { missing: "a: 1\n" } }] }));
    expect(errors["overrides.0.helmValues.missing"]).toMatch(/names no Helm release of this configuration \(it has ingress\)/);
  });

  it(`refuses more than ${MAX_OVERRIDES} overrides, with the limit`, () => {
    const overrides = Array.from({ length: MAX_OVERRIDES + 1 }, (_, i) => ({ clusterId: `c${i}`, substitute: { A: "1" } }));
    expect(errorsOf(spec({ overrides }))["overrides"]).toBe(`must have at most ${MAX_OVERRIDES} overrides`);
    expect(configurationSpecSchema.safeParse(spec({ overrides: overrides.slice(0, MAX_OVERRIDES) })).success).toBe(true);
  });

  it("counts override values against the configuration's total values limit", () => {
    const big = `blob: "${"x".repeat(300 * 1024)}"\n`;
    const overrides = [1, 2, 3, 4].map((i) => ({ clusterId: `c${i}`, helmValues: { ingress: big } }));
    expect(errorsOf(spec({ overrides }))["helmReleases"]).toMatch(/must be at most 1\.0 MiB together/);
  });

  it("warns (does not refuse) about a selector that matches no cluster", () => {
    const parsed = configurationSpecSchema.parse(spec({ overrides: [{ selector: { matchLabels: { tier: "edge" } }, substitute: { A: "1" } }, { clusterId: "c1", substitute: { A: "2" } }] }));
    expect(overrideWarnings(parsed.overrides, [{ labels: { tier: "core" } }])).toEqual({ "overrides.0.selector": expect.stringMatching(/matches no registered cluster/) });
    expect(overrideWarnings(parsed.overrides, [{ labels: { tier: "edge" } }])).toEqual({});
  });
});
