// argoproj.io/v1alpha1 Application (with its top-level `operation`) and AppProject.
import {
  anyJson,
  arr,
  bool,
  crd,
  date,
  int64,
  obj,
  str,
  strings,
  strMap,
  type CustomResourceDefinition,
  type Schema,
} from "./schema";

const labels = (name: string): Record<string, string> => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/part-of": "argocd",
});

const nameValue = (): Schema => obj({ name: str(), value: str() }, ["name", "value"]);
const jsonnetVar = (): Schema => obj({ name: str(), value: str(), code: bool() }, ["name", "value"]);

const applicationSource = (): Schema =>
  obj(
    {
      repoURL: str(),
      path: str(),
      targetRevision: str(),
      chart: str(),
      ref: str(),
      name: str(),
      helm: obj({
        valueFiles: strings(),
        values: str(),
        // Argo CD itself declares valuesObject as free-form.
        valuesObject: anyJson(),
        parameters: arr(obj({ name: str(), value: str(), forceString: bool() })),
        fileParameters: arr(obj({ name: str(), path: str() })),
        releaseName: str(),
        version: str(),
        passCredentials: bool(),
        skipCrds: bool(),
        skipSchemaValidation: bool(),
        ignoreMissingValueFiles: bool(),
        namespace: str(),
        kubeVersion: str(),
        apiVersions: strings(),
      }),
      kustomize: obj({
        namePrefix: str(),
        nameSuffix: str(),
        images: strings(),
        commonLabels: strMap(),
        commonAnnotations: strMap(),
        forceCommonLabels: bool(),
        forceCommonAnnotations: bool(),
        version: str(),
        namespace: str(),
        components: strings(),
        replicas: arr(obj({ name: str(), count: { "x-kubernetes-int-or-string": true } }, ["count", "name"])),
      }),
      directory: obj({
        recurse: bool(),
        include: str(),
        exclude: str(),
        jsonnet: obj({ extVars: arr(jsonnetVar()), tlas: arr(jsonnetVar()), libs: strings() }),
      }),
      plugin: obj({
        name: str(),
        env: arr(nameValue()),
        parameters: arr(obj({ name: str(), string: str(), array: strings(), map: strMap() })),
      }),
    },
    ["repoURL"],
  );

const destination = (): Schema => obj({ server: str(), namespace: str(), name: str() });

const retry = (): Schema =>
  obj({ limit: int64(), backoff: obj({ duration: str(), factor: int64(), maxDuration: str() }) });

const operation = (): Schema =>
  obj(
    {
      sync: obj({
        revision: str(),
        revisions: strings(),
        prune: bool(),
        dryRun: bool(),
        resources: arr(obj({ group: str(), kind: str(), name: str(), namespace: str() }, ["kind", "name"])),
        source: applicationSource(),
        sources: arr(applicationSource()),
        syncOptions: strings(),
        syncStrategy: obj({ apply: obj({ force: bool() }), hook: obj({ force: bool() }) }),
        autoHealAttemptsCount: int64(),
      }),
      initiatedBy: obj({ username: str(), automated: bool() }),
      info: arr(nameValue()),
      retry: retry(),
    },
  );

const resourceStatus = (): Schema =>
  obj({
    group: str(),
    version: str(),
    kind: str(),
    namespace: str(),
    name: str(),
    status: str(),
    health: obj({ status: str(), message: str(), lastTransitionTime: date() }),
    hook: bool(),
    requiresPruning: bool(),
    requiresDeletionConfirmation: bool(),
    syncWave: int64(),
  });

