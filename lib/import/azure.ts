// Pure and browser-safe: Azure GitOps configurations (Microsoft.KubernetesConfiguration) into the
// fields of the configuration wizard. Azure never prints protected settings, so no secret passes
// through here; a secret-looking field that someone typed into the JSON is named, never copied.
import { stringify } from "yaml";
import { formatDurationMs } from "@/lib/validation/duration";
import { formatBytes, utf8ByteLength } from "@/lib/validation/rules";

/** A few hundred configurations make a large estate; a file past this is a mistake or an attack. */
export const MAX_AZURE_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_AZURE_IMPORT_CONFIGURATIONS = 500;

// Azure's documented defaults (GitRepositoryDefinition, KustomizationDefinition): 600 seconds.
const AZURE_DEFAULT_SECONDS = 600;
// Flux v1 (fluxd) defaults for --git-branch, --git-poll-interval and --sync-interval.
const FLUX_V1_BRANCH = "master";
const FLUX_V1_INTERVAL = "5m";

export type ImportNote = { field: string; why: string };

/** The wizard fields an import fills; the names and types are the wizard draft's own. */
export type ImportedKustomization = Record<"name" | "path" | "interval" | "retryInterval" | "timeout" | "substitute" | "substituteFrom", string> &
  Record<"prune" | "force" | "wait", boolean> & { dependsOn: string[] };

export type ImportedSource = Record<"url" | "refType" | "refValue" | "interval" | "timeout" | "provider" | "bucketName" | "endpoint" | "layerMediaType" | "layerOperation", string> & {
  kind: "GitRepository" | "OCIRepository" | "Bucket";
  insecure: boolean;
  verifyIdentities: { issuer: string; subject: string }[];
};

export type ImportedDraft = {
  name: string;
  scope: "cluster" | "namespace";
  namespace: string;
  description: string;
  suspend: boolean;
  source: ImportedSource;
  kustomizations: ImportedKustomization[];
};

export type ImportedConfiguration = {
  /** The Azure resource's name and kind, and the cluster it was on when the id names one. */
  azureName: string;
  azureKind: "fluxConfiguration" | "sourceControlConfiguration";
  cluster?: string;
  draft: ImportedDraft;
  /** Settings Fleetline cannot carry, each with the reason. */
  notCarried: ImportNote[];
  /** Values carried in another form (an scp-style URL, AzureBlob as a Bucket). */
  adjusted: ImportNote[];
  /** Fields Azure's documented schema does not have: named, never silently dropped. */
  unknownFields: string[];
  /** Read-only status Azure prints (statuses, complianceState...): known and left behind. */
  statusFields: string[];
  /** Why the source needs a Fleetline credential; empty when it reads without one. */
  needsCredential: string[];
};

