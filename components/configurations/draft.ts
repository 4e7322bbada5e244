// Pure: the wizard's editable draft and its conversion to the configuration spec the schemas validate.
import { stringify } from "yaml";
import { formatSelector } from "@/lib/compliance/selector-text";
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
  /** The §3 Flux fields: lists as YAML in Flux's shape, components one per line. */
  substituteFrom: string;
  patches: string;
  images: string;
  healthChecks: string;
  components: string;
  deletionPolicy: string;
  serviceAccountName: string;
  /** SOPS decryption: off, or on with a key credential ("" uses the controller's own identity). */
  decrypt: boolean;
  decryptionCredentialId: string;
};

export type HelmReleaseDraft = {
  name: string;
  chart: string;
  version: string;
  releaseName: string;
  targetNamespace: string;
  interval: string;
  values: string;
  dependsOn: string[];
  timeout: string;
  maxHistory: string;
  installRetries: string;
  upgradeRetries: string;
  remediateLastFailure: boolean;
  upgradeStrategy: string;
  valuesFrom: string;
  driftDetection: string;
};

/** A Flux notification Provider: the webhook address lives in its webhook credential, never here. */
export type ProviderDraft = { name: string; type: string; channel: string; username: string; address: string; credentialId: string };

/** A Flux Alert; event sources as YAML (empty: the configuration's own objects), regexes one per line. */
export type AlertDraft = { name: string; providerRef: string; eventSeverity: "info" | "error"; eventSources: string; inclusionList: string; exclusionList: string; summary: string; suspend: boolean };

export const emptyProvider = (): ProviderDraft => ({ name: "", type: "slack", channel: "", username: "", address: "", credentialId: "" });
export const emptyAlert = (providerRef = ""): AlertDraft => ({ name: "", providerRef, eventSeverity: "error", eventSources: "", inclusionList: "", exclusionList: "", summary: "", suspend: false });

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
    /** Git: directories to check out, one per line (empty: the whole repository). */
    sparseCheckout: string;
    /** OCI: the layer to use (media type, extract or copy), and the keyless cosign signers to trust. */
    layerMediaType: string;
    layerOperation: string;
    verifyIdentities: { issuer: string; subject: string }[];
    /** Git: the signature check ("" off, HEAD, Tag, TagAndHEAD); Git and OCI: the key credential it uses. */
    verifyMode: string;
    verifyCredentialId: string;
    /** Git: other GitRepositories copied into the artifact, as a YAML list in Flux's shape. */
    include: string;
  };
  kustomizations: KustomizationDraft[];
  helmReleases: HelmReleaseDraft[];
  targets: { clusterIds: string[]; matchLabels: string; expressions: ExpressionDraft[] };
  /** Per-cluster overrides: carried through unchanged (the configuration's Overrides tab edits them). */
  overrides: OverrideSpec[];
  /** Rollout strategy: off means every target at once, 16 at a time. */
  strategy: { enabled: boolean; waves: WaveDraft[] };
  /** Flux's own alerts: notification-controller Providers and Alerts. */
  notifications: { providers: ProviderDraft[]; alerts: AlertDraft[] };
};

/** One wave as typed: numbers stay text so the schema can name a bad one. */
export type WaveDraft = {
  name: string;
  selector: string;
  percent: string;
  concurrency: string;
  soakSeconds: string;
  maxFailures: string;
  maxFailurePercent: string;
  approval: "auto" | "operator" | "second-person";
};

export const emptyWave = (name = "", selector = ""): WaveDraft => ({ name, selector, percent: "", concurrency: "16", soakSeconds: "120", maxFailures: "0", maxFailurePercent: "", approval: "auto" });

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
  substituteFrom: "",
  patches: "",
  images: "",
  healthChecks: "",
  components: "",
  deletionPolicy: "",
  serviceAccountName: "",
  decrypt: false,
  decryptionCredentialId: "",
});

export const emptyHelmRelease = (): HelmReleaseDraft => ({
  name: "",
  chart: "",
  version: "*",
  releaseName: "",
  targetNamespace: "",
  interval: "10m",
  values: "",
  dependsOn: [],
  timeout: "",
  maxHistory: "",
  installRetries: "",
  upgradeRetries: "",
  remediateLastFailure: false,
  upgradeStrategy: "",
  valuesFrom: "",
  driftDetection: "",
});

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
      sparseCheckout: "",
      layerMediaType: "",
      layerOperation: "",
      verifyIdentities: [],
      verifyMode: "",
      verifyCredentialId: "",
      include: "",
    },
    kustomizations: [emptyKustomization("apps")],
    helmReleases: [],
    targets: { clusterIds: [], matchLabels: "", expressions: [] },
    overrides: [],
    strategy: { enabled: false, waves: [emptyWave("dev", "env=dev"), emptyWave("staging", "env=staging"), emptyWave("prod")] },
    notifications: { providers: [], alerts: [] },
  };
}

