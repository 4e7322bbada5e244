// kustomize.toolkit.fluxcd.io/v1 Kustomization and helm.toolkit.fluxcd.io/v2 HelmRelease.
import { fluxLabels, fluxStatus } from "./flux-sources";
import {
  anyJson,
  arr,
  bool,
  col,
  crd,
  date,
  duration,
  int,
  int64,
  kubeConfigRef,
  kustomizeImages,
  kustomizePatches,
  kustomizeSelector,
  localRef,
  namespacedRef,
  obj,
  oneOf,
  str,
  strings,
  strMap,
  type CustomResourceDefinition,
  type Schema,
} from "./schema";

const commonMetadata = (): Schema => obj({ annotations: strMap(), labels: strMap() });

const dependsOn = (): Schema => arr(namespacedRef());

/** Newer Flux keeps the last reconciliations per digest (up to 5). */
const history = (): Schema =>
  arr(
    obj(
      {
        digest: str(),
        firstReconciled: date(),
        lastReconciled: date(),
        lastReconciledDuration: str(),
        lastReconciledStatus: str(),
        totalReconciliations: int64(),
        metadata: strMap(),
      },
      ["digest", "firstReconciled", "lastReconciled", "lastReconciledDuration", "lastReconciledStatus", "totalReconciliations"],
    ),
  );

const inventory = (): Schema => obj({ entries: arr(obj({ id: str(), v: str() }, ["id", "v"])) }, ["entries"]);

const kustomization = crd({
  group: "kustomize.toolkit.fluxcd.io",
  version: "v1",
  kind: "Kustomization",
  plural: "kustomizations",
  singular: "kustomization",
  shortNames: ["ks"],
  labels: fluxLabels("kustomize-controller"),
  columns: [col.age, col.ready, col.status],
  properties: {
    spec: obj(
      {
        commonMetadata: commonMetadata(),
        dependsOn: dependsOn(),
        decryption: obj({ provider: oneOf("sops"), secretRef: localRef(), serviceAccountName: str() }, ["provider"]),
        deletionPolicy: oneOf("MirrorPrune", "Delete", "WaitForTermination", "Orphan"),
        interval: duration(),
        retryInterval: duration(),
        kubeConfig: kubeConfigRef(),
        path: str(),
        postBuild: obj({
          substitute: strMap(),
          substituteFrom: arr(
            obj(
              {
                kind: oneOf("Secret", "ConfigMap"),
                name: str({ minLength: 1, maxLength: 253 }),
                optional: bool({ default: false }),
              },
              ["kind", "name"],
            ),
          ),
        }),
        prune: bool(),
        healthChecks: arr(obj({ apiVersion: str(), kind: str(), name: str(), namespace: str() }, ["kind", "name"])),
        healthCheckExprs: arr(
          obj({ apiVersion: str(), kind: str(), current: str(), inProgress: str(), failed: str() }, ["apiVersion", "current", "kind"]),
        ),
        patches: kustomizePatches(),
        images: kustomizeImages(),
        serviceAccountName: str(),
        sourceRef: obj(
          { apiVersion: str(), kind: oneOf("OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"), name: str(), namespace: str() },
          ["kind", "name"],
        ),
        suspend: bool(),
        targetNamespace: str({ minLength: 1, maxLength: 63 }),
        timeout: duration(),
        force: bool({ default: false }),
        wait: bool(),
        components: strings(),
      },
      ["interval", "prune", "sourceRef"],
    ),
    status: fluxStatus({
      lastAppliedRevision: str(),
      lastAppliedOriginRevision: str(),
      lastAttemptedRevision: str(),
      inventory: inventory(),
      history: history(),
    }),
  },
});

const remediation = (extra: Record<string, Schema> = {}): Schema =>
  obj({ retries: int(), ignoreTestFailures: bool(), remediateLastFailure: bool(), ...extra });

const crdsPolicy = (): Schema => oneOf("Skip", "Create", "CreateReplace");

const helmChartSpec = (): Schema =>
  obj(
    {
      chart: str({ minLength: 1, maxLength: 2048 }),
      version: str({ default: "*" }),
      sourceRef: obj(
        { apiVersion: str(), kind: oneOf("HelmRepository", "GitRepository", "Bucket"), name: str({ minLength: 1, maxLength: 253 }), namespace: str() },
        ["kind", "name"],
      ),
      interval: duration(),
      reconcileStrategy: { ...oneOf("ChartVersion", "Revision"), default: "ChartVersion" },
      valuesFiles: strings(),
      ignoreMissingValuesFiles: bool(),
      verify: obj({ provider: { ...oneOf("cosign", "notation"), default: "cosign" }, secretRef: localRef() }, ["provider"]),
    },
    ["chart", "sourceRef"],
  );