export type AzureImportResult =
  | { ok: true; configurations: ImportedConfiguration[]; skipped: { name: string; type: string }[] }
  | { ok: false; error: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** az prints absent optional fields as null. */
const present = (value: unknown) => value !== null && value !== undefined;
const text = (value: unknown): string => (typeof value === "string" ? value : present(value) ? JSON.stringify(value) : "");

/** Collects what one configuration's mapping found out. */
class Findings {
  notCarried: ImportNote[] = [];
  adjusted: ImportNote[] = [];
  unknownFields: string[] = [];
  statusFields: string[] = [];
  needsCredential: string[] = [];

  lost(field: string, why: string) {
    this.notCarried.push({ field, why });
  }
  credential(reason: string) {
    if (!this.needsCredential.includes(reason)) this.needsCredential.push(reason);
  }
  /** Names the keys of `object` outside `known`; status keys are listed apart. */
  check(object: Json, prefix: string, known: readonly string[], status: readonly string[] = []) {
    for (const key of Object.keys(object)) {
      if (status.includes(key)) {
        if (present(object[key])) this.statusFields.push(`${prefix}${key}`);
      } else if (!known.includes(key)) this.unknownFields.push(`${prefix}${key}`);
    }
  }
}

/** Azure's seconds as a Flux duration; anything but a positive whole number is kept as typed for validation to name. */
function seconds(value: unknown, fallback: number | undefined): string {
  if (!present(value)) return fallback === undefined ? "" : formatDurationMs(fallback * 1000);
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return formatDurationMs(value * 1000);
  return typeof value === "number" ? `${value}s` : text(value);
}

const flag = (value: unknown, fallback: boolean) => (typeof value === "boolean" ? value : fallback);

/** scp-style `git@host:org/repo` is what Flux v1 and many Azure examples use; Flux v2 wants ssh://. */
function gitUrl(url: string, field: string, findings: Findings): string {
  const scp = /^([A-Za-z0-9._-]+)@([^:/\s]+):(?!\/)(.+)$/.exec(url.trim());
  if (!scp) return url.trim();
  const converted = `ssh://${scp[1]}@${scp[2]}/${scp[3]}`;
  findings.adjusted.push({ field, why: `scp-style address written as ${converted}` });
  return converted;
}

const sshReason = "an ssh:// URL needs an ssh credential (Azure keeps the private key in protected settings and never prints it)";

function emptySource(): ImportedSource {
  return { kind: "GitRepository", url: "", refType: "branch", refValue: "", interval: "", timeout: "", provider: "generic", bucketName: "", endpoint: "", insecure: false, layerMediaType: "", layerOperation: "", verifyIdentities: [] };
}

/** Picks the first reference kind Azure gives precedence to; the others it would have ignored are named. */
function pickRef(ref: Json, order: readonly string[], prefix: string, findings: Findings): { refType: string; refValue: string } {
  const set = order.filter((key) => present(ref[key]) && ref[key] !== "");
  const [first, ...rest] = set;
  for (const key of rest) findings.lost(`${prefix}${key}`, `${first} takes precedence over ${key}; the wizard's reference is one of them`);
  return first === undefined ? { refType: order.at(-1) ?? "", refValue: "" } : { refType: first, refValue: text(ref[first]) };
}

function mapGit(git: Json, prefix: string, findings: Findings): ImportedSource {
  findings.check(git, prefix, ["url", "timeoutInSeconds", "syncIntervalInSeconds", "repositoryRef", "sshKnownHosts", "httpsUser", "httpsCACert", "httpsCAFile", "localAuthRef", "provider"]);
  const url = gitUrl(text(git.url), `${prefix}url`, findings);
  const ref = isObject(git.repositoryRef) ? git.repositoryRef : {};
  findings.check(ref, `${prefix}repositoryRef.`, ["branch", "tag", "semver", "commit"]);
  const source: ImportedSource = {
    ...emptySource(),
    url,
    // Azure's precedence: commit over semver over tag over branch.
    ...pickRef(ref, ["commit", "semver", "tag", "branch"], `${prefix}repositoryRef.`, findings),
    interval: seconds(git.syncIntervalInSeconds, AZURE_DEFAULT_SECONDS),
    timeout: seconds(git.timeoutInSeconds, AZURE_DEFAULT_SECONDS),
  };
  if (url.startsWith("ssh://")) findings.credential(sshReason);
  const provider = text(git.provider).toLowerCase();
  if (provider === "azure" || provider === "github") {
    source.provider = provider;
    findings.lost(
      `${prefix}provider`,
      provider === "azure"
        ? "the managed identity behind provider Azure belongs to the Flux extension on each Azure cluster; give the target clusters' source-controller a workload identity"
        : "the GitHub App behind provider GitHub lives in a Secret on the Azure cluster",
    );
    if (provider === "github") findings.credential("provider GitHub needs the GitHub App's credential");
  } else if (provider !== "" && provider !== "generic") findings.lost(`${prefix}provider`, `"${text(git.provider)}" is not a provider Azure documents (Azure, GitHub, Generic)`);
  if (present(git.httpsUser)) {
    findings.lost(`${prefix}httpsUser`, "the user name goes into an https credential with its password, which Azure never prints (protected setting httpsKey)");
    findings.credential("the repository is read with an HTTPS user and password");
  }
  if (present(git.sshKnownHosts)) findings.lost(`${prefix}sshKnownHosts`, "known hosts go into the ssh credential");
  for (const key of ["httpsCACert", "httpsCAFile"]) {
    if (present(git[key])) findings.lost(`${prefix}${key}`, "the CA certificate goes into an https or ca credential");
  }
  localAuth(git, prefix, findings);
  return source;
}

function localAuth(block: Json, prefix: string, findings: Findings) {
  if (!present(block.localAuthRef)) return;
  findings.lost(`${prefix}localAuthRef`, "names a Secret that exists only on the Azure cluster; Fleetline renders the Secret from a credential");
  findings.credential("localAuthRef named a Secret on the cluster");
}

function endpointOf(url: string): { endpoint: string; scheme: string } {
  try {
    const parsed = new URL(url);
    return { endpoint: parsed.host, scheme: parsed.protocol.replace(/:$/, "") };
  } catch {
    return { endpoint: url.trim(), scheme: "" };
  }
}

function mapBucket(bucket: Json, prefix: string, findings: Findings): ImportedSource {
  findings.check(bucket, prefix, ["url", "bucketName", "insecure", "timeoutInSeconds", "syncIntervalInSeconds", "accessKey", "localAuthRef"]);
  const { endpoint, scheme } = endpointOf(text(bucket.url));
  if (endpoint !== text(bucket.url)) findings.adjusted.push({ field: `${prefix}url`, why: `the endpoint is the host without its scheme: ${endpoint}` });
  if (present(bucket.accessKey)) {
    findings.lost(`${prefix}accessKey`, "the access key goes into a credential with its secret key, which Azure never prints (protected setting bucketSecretKey)");
    findings.credential("the bucket is read with an access key");
  }
  localAuth(bucket, prefix, findings);
  return {
    ...emptySource(),
    kind: "Bucket",
    bucketName: text(bucket.bucketName),
    endpoint,
    insecure: flag(bucket.insecure, scheme === "http"),
    interval: seconds(bucket.syncIntervalInSeconds, AZURE_DEFAULT_SECONDS),
    timeout: seconds(bucket.timeoutInSeconds, AZURE_DEFAULT_SECONDS),
  };
}

function mapAzureBlob(blob: Json, prefix: string, findings: Findings): ImportedSource {
  findings.check(blob, prefix, ["url", "containerName", "timeoutInSeconds", "syncIntervalInSeconds", "servicePrincipal", "accountKey", "sasToken", "managedIdentity", "localAuthRef"]);
  findings.adjusted.push({ field: `${prefix.replace(/\.$/, "")}`, why: "an Azure Blob container becomes a Flux Bucket with provider azure" });
  const { endpoint } = endpointOf(text(blob.url));
  if (isObject(blob.managedIdentity)) {
    findings.lost(`${prefix}managedIdentity`, "the managed identity is bound to the Flux extension on each Azure cluster; give the target clusters' source-controller a workload identity");
  }
  if (isObject(blob.servicePrincipal)) {
    findings.lost(`${prefix}servicePrincipal`, "the service principal's secret or certificate stays in Azure's protected settings");
    findings.credential("the container is read with a service principal");
  }
  for (const key of ["accountKey", "sasToken"]) {
    if (present(blob[key])) {
      findings.lost(`${prefix}${key}`, "a secret: not copied from the pasted text");
      findings.credential(`the container is read with ${key === "sasToken" ? "a SAS token" : "an account key"}`);
    }
  }
  localAuth(blob, prefix, findings);
  return {
    ...emptySource(),
    kind: "Bucket",
    provider: "azure",
    bucketName: text(blob.containerName),
    endpoint,
    interval: seconds(blob.syncIntervalInSeconds, AZURE_DEFAULT_SECONDS),
    timeout: seconds(blob.timeoutInSeconds, AZURE_DEFAULT_SECONDS),
  };
}

function mapOci(oci: Json, prefix: string, findings: Findings): ImportedSource {
  findings.check(oci, prefix, ["url", "timeoutInSeconds", "syncIntervalInSeconds", "repositoryRef", "layerSelector", "verify", "insecure", "useWorkloadIdentity", "localAuthRef", "serviceAccountName", "tlsConfig"]);
  const ref = isObject(oci.repositoryRef) ? oci.repositoryRef : {};
  findings.check(ref, `${prefix}repositoryRef.`, ["tag", "semver", "digest"]);
  const layer = isObject(oci.layerSelector) ? oci.layerSelector : {};
  findings.check(layer, `${prefix}layerSelector.`, ["mediaType", "operation"]);
  const source: ImportedSource = {
    ...emptySource(),
    kind: "OCIRepository",
    url: text(oci.url).trim(),
    ...pickRef(ref, ["digest", "semver", "tag"], `${prefix}repositoryRef.`, findings),
    interval: seconds(oci.syncIntervalInSeconds, AZURE_DEFAULT_SECONDS),
    timeout: seconds(oci.timeoutInSeconds, AZURE_DEFAULT_SECONDS),
    layerMediaType: text(layer.mediaType),
    layerOperation: text(layer.operation).toLowerCase(),
  };
  if (isObject(oci.verify)) {
    const verify = oci.verify;
    findings.check(verify, `${prefix}verify.`, ["provider", "verificationConfig", "matchOidcIdentity"]);
    if (present(verify.provider) && text(verify.provider).toLowerCase() !== "cosign") findings.lost(`${prefix}verify.provider`, `Fleetline verifies OCI artifacts with cosign, not "${text(verify.provider)}"`);
    const identities = Array.isArray(verify.matchOidcIdentity) ? verify.matchOidcIdentity.filter(isObject) : [];
    source.verifyIdentities = identities.map((m) => ({ issuer: text(m.issuer), subject: text(m.subject) }));
    if (isObject(verify.verificationConfig) && Object.keys(verify.verificationConfig).length > 0) {
      findings.lost(`${prefix}verify.verificationConfig`, "trusted public keys go into a cosign key credential");
      findings.credential("signatures are checked against public keys: choose a cosign key credential");
    }
  }
  if (oci.useWorkloadIdentity === true) {
    source.provider = "azure";
    findings.lost(`${prefix}useWorkloadIdentity`, "mapped to provider azure; the workload identity itself is set up on each cluster");
  }
  if (oci.insecure === true) findings.lost(`${prefix}insecure`, "Fleetline reads OCI registries over HTTPS only");
  if (present(oci.serviceAccountName)) findings.lost(`${prefix}serviceAccountName`, "a service account on the Azure cluster; the target clusters' own identity is used");
  if (isObject(oci.tlsConfig)) {
    findings.lost(`${prefix}tlsConfig`, "client certificates stay in Azure's protected settings");
    findings.credential("the registry asks for a TLS client certificate");
  }
  localAuth(oci, prefix, findings);
  return source;
}

function substituteLines(value: unknown, prefix: string, findings: Findings): string {
  if (!isObject(value)) return "";
  const lines: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const v = text(raw);
    // One "KEY=value" per line in the wizard: a value over several lines cannot be typed there.
    if (/[\r\n]/.test(v)) findings.lost(`${prefix}${key}`, "a value over several lines; set it in a ConfigMap and use substituteFrom");
    else lines.push(`${key}=${v}`);
  }
  return lines.join("\n");
}