const application = crd({
  group: "argoproj.io",
  version: "v1alpha1",
  kind: "Application",
  plural: "applications",
  singular: "application",
  shortNames: ["app", "apps"],
  labels: labels("applications.argoproj.io"),
  statusSubresource: false,
  columns: [
    { name: "Sync Status", type: "string", jsonPath: ".status.sync.status" },
    { name: "Health Status", type: "string", jsonPath: ".status.health.status" },
    { name: "Revision", type: "string", jsonPath: ".status.sync.revision", priority: 10 },
    { name: "Project", type: "string", jsonPath: ".spec.project", priority: 10 },
  ],
  required: ["metadata", "spec"],
  properties: {
    operation: operation(),
    spec: obj(
      {
        project: str(),
        source: applicationSource(),
        sources: arr(applicationSource()),
        destination: destination(),
        syncPolicy: obj({
          automated: obj({ prune: bool(), selfHeal: bool(), allowEmpty: bool(), enabled: bool() }),
          syncOptions: strings(),
          retry: retry(),
          managedNamespaceMetadata: obj({ labels: strMap(), annotations: strMap() }),
        }),
        ignoreDifferences: arr(
          obj(
            {
              group: str(),
              kind: str(),
              name: str(),
              namespace: str(),
              jsonPointers: strings(),
              jqPathExpressions: strings(),
              managedFieldsManagers: strings(),
            },
            ["kind"],
          ),
        ),
        info: arr(nameValue()),
        revisionHistoryLimit: int64(),
      },
      ["destination", "project"],
    ),
    status: obj({
      sync: obj(
        {
          status: str(),
          revision: str(),
          revisions: strings(),
          comparedTo: obj({ source: applicationSource(), sources: arr(applicationSource()), destination: destination() }, ["destination"]),
        },
        ["status"],
      ),
      health: obj({ status: str(), message: str(), lastTransitionTime: date() }),
      history: arr(
        obj(
          {
            id: int64(),
            revision: str(),
            revisions: strings(),
            deployedAt: date(),
            deployStartedAt: date(),
            source: applicationSource(),
            sources: arr(applicationSource()),
            initiatedBy: obj({ username: str(), automated: bool() }),
          },
          ["deployedAt", "id"],
        ),
      ),
      resources: arr(resourceStatus()),
      operationState: obj(
        {
          operation: operation(),
          phase: str(),
          message: str(),
          startedAt: date(),
          finishedAt: date(),
          retryCount: int64(),
          syncResult: obj(
            {
              revision: str(),
              revisions: strings(),
              source: applicationSource(),
              sources: arr(applicationSource()),
              resources: arr(
                obj(
                  {
                    group: str(),
                    version: str(),
                    kind: str(),
                    namespace: str(),
                    name: str(),
                    status: str(),
                    message: str(),
                    hookType: str(),
                    hookPhase: str(),
                    syncPhase: str(),
                    images: strings(),
                  },
                  // Upstream also requires group and namespace; the envtest apiserver build cannot store
                  // "" in custom resources (core group, cluster-scoped objects), so they are optional here.
                  ["kind", "name", "version"],
                ),
              ),
            },
            ["revision"],
          ),
        },
        ["operation", "phase", "startedAt"],
      ),
      reconciledAt: date(),
      observedAt: date(),
      sourceType: str(),
      sourceTypes: strings(),
      summary: obj({ externalURLs: strings(), images: strings() }),
      conditions: arr(obj({ type: str(), message: str(), lastTransitionTime: date() }, ["message", "type"])),
      controllerNamespace: str(),
    }),
  },
});

const groupKind = (): Schema => obj({ group: str(), kind: str() }, ["group", "kind"]);

const appProject = crd({
  group: "argoproj.io",
  version: "v1alpha1",
  kind: "AppProject",
  plural: "appprojects",
  singular: "appproject",
  shortNames: ["appproj", "appprojs"],
  labels: labels("appprojects.argoproj.io"),
  statusSubresource: false,
  columns: [],
  required: ["metadata", "spec"],
  properties: {
    spec: obj({
      description: str(),
      sourceRepos: strings(),
      sourceNamespaces: strings(),
      destinations: arr(destination()),
      clusterResourceWhitelist: arr(groupKind()),
      clusterResourceBlacklist: arr(groupKind()),
      namespaceResourceWhitelist: arr(groupKind()),
      namespaceResourceBlacklist: arr(groupKind()),
      roles: arr(obj({ name: str(), description: str(), policies: strings(), groups: strings() }, ["name"])),
      orphanedResources: obj({ warn: bool() }),
      syncWindows: arr(
        obj({ kind: str(), schedule: str(), duration: str(), applications: strings(), namespaces: strings(), clusters: strings(), manualSync: bool() }),
      ),
    }),
    status: obj({
      jwtTokensByRole: { type: "object", additionalProperties: obj({ items: arr(obj({ iat: int64(), exp: int64(), id: str() }, ["iat"])) }) },
    }),
  },
});

export const argoCrds: CustomResourceDefinition[] = [application, appProject];
