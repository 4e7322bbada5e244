// Pure: the wizard's editable draft and its conversion to the configuration spec the schemas validate.
import { parseLabelsText } from "@/lib/inventory/cluster-input";
import type { ConfigurationSpec, ConfigurationSpecInput } from "@/lib/validation/configuration";
import { overridesOf, type OverrideSpec } from "@/lib/validation/configuration-overrides";

export type KustomizationDraft = {
  name: string;
  path: string;
  dependsOn: string[];
  interval: string;
  retryInterval: string;
  timeout: string;
  prune: boolean;
  force: boolean;
  wait: boolean;
  targetNamespace: string;
  /** KEY=value per line */
  substitute: string;
};

export type HelmReleaseDraft = {
  name: string;
  chart: string;
  version: string;
  releaseName: string;
  targetNamespace: string;
  interval: string;
  values: string;
};

export type ExpressionDraft = { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values: string };

export type SourceKind = "GitRepository" | "OCIRepository" | "Bucket" | "HelmRepository";

export type Draft = {
  name: string;
  scope: "cluster" | "namespace";
  namespace: string;
  description: string;
  suspend: boolean;
  /** Argo CD project of the Applications on Argo CD clusters; empty means "default". */
  argoProject: string;
  source: {
    kind: SourceKind;
    url: string;
    refType: string;
    refValue: string;
    interval: string;
    timeout: string;
    credentialId: string;
    provider: string;
    bucketName: string;
    endpoint: string;
    region: string;
    prefix: string;
    insecure: boolean;
    helmType: "default" | "oci";
  };
  kustomizations: KustomizationDraft[];
  helmReleases: HelmReleaseDraft[];
  targets: { clusterIds: string[]; matchLabels: string; expressions: ExpressionDraft[] };
  /** Per-cluster overrides: carried through unchanged (the configuration's Overrides tab edits them). */
  overrides: OverrideSpec[];
};

export const emptyKustomization = (name = ""): KustomizationDraft => ({
  name,
  path: "./",
  dependsOn: [],
  interval: "10m",
  retryInterval: "",
  timeout: "",
  prune: false,
  force: false,
  wait: true,
  targetNamespace: "",
  substitute: "",
});

export const emptyHelmRelease = (): HelmReleaseDraft => ({ name: "", chart: "", version: "*", releaseName: "", targetNamespace: "", interval: "10m", values: "" });

export function emptyDraft(): Draft {
  return {
    name: "",
    scope: "cluster",
    namespace: "flux-system",
    description: "",
    suspend: false,
    argoProject: "",
    source: {
      kind: "GitRepository",
      url: "",
      refType: "branch",
      refValue: "main",
      interval: "10m",
      timeout: "60s",
      credentialId: "",
      provider: "generic",
      bucketName: "",
      endpoint: "",
      region: "",
      prefix: "",
      insecure: false,
      helmType: "default",
    },
    kustomizations: [emptyKustomization("apps")],
    helmReleases: [],
    targets: { clusterIds: [], matchLabels: "", expressions: [] },
    overrides: [],
  };
}

const opt = (v: string) => (v.trim() === "" ? undefined : v.trim());

/** "KEY=value" lines -> record; a malformed line is kept under its own text so the schema rejects it by name. */
export function parseSubstitutions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const eq = line.indexOf("=");
    if (eq === -1) out[line] = "";
    else out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

function sourceInput(s: Draft["source"]): ConfigurationSpecInput["source"] {
  const timing = { interval: s.interval, timeout: s.timeout, credentialId: opt(s.credentialId) };
  switch (s.kind) {
    case "GitRepository":
      return { kind: s.kind, url: s.url.trim(), ref: { type: s.refType, value: s.refValue.trim() } as never, ...timing, provider: (opt(s.provider) ?? "generic") as "generic" };
    case "OCIRepository":
      return { kind: s.kind, url: s.url.trim(), ref: { type: s.refType, value: s.refValue.trim() } as never, ...timing, provider: (opt(s.provider) ?? "generic") as "generic" };
    case "Bucket":
      return {
        kind: s.kind,
        bucketName: s.bucketName.trim(),
        endpoint: s.endpoint.trim(),
        provider: (opt(s.provider) ?? "generic") as "generic",
        region: opt(s.region),
        prefix: opt(s.prefix),
        insecure: s.insecure,
        ...timing,
      };
    case "HelmRepository":
      return { kind: s.kind, url: s.url.trim(), type: s.helmType, ...timing };
  }
}