function mapKustomization(name: string, k: Json, prefix: string, findings: Findings): ImportedKustomization {
  findings.check(k, prefix, ["name", "path", "dependsOn", "timeoutInSeconds", "syncIntervalInSeconds", "retryIntervalInSeconds", "prune", "force", "wait", "postBuild", "validation"]);
  if (present(k.validation)) findings.lost(`${prefix}validation`, "Flux v2 Kustomizations no longer validate client- or server-side before applying");
  const dependsOn = (Array.isArray(k.dependsOn) ? k.dependsOn : [])
    // Early API versions wrote {kustomizationName}; later ones the name alone.
    .map((d) => (isObject(d) ? text(d.kustomizationName) : text(d)))
    .filter((d) => d !== "");
  const postBuild = isObject(k.postBuild) ? k.postBuild : {};
  findings.check(postBuild, `${prefix}postBuild.`, ["substitute", "substituteFrom"]);
  const substituteFrom = (Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []).filter(isObject).map((item) => {
    findings.check(item, `${prefix}postBuild.substituteFrom.`, ["kind", "name", "optional"]);
    return { kind: item.kind, name: item.name, ...(typeof item.optional === "boolean" ? { optional: item.optional } : {}) };
  });
  const path = text(k.path).trim();
  return {
    name,
    path: path === "" ? "./" : path,
    dependsOn,
    interval: seconds(k.syncIntervalInSeconds, AZURE_DEFAULT_SECONDS),
    retryInterval: seconds(k.retryIntervalInSeconds, undefined),
    timeout: seconds(k.timeoutInSeconds, AZURE_DEFAULT_SECONDS),
    prune: flag(k.prune, false),
    force: flag(k.force, false),
    wait: flag(k.wait, true),
    substitute: substituteLines(postBuild.substitute, `${prefix}postBuild.substitute.`, findings),
    substituteFrom: substituteFrom.length > 0 ? stringify(substituteFrom) : "",
  };
}