function notificationsInput({ providers, alerts }: Draft["notifications"]): ConfigurationSpecInput["notifications"] {
  if (providers.length === 0 && alerts.length === 0) return undefined;
  return {
    providers: providers.map((p) => ({ name: p.name.trim(), type: p.type as "slack", channel: opt(p.channel), username: opt(p.username), address: opt(p.address), credentialId: opt(p.credentialId) })),
    alerts: alerts.map((a) => ({
      name: a.name.trim(),
      providerRef: a.providerRef,
      eventSeverity: a.eventSeverity,
      eventSources: optText(a.eventSources),
      inclusionList: optText(a.inclusionList),
      exclusionList: optText(a.exclusionList),
      summary: opt(a.summary),
      suspend: a.suspend ? true : undefined,
    })),
  };
}

function notificationsDraft(spec: ConfigurationSpec): Draft["notifications"] {
  const n = spec.notifications;
  return {
    providers: (n?.providers ?? []).map((p) => ({ name: p.name, type: p.type, channel: p.channel ?? "", username: p.username ?? "", address: p.address ?? "", credentialId: p.credentialId ?? "" })),
    alerts: (n?.alerts ?? []).map((a) => ({
      name: a.name,
      providerRef: a.providerRef,
      eventSeverity: a.eventSeverity,
      eventSources: listYaml(a.eventSources),
      inclusionList: (a.inclusionList ?? []).join("\n"),
      exclusionList: (a.exclusionList ?? []).join("\n"),
      summary: a.summary ?? "",
      suspend: a.suspend === true,
    })),
  };
}

const opt = (v: string) => (v.trim() === "" ? undefined : v.trim());
/** A whole number typed in a text box; anything else is passed on as text for the schema to name (hence the cast). */
const optNumber = (v: string): number | undefined => {
  const text = v.trim();
  if (text === "") return undefined;
  return (/^-?\d+$/.test(text) ? Number(text) : text) as number;
};
/** YAML text of a list field; an empty text means the field is unset. */
const optText = (v: string) => (v.trim() === "" ? undefined : v);
const listYaml = (list: readonly unknown[] | undefined) => (list && list.length > 0 ? stringify(list) : "");