const helmRelease = crd({
  group: "helm.toolkit.fluxcd.io",
  version: "v2",
  kind: "HelmRelease",
  plural: "helmreleases",
  singular: "helmrelease",
  shortNames: ["hr"],
  labels: fluxLabels("helm-controller"),
  columns: [col.age, col.ready, col.status],
  properties: {
    spec: obj(
      {
        chart: obj({ metadata: commonMetadata(), spec: helmChartSpec() }, ["spec"]),
        chartRef: obj({ apiVersion: str(), kind: oneOf("OCIRepository", "HelmChart", "ExternalArtifact"), name: str(), namespace: str() }, ["kind", "name"]),
        commonMetadata: commonMetadata(),
        interval: duration(),
        kubeConfig: kubeConfigRef(),
        suspend: bool(),
        releaseName: str({ minLength: 1, maxLength: 53 }),
        targetNamespace: str({ minLength: 1, maxLength: 63 }),
        storageNamespace: str({ minLength: 1, maxLength: 63 }),
        dependsOn: dependsOn(),
        timeout: duration(),
        maxHistory: int(),
        serviceAccountName: str({ minLength: 1, maxLength: 253 }),
        persistentClient: bool(),
        driftDetection: obj({
          mode: oneOf("enabled", "warn", "disabled"),
          ignore: arr(obj({ paths: strings(), target: kustomizeSelector() }, ["paths"])),
        }),
        install: obj({
          timeout: duration(),
          remediation: remediation(),
          disableWait: bool(),
          disableWaitForJobs: bool(),
          disableHooks: bool(),
          disableOpenAPIValidation: bool(),
          disableSchemaValidation: bool(),
          replace: bool(),
          skipCRDs: bool(),
          crds: crdsPolicy(),
          createNamespace: bool(),
        }),
        upgrade: obj({
          timeout: duration(),
          remediation: remediation({ strategy: oneOf("rollback", "uninstall") }),
          disableWait: bool(),
          disableWaitForJobs: bool(),
          disableHooks: bool(),
          disableOpenAPIValidation: bool(),
          disableSchemaValidation: bool(),
          force: bool(),
          preserveValues: bool(),
          cleanupOnFail: bool(),
          crds: crdsPolicy(),
        }),
        test: obj({
          enable: bool(),
          timeout: duration(),
          ignoreFailures: bool(),
          filters: arr(obj({ name: str({ minLength: 1, maxLength: 253 }), exclude: bool() }, ["name"])),
        }),
        rollback: obj({
          timeout: duration(),
          disableWait: bool(),
          disableWaitForJobs: bool(),
          disableHooks: bool(),
          recreate: bool(),
          force: bool(),
          cleanupOnFail: bool(),
        }),
        uninstall: obj({
          timeout: duration(),
          disableHooks: bool(),
          keepHistory: bool(),
          disableWait: bool(),
          deletionPropagation: { ...oneOf("background", "foreground", "orphan"), default: "background" },
        }),
        valuesFrom: arr(
          obj(
            {
              kind: oneOf("Secret", "ConfigMap"),
              name: str({ minLength: 1, maxLength: 253 }),
              valuesKey: str({ maxLength: 253 }),
              targetPath: str({ maxLength: 250 }),
              optional: bool(),
            },
            ["kind", "name"],
          ),
        ),
        values: anyJson(),
        postRenderers: arr(obj({ kustomize: obj({ patches: kustomizePatches(), images: kustomizeImages() }) })),
      },
      ["interval"],
    ),
    status: fluxStatus({
      observedPostRenderersDigest: str(),
      lastAttemptedGeneration: int64(),
      helmChart: str(),
      storageNamespace: str({ minLength: 1, maxLength: 63 }),
      history: arr(
        obj(
          {
            apiVersion: str(),
            digest: str(),
            name: str(),
            namespace: str(),
            version: int(),
            status: str(),
            chartName: str(),
            chartVersion: str(),
            appVersion: str(),
            configDigest: str(),
            firstDeployed: date(),
            lastDeployed: date(),
            deleted: date(),
            ociDigest: str(),
          },
          ["chartName", "chartVersion", "configDigest", "digest", "firstDeployed", "lastDeployed", "name", "namespace", "status", "version"],
        ),
      ),
      lastAttemptedReleaseAction: oneOf("install", "upgrade"),
      failures: int64(),
      installFailures: int64(),
      upgradeFailures: int64(),
      lastAttemptedRevision: str(),
      lastAttemptedRevisionDigest: str(),
      lastAttemptedValuesChecksum: str(),
      lastReleaseRevision: int(),
      lastAttemptedConfigDigest: str(),
      lastHandledForceAt: str(),
      lastHandledResetAt: str(),
      inventory: inventory(),
    }),
  },
});

export const fluxDeployerCrds: CustomResourceDefinition[] = [kustomization, helmRelease];