function mapKustomizations(value: unknown, prefix: string, findings: Findings): ImportedKustomization[] {
  // A map keyed by name; some tools print a list of objects that carry their name.
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((k, i) => [isObject(k) ? text(k.name) : `${i}`, k]) : isObject(value) ? Object.entries(value) : [];
  return entries.filter(([, k]) => isObject(k)).map(([name, k]) => mapKustomization(name, k as Json, `${prefix}kustomizations.${name}.`, findings));
}

function protectedSettings(value: unknown, prefix: string, findings: Findings) {
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    findings.lost(`${prefix}configurationProtectedSettings.${key}`, "a protected setting: Azure never returns its value");
    findings.credential(`protected setting ${key} held a secret`);
  }
}

const FLUX_KEYS = ["scope", "namespace", "sourceKind", "suspend", "gitRepository", "bucket", "azureBlob", "ociRepository", "kustomizations", "configurationProtectedSettings", "waitForReconciliation", "reconciliationWaitDuration", "reconciliationWait"];
const FLUX_STATUS = ["statuses", "repositoryPublicKey", "sourceSyncedCommitId", "sourceUpdatedAt", "statusUpdatedAt", "complianceState", "provisioningState", "errorMessage"];
const SOURCE_BLOCKS = { GitRepository: "gitRepository", Bucket: "bucket", AzureBlob: "azureBlob", OCIRepository: "ociRepository" } as const;
type AzureSourceKind = keyof typeof SOURCE_BLOCKS;