function helmRemediation(h: HelmReleaseDraft) {
  const upgrade = { retries: optNumber(h.upgradeRetries), remediateLastFailure: h.remediateLastFailure ? true : undefined, strategy: opt(h.upgradeStrategy) as "rollback" | undefined };
  const install = { retries: optNumber(h.installRetries), remediateLastFailure: h.remediateLastFailure ? true : undefined };
  const set = (o: object) => Object.values(o).some((v) => v !== undefined);
  return {
    install: set(install) ? { remediation: install } : undefined,
    upgrade: set(upgrade) ? { remediation: upgrade } : undefined,
  };
}

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
    case "GitRepository": {
      const sparseCheckout = s.sparseCheckout.split("\n").map((line) => line.trim()).filter(Boolean);
      return {
        kind: s.kind,
        url: s.url.trim(),
        ref: { type: s.refType, value: s.refValue.trim() } as never,
        ...timing,
        provider: (opt(s.provider) ?? "generic") as "generic",
        ...(sparseCheckout.length ? { sparseCheckout } : {}),
        ...(s.verifyMode ? { verify: { mode: s.verifyMode as "HEAD", credentialId: s.verifyCredentialId } } : {}),
        ...(s.include.trim() ? { include: s.include } : {}),
      };
    }
    case "OCIRepository": {
      const identities = s.verifyIdentities.filter((m) => m.issuer.trim() || m.subject.trim()).map((m) => ({ issuer: m.issuer.trim(), subject: m.subject.trim() }));
      return {
        kind: s.kind,
        url: s.url.trim(),
        ref: { type: s.refType, value: s.refValue.trim() } as never,
        ...timing,
        provider: (opt(s.provider) ?? "generic") as "generic",
        ...(s.layerMediaType.trim() || s.layerOperation ? { layerSelector: { mediaType: s.layerMediaType.trim(), ...(s.layerOperation ? { operation: s.layerOperation as "extract" } : {}) } } : {}),
        ...(identities.length || s.verifyCredentialId
          ? { verify: { provider: "cosign" as const, ...(s.verifyCredentialId ? { credentialId: s.verifyCredentialId } : {}), matchOIDCIdentity: identities } }
          : {}),
      };
    }
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
      postBuild: { substitute: parseSubstitutions(k.substitute), substituteFrom: optText(k.substituteFrom) },
      patches: optText(k.patches),
      images: optText(k.images),
      healthChecks: optText(k.healthChecks),
      components: optText(k.components),
      deletionPolicy: opt(k.deletionPolicy) as "Delete" | undefined,
      serviceAccountName: opt(k.serviceAccountName),
      decryption: k.decrypt ? { provider: "sops" as const, credentialId: opt(k.decryptionCredentialId) } : undefined,
    })),
    helmReleases: d.helmReleases.map((h) => ({
      name: h.name.trim(),
      chart: h.chart.trim(),
      version: opt(h.version) ?? "*",
      releaseName: opt(h.releaseName),
      targetNamespace: opt(h.targetNamespace),
      interval: h.interval.trim(),
      values: h.values.trim() === "" ? undefined : h.values,
      dependsOn: h.dependsOn.length > 0 ? h.dependsOn : undefined,
      timeout: opt(h.timeout),
      maxHistory: optNumber(h.maxHistory),
      ...helmRemediation(h),
      valuesFrom: optText(h.valuesFrom),
      driftDetection: opt(h.driftDetection) === undefined ? undefined : { mode: h.driftDetection as "enabled" },
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
    strategy: d.strategy.enabled
      ? {
          waves: d.strategy.waves.map((w) => ({
            name: w.name.trim(),
            selector: w.selector.trim() === "" ? undefined : w.selector,
            percent: optNumber(w.percent),
            concurrency: optNumber(w.concurrency),
            soakSeconds: optNumber(w.soakSeconds),
            maxFailures: optNumber(w.maxFailures),
            maxFailurePercent: optNumber(w.maxFailurePercent),
            approval: w.approval,
          })),
        }
      : undefined,
    notifications: notificationsInput(d.notifications),
  };
}

/** A stored spec back into an editable draft (for editing and per-cluster forms). */
export function fromSpec(spec: ConfigurationSpec): Draft {
  const base = emptyDraft();
  const s = spec.source;
  const source: Draft["source"] = { ...base.source, kind: s.kind, interval: s.interval, timeout: s.timeout, credentialId: s.credentialId ?? "" };
  if (s.kind === "GitRepository" || s.kind === "OCIRepository") Object.assign(source, { url: s.url, refType: s.ref.type, refValue: s.ref.value, provider: s.provider ?? "generic" });
  if (s.kind === "GitRepository") {
    Object.assign(source, { sparseCheckout: (s.sparseCheckout ?? []).join("\n"), verifyMode: s.verify?.mode ?? "", verifyCredentialId: s.verify?.credentialId ?? "", include: listYaml(s.include) });
  }
  if (s.kind === "OCIRepository") {
    Object.assign(source, {
      layerMediaType: s.layerSelector?.mediaType ?? "",
      layerOperation: s.layerSelector?.operation ?? "",
      verifyIdentities: s.verify?.matchOIDCIdentity.map((m) => ({ ...m })) ?? [],
      verifyCredentialId: s.verify?.credentialId ?? "",
    });
  }
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
      substituteFrom: listYaml(k.postBuild.substituteFrom),
      patches: listYaml(k.patches),
      images: listYaml(k.images),
      healthChecks: listYaml(k.healthChecks),
      components: (k.components ?? []).join("\n"),
      deletionPolicy: k.deletionPolicy ?? "",
      serviceAccountName: k.serviceAccountName ?? "",
      decrypt: k.decryption !== undefined,
      decryptionCredentialId: k.decryption?.credentialId ?? "",
    })),
    helmReleases: spec.helmReleases.map((h) => ({
      name: h.name,
      chart: h.chart,
      version: h.version,
      releaseName: h.releaseName ?? "",
      targetNamespace: h.targetNamespace ?? "",
      interval: h.interval,
      values: h.values ?? "",
      dependsOn: h.dependsOn ?? [],
      timeout: h.timeout ?? "",
      maxHistory: h.maxHistory === undefined ? "" : String(h.maxHistory),
      installRetries: h.install?.remediation?.retries === undefined ? "" : String(h.install.remediation.retries),
      upgradeRetries: h.upgrade?.remediation?.retries === undefined ? "" : String(h.upgrade.remediation.retries),
      remediateLastFailure: h.upgrade?.remediation?.remediateLastFailure === true || h.install?.remediation?.remediateLastFailure === true,
      upgradeStrategy: h.upgrade?.remediation?.strategy ?? "",
      valuesFrom: listYaml(h.valuesFrom),
      driftDetection: h.driftDetection?.mode ?? "",
    })),
    targets: {
      clusterIds: spec.targets.clusterIds,
      matchLabels: Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(", "),
      expressions: (selector?.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: (e.values ?? []).join(", ") })),
    },
    overrides: [...overridesOf(spec)],
    strategy: spec.strategy
      ? {
          enabled: true,
          waves: spec.strategy.waves.map((w) => ({
            name: w.name,
            selector: w.selector ? formatSelector(w.selector) : "",
            percent: w.percent === undefined ? "" : String(w.percent),
            concurrency: String(w.concurrency),
            soakSeconds: String(w.soakSeconds),
            maxFailures: String(w.maxFailures),
            maxFailurePercent: w.maxFailurePercent === undefined ? "" : String(w.maxFailurePercent),
            approval: w.approval,
          })),
        }
      : base.strategy,
    notifications: notificationsDraft(spec),
  };
}