/** The draft as the spec schema's input; what is invalid stays in place for the schema to name. */
export function toSpecInput(d: Draft): ConfigurationSpecInput {
  const matchLabels = parseLabelsText(d.targets.matchLabels);
  const hasSelector = d.targets.matchLabels.trim() !== "" || d.targets.expressions.length > 0;
  return {
    name: d.name.trim(),
    scope: d.scope,
    namespace: d.namespace.trim(),
    description: d.description,
    suspend: d.suspend,
    argo: opt(d.argoProject) === undefined ? undefined : { project: d.argoProject.trim() },
    source: sourceInput(d.source),
    kustomizations: d.kustomizations.map((k) => ({
      name: k.name.trim(),
      path: k.path.trim(),
      dependsOn: k.dependsOn,
      interval: k.interval.trim(),
      retryInterval: opt(k.retryInterval),
      timeout: opt(k.timeout),
      prune: k.prune,
      force: k.force,
      wait: k.wait,
      targetNamespace: opt(k.targetNamespace),
      postBuild: { substitute: parseSubstitutions(k.substitute) },
    })),
    helmReleases: d.helmReleases.map((h) => ({
      name: h.name.trim(),
      chart: h.chart.trim(),
      version: opt(h.version) ?? "*",
      releaseName: opt(h.releaseName),
      targetNamespace: opt(h.targetNamespace),
      interval: h.interval.trim(),
      values: h.values.trim() === "" ? undefined : h.values,
    })),
    targets: {
      clusterIds: d.targets.clusterIds,
      selector: hasSelector
        ? {
            // An unparsable label list is passed as an impossible key so the schema names the field.
            matchLabels: matchLabels.ok ? matchLabels.labels : { [d.targets.matchLabels]: "" },
            matchExpressions: d.targets.expressions.map((e) => ({
              key: e.key.trim(),
              operator: e.operator,
              values: e.operator === "In" || e.operator === "NotIn" ? e.values.split(",").map((v) => v.trim()).filter(Boolean) : undefined,
            })),
          }
        : undefined,
    },
    overrides: d.overrides,
  };
}

/** A stored spec back into an editable draft (for editing and per-cluster forms). */
export function fromSpec(spec: ConfigurationSpec): Draft {
  const base = emptyDraft();
  const s = spec.source;
  const source: Draft["source"] = { ...base.source, kind: s.kind, interval: s.interval, timeout: s.timeout, credentialId: s.credentialId ?? "" };
  if (s.kind === "GitRepository" || s.kind === "OCIRepository") Object.assign(source, { url: s.url, refType: s.ref.type, refValue: s.ref.value, provider: s.provider ?? "generic" });
  if (s.kind === "Bucket") Object.assign(source, { bucketName: s.bucketName, endpoint: s.endpoint, provider: s.provider, region: s.region ?? "", prefix: s.prefix ?? "", insecure: s.insecure });
  if (s.kind === "HelmRepository") Object.assign(source, { url: s.url, helmType: s.type });
  const selector = spec.targets.selector;
  return {
    name: spec.name,
    scope: spec.scope,
    namespace: spec.namespace,
    description: spec.description,
    suspend: spec.suspend,
    argoProject: spec.argo?.project ?? "",
    source,
    kustomizations: spec.kustomizations.map((k) => ({
      name: k.name,
      path: k.path,
      dependsOn: k.dependsOn,
      interval: k.interval,
      retryInterval: k.retryInterval ?? "",
      timeout: k.timeout ?? "",
      prune: k.prune,
      force: k.force,
      wait: k.wait,
      targetNamespace: k.targetNamespace ?? "",
      substitute: Object.entries(k.postBuild.substitute).map(([key, v]) => `${key}=${v}`).join("\n"),
    })),
    helmReleases: spec.helmReleases.map((h) => ({
      name: h.name,
      chart: h.chart,
      version: h.version,
      releaseName: h.releaseName ?? "",
      targetNamespace: h.targetNamespace ?? "",
      interval: h.interval,
      values: h.values ?? "",
    })),
    targets: {
      clusterIds: spec.targets.clusterIds,
      matchLabels: Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(", "),
      expressions: (selector?.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: (e.values ?? []).join(", ") })),
    },
    overrides: [...overridesOf(spec)],
  };
}