function sourceKindOf(body: Json, prefix: string, findings: Findings): AzureSourceKind {
  const declared = text(body.sourceKind);
  const match = (Object.keys(SOURCE_BLOCKS) as AzureSourceKind[]).find((kind) => kind.toLowerCase() === declared.toLowerCase());
  if (match) return match;
  if (declared !== "") findings.lost(`${prefix}sourceKind`, `"${declared}" is not a source kind Azure documents (GitRepository, Bucket, AzureBlob, OCIRepository)`);
  return (Object.keys(SOURCE_BLOCKS) as AzureSourceKind[]).find((kind) => isObject(body[SOURCE_BLOCKS[kind]])) ?? "GitRepository";
}

function scopeOf(value: unknown, field: string, findings: Findings): "cluster" | "namespace" {
  const scope = text(value).toLowerCase();
  if (scope === "namespace") return "namespace";
  if (scope !== "" && scope !== "cluster") findings.lost(field, `"${text(value)}" is neither cluster nor namespace; cluster is assumed`);
  return "cluster";
}

type Around = { known: readonly string[]; status: readonly string[] };

function mapFlux(name: string, body: Json, prefix: string, findings: Findings, around: Around): ImportedDraft {
  findings.check(body, prefix, [...FLUX_KEYS, ...around.known], [...FLUX_STATUS, ...around.status]);
  const kind = sourceKindOf(body, prefix, findings);
  for (const [other, key] of Object.entries(SOURCE_BLOCKS)) {
    if (other !== kind && isObject(body[key])) findings.lost(`${prefix}${key}`, `the source kind is ${kind}, so Azure did not use this ${other}`);
  }
  const block = body[SOURCE_BLOCKS[kind]];
  const blockPrefix = `${prefix}${SOURCE_BLOCKS[kind]}.`;
  const sourceBody = isObject(block) ? block : {};
  const source =
    kind === "GitRepository" ? mapGit(sourceBody, blockPrefix, findings)
    : kind === "Bucket" ? mapBucket(sourceBody, blockPrefix, findings)
    : kind === "AzureBlob" ? mapAzureBlob(sourceBody, blockPrefix, findings)
    : mapOci(sourceBody, blockPrefix, findings);
  protectedSettings(body.configurationProtectedSettings, prefix, findings);
  for (const key of ["waitForReconciliation", "reconciliationWaitDuration", "reconciliationWait"]) {
    if (present(body[key])) findings.lost(`${prefix}${key}`, "Azure's deployment waited for the cluster; a Fleetline push reports each cluster's progress instead");
  }
  return {
    name,
    scope: scopeOf(body.scope, `${prefix}scope`, findings),
    // Azure's default namespace is "default", not flux-system.
    namespace: present(body.namespace) ? text(body.namespace) : "default",
    description: "",
    suspend: flag(body.suspend, false),
    source,
    kustomizations: mapKustomizations(body.kustomizations, prefix, findings),
  };
}

