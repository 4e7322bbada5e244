// source.toolkit.fluxcd.io/v1: GitRepository, OCIRepository, Bucket, HelmRepository.
import {
  arr,
  artifact,
  bool,
  col,
  conditions,
  crd,
  duration,
  int64,
  localRef,
  obj,
  oneOf,
  str,
  strings,
  strMap,
  timeout,
  type CustomResourceDefinition,
  type Schema,
} from "./schema";

export const FLUX_VERSION = "v2.7.0";

export function fluxLabels(component: string): Record<string, string> {
  return {
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/instance": "flux-system",
    "app.kubernetes.io/part-of": "flux",
    "app.kubernetes.io/version": FLUX_VERSION,
  };
}

/** Flux defaults status.observedGeneration to -1 until a controller has looked at the object. */
export function fluxStatus(properties: Record<string, Schema>): Schema {
  return {
    ...obj({
      observedGeneration: int64(),
      conditions: conditions(),
      lastHandledReconcileAt: str(),
      ...properties,
    }),
    default: { observedGeneration: -1 },
  };
}

const GROUP = "source.toolkit.fluxcd.io";
const labels = fluxLabels("source-controller");

const gitInclude = (): Schema => obj({ repository: localRef(), fromPath: str(), toPath: str() }, ["repository"]);

const gitRepository = crd({
  group: GROUP,
  version: "v1",
  kind: "GitRepository",
  plural: "gitrepositories",
  singular: "gitrepository",
  shortNames: ["gitrepo"],
  labels,
  columns: [col.url, col.age, col.ready, col.status],
  properties: {
    spec: obj(
      {
        url: str({ pattern: "^(http|https|ssh)://.*$" }),
        secretRef: localRef(),
        provider: oneOf("generic", "azure", "github"),
        serviceAccountName: str(),
        interval: duration(),
        timeout: timeout(),
        ref: obj({ branch: str(), tag: str(), semver: str(), name: str(), commit: str() }),
        verify: obj({ mode: { ...oneOf("head", "HEAD", "Tag", "TagAndHEAD"), default: "HEAD" }, secretRef: localRef() }, ["secretRef"]),
        proxySecretRef: localRef(),
        ignore: str(),
        suspend: bool(),
        recurseSubmodules: bool(),
        include: arr(gitInclude()),
        sparseCheckout: strings(),
      },
      ["interval", "url"],
    ),
    status: fluxStatus({
      artifact: artifact(),
      includedArtifacts: arr(artifact()),
      observedIgnore: str(),
      observedRecurseSubmodules: bool(),
      observedInclude: arr(gitInclude()),
      observedSparseCheckout: strings(),
      sourceVerificationMode: str(),
    }),
  },
});

const layerSelector = (): Schema => obj({ mediaType: str(), operation: oneOf("extract", "copy") });

const ociRepository = crd({
  group: GROUP,
  version: "v1",
  kind: "OCIRepository",
  plural: "ocirepositories",
  singular: "ocirepository",
  shortNames: ["ocirepo"],
  labels,
  columns: [col.url, col.ready, col.status, col.age],
  properties: {
    spec: obj(
      {
        url: str({ pattern: "^oci://.*$" }),
        ref: obj({ digest: str(), semver: str(), semverFilter: str(), tag: str() }),
        layerSelector: layerSelector(),
        provider: { ...oneOf("generic", "aws", "azure", "gcp"), default: "generic" },
        secretRef: localRef(),
        verify: obj(
          {
            provider: { ...oneOf("cosign", "notation"), default: "cosign" },
            secretRef: localRef(),
            matchOIDCIdentity: arr(obj({ issuer: str(), subject: str() }, ["issuer", "subject"])),
          },
          ["provider"],
        ),
        serviceAccountName: str(),
        certSecretRef: localRef(),
        proxySecretRef: localRef(),
        interval: duration(),
        timeout: timeout(),
        ignore: str(),
        insecure: bool(),
        suspend: bool(),
      },
      ["interval", "url"],
    ),
    status: fluxStatus({
      url: str(),
      artifact: artifact(),
      observedIgnore: str(),
      observedLayerSelector: layerSelector(),
    }),
  },
});

const bucket = crd({
  group: GROUP,
  version: "v1",
  kind: "Bucket",
  plural: "buckets",
  singular: "bucket",
  labels,
  columns: [{ name: "Endpoint", type: "string", jsonPath: ".spec.endpoint" }, col.age, col.ready, col.status],
  properties: {
    spec: obj(
      {
        provider: { ...oneOf("generic", "aws", "gcp", "azure"), default: "generic" },
        bucketName: str(),
        endpoint: str(),
        sts: obj(
          {
            provider: oneOf("aws", "ldap"),
            endpoint: str({ pattern: "^(http|https)://.*$" }),
            secretRef: localRef(),
            certSecretRef: localRef(),
          },
          ["endpoint", "provider"],
        ),
        insecure: bool(),
        region: str(),
        prefix: str(),
        secretRef: localRef(),
        serviceAccountName: str(),
        certSecretRef: localRef(),
        proxySecretRef: localRef(),
        interval: duration(),
        timeout: timeout(),
        ignore: str(),
        suspend: bool(),
      },
      ["bucketName", "endpoint", "interval"],
    ),
    status: fluxStatus({ url: str(), artifact: artifact(), observedIgnore: str() }),
  },
});

const helmRepository = crd({
  group: GROUP,
  version: "v1",
  kind: "HelmRepository",
  plural: "helmrepositories",
  singular: "helmrepository",
  shortNames: ["helmrepo"],
  labels,
  columns: [col.url, col.age, col.ready, col.status],
  properties: {
    spec: obj(
      {
        url: str({ pattern: "^(http|https|oci)://.*$" }),
        secretRef: localRef(),
        certSecretRef: localRef(),
        passCredentials: bool(),
        interval: duration(),
        insecure: bool(),
        timeout: str({ pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$" }),
        suspend: bool(),
        accessFrom: obj({ namespaceSelectors: arr(obj({ matchLabels: strMap() })) }, ["namespaceSelectors"]),
        type: oneOf("default", "oci"),
        provider: { ...oneOf("generic", "aws", "azure", "gcp"), default: "generic" },
      },
      ["url"],
    ),
    status: fluxStatus({ url: str(), artifact: artifact() }),
  },
});

export const fluxSourceCrds: CustomResourceDefinition[] = [gitRepository, ociRepository, bucket, helmRepository];