/** "--git-branch=main --git-readonly" -> [["git-branch", "main"], ["git-readonly", undefined]]. */
function operatorFlags(params: string): [string, string | undefined][] {
  const tokens = params.split(/\s+/).filter(Boolean);
  const flags: [string, string | undefined][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const body = (tokens[i] ?? "").replace(/^-+/, "");
    const eq = body.indexOf("=");
    const next = tokens[i + 1];
    if (eq !== -1) flags.push([body.slice(0, eq), body.slice(eq + 1)]);
    else if (next !== undefined && !next.startsWith("-")) {
      flags.push([body, next]);
      i++;
    } else flags.push([body, undefined]);
  }
  return flags;
}

const V1_KEYS = ["repositoryUrl", "operatorNamespace", "operatorInstanceName", "operatorType", "operatorParams", "configurationProtectedSettings", "operatorScope", "sshKnownHostsContents", "enableHelmOperator", "helmOperatorProperties"];
const V1_STATUS = ["repositoryPublicKey", "provisioningState", "complianceStatus"];

function mapSourceControl(name: string, body: Json, prefix: string, findings: Findings, around: Around): ImportedDraft {
  findings.check(body, prefix, [...V1_KEYS, ...around.known], [...V1_STATUS, ...around.status]);
  findings.adjusted.push({ field: prefix.replace(/\.$/, "") || "type", why: "Flux v1 (support ended in 2025) becomes a Flux v2 GitRepository and one Kustomization" });
  const url = gitUrl(text(body.repositoryUrl), `${prefix}repositoryUrl`, findings);
  if (url.startsWith("ssh://")) findings.credential(sshReason);
  if (present(body.operatorType) && text(body.operatorType) !== "Flux") findings.lost(`${prefix}operatorType`, `only the Flux operator is documented, not "${text(body.operatorType)}"`);
  if (present(body.sshKnownHostsContents)) findings.lost(`${prefix}sshKnownHostsContents`, "known hosts go into the ssh credential");
  if (body.enableHelmOperator === true || isObject(body.helmOperatorProperties)) {
    findings.lost(`${prefix}${body.enableHelmOperator === true ? "enableHelmOperator" : "helmOperatorProperties"}`, "the Flux v1 Helm operator's HelmReleases must be rewritten as Flux v2 HelmReleases (helm.toolkit.fluxcd.io/v2)");
  }
  protectedSettings(body.configurationProtectedSettings, prefix, findings);
  const source: ImportedSource = { ...emptySource(), url, refValue: FLUX_V1_BRANCH, interval: FLUX_V1_INTERVAL, timeout: "60s" };
  const kustomization: ImportedKustomization = { name: "sync", path: "./", dependsOn: [], interval: FLUX_V1_INTERVAL, retryInterval: "", timeout: "", prune: false, force: false, wait: false, substitute: "", substituteFrom: "" };
  for (const [flagName, value] of operatorFlags(text(body.operatorParams))) {
    const field = `${prefix}operatorParams --${flagName}`;
    if (flagName === "git-branch" && value) source.refValue = value;
    else if (flagName === "git-poll-interval" && value) source.interval = value;
    else if (flagName === "sync-interval" && value) kustomization.interval = value;
    else if (flagName === "sync-garbage-collection") kustomization.prune = value !== "false";
    else if (flagName === "git-path" && value) {
      const [first, ...more] = value.split(",");
      kustomization.path = first?.trim() || "./";
      if (more.length > 0) findings.lost(field, `one Kustomization applies one path; ${more.join(", ")} need Kustomizations of their own`);
    } else if (flagName === "git-readonly") findings.adjusted.push({ field, why: "Flux v2 never writes to the repository" });
    else findings.lost(field, "a Flux v1 operator parameter with no Flux v2 counterpart in the wizard");
  }
  return {
    name,
    scope: scopeOf(body.operatorScope, `${prefix}operatorScope`, findings),
    namespace: present(body.operatorNamespace) ? text(body.operatorNamespace) : "default",
    description: "",
    suspend: false,
    source,
    kustomizations: [kustomization],
  };
}

// Resource-level fields: ARM's own, and what az adds around the properties.
const RESOURCE_KEYS = ["name", "properties", "location", "tags", "comments", "condition", "dependsOn", "scope"];
const RESOURCE_STATUS = ["id", "type", "apiVersion", "systemData", "resourceGroup", "etag"];
const CLUSTER_IN_ID = /\/providers\/Microsoft\.[A-Za-z]+\/(?:managedClusters|connectedClusters|provisionedClusters|appliances)\/([^/]+)/i;

function resourceName(item: Json, findings: Findings): string {
  const raw = text(item.name);
  if (raw.startsWith("[")) {
    findings.lost("name", `an ARM template expression (${raw.slice(0, 120)}); type the name on the Basics step`);
    return "";
  }
  return raw.includes("/") ? (raw.split("/").at(-1) ?? "") : raw;
}

function classify(item: Json): "fluxConfiguration" | "sourceControlConfiguration" | undefined {
  const type = text(item.type);
  if (/fluxconfigurations$/i.test(type)) return "fluxConfiguration";
  if (/sourcecontrolconfigurations$/i.test(type)) return "sourceControlConfiguration";
  if (type !== "") return undefined;
  const body = isObject(item.properties) ? item.properties : item;
  if ("repositoryUrl" in body || "operatorInstanceName" in body) return "sourceControlConfiguration";
  return ["gitRepository", "bucket", "azureBlob", "ociRepository", "kustomizations", "sourceKind"].some((key) => key in body) ? "fluxConfiguration" : undefined;
}

function mapResource(item: Json, kind: "fluxConfiguration" | "sourceControlConfiguration"): ImportedConfiguration {
  const findings = new Findings();
  const wrapped = isObject(item.properties);
  const body = wrapped ? (item.properties as Json) : item;
  const prefix = wrapped ? "properties." : "";
  if (wrapped) findings.check(item, "", RESOURCE_KEYS, RESOURCE_STATUS);
  // Flat (az's output): the resource fields sit beside the properties, and `scope` is the configuration's.
  const around: Around = wrapped ? { known: [], status: [] } : { known: RESOURCE_KEYS.filter((key) => key !== "scope"), status: RESOURCE_STATUS };
  const name = resourceName(item, findings);
  const draft = kind === "fluxConfiguration" ? mapFlux(name, body, prefix, findings, around) : mapSourceControl(name, body, prefix, findings, around);
  draft.description = `Imported from Azure ${kind} ${name}`.slice(0, 200);
  const cluster = CLUSTER_IN_ID.exec(text(item.id))?.[1];
  if (cluster) findings.lost("id", `Azure applied it to cluster ${cluster}; choose the target clusters on the Targets step`);
  return {
    azureName: name,
    azureKind: kind,
    ...(cluster ? { cluster } : {}),
    draft,
    notCarried: findings.notCarried,
    adjusted: findings.adjusted,
    unknownFields: findings.unknownFields,
    statusFields: findings.statusFields,
    needsCredential: findings.needsCredential,
  };
}

/** JSON.parse's message with the line and column the position points at. */
function jsonError(error: unknown, source: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /position (\d+)/.exec(message);
  if (!at) return `The text is not valid JSON: ${message}`;
  const position = Number(at[1]);
  const before = source.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `The text is not valid JSON at line ${line}, column ${column}: ${message.replace(/\s*\(line \d+ column \d+\)/, "")}`;
}

/** The resources in what was pasted: one resource, a list, an ARM template's resources or a REST list's value. */
function resourcesOf(root: unknown): unknown[] | undefined {
  if (Array.isArray(root)) return root;
  if (!isObject(root)) return undefined;
  if (Array.isArray(root.resources)) return root.resources;
  if (Array.isArray(root.value)) return root.value;
  return [root];
}

export function importFromAzure(source: string): AzureImportResult {
  // Characters bound bytes from below, so the cheap check goes first.
  const bytes = source.length > MAX_AZURE_IMPORT_BYTES ? source.length : utf8ByteLength(source);
  if (bytes > MAX_AZURE_IMPORT_BYTES) {
    return { ok: false, error: `The JSON is ${formatBytes(bytes)}; an import may be at most ${formatBytes(MAX_AZURE_IMPORT_BYTES)}: import fewer configurations at a time` };
  }
  if (source.trim() === "") return { ok: false, error: "Paste the JSON that az k8s-configuration flux show (or an ARM export) prints" };
  let root: unknown;
  try {
    root = JSON.parse(source);
  } catch (error) {
    return { ok: false, error: jsonError(error, source) };
  }
  const resources = resourcesOf(root);
  if (!resources) return { ok: false, error: "The JSON must be an object or a list of Azure configurations" };
  const found: [Json, "fluxConfiguration" | "sourceControlConfiguration"][] = [];
  const skipped: { name: string; type: string }[] = [];
  for (const [index, item] of resources.entries()) {
    if (!isObject(item)) {
      skipped.push({ name: `item ${index + 1}`, type: "not an object" });
      continue;
    }
    const kind = classify(item);
    if (kind) found.push([item, kind]);
    else skipped.push({ name: text(item.name) || `item ${index + 1}`, type: text(item.type) || "not an Azure configuration" });
  }
  if (found.length > MAX_AZURE_IMPORT_CONFIGURATIONS) {
    return { ok: false, error: `The JSON holds ${found.length.toLocaleString("en-US")} configurations; an import may hold at most ${MAX_AZURE_IMPORT_CONFIGURATIONS.toLocaleString("en-US")}: import fewer at a time` };
  }
  if (found.length === 0) {
    return { ok: false, error: "No Azure configuration found: expected Microsoft.KubernetesConfiguration fluxConfigurations or sourceControlConfigurations" };
  }
  return { ok: true, configurations: found.map(([item, kind]) => mapResource(item, kind)), skipped };
}
