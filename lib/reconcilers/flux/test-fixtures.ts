import { configurationSpecSchema, type ConfigurationSpecInput } from "@/lib/validation/configuration";
import type { RenderCredential, RenderInput, RenderKey } from "./types";

/**
 * Configurations for the renderer tests (goldens included). Secret values are canaries:
 * tests grep every non-Secret field and every masked output for them.
 */

export const CANARY = {
  username: "fleet-bot",
  password: "canary-password-7f3a9",
  token: "canary-bearer-token-51c2",
  identity: "-----BEGIN OPENSSH PRIVATE KEY-----\ncanary-private-key-0d9e\n-----END OPENSSH PRIVATE KEY-----\n",
  identityPub: "ssh-ed25519 AAAAC3canarypublickey fleet@example",
  knownHosts: "github.com ssh-ed25519 AAAAC3canaryknownhost",
  caCert: "-----BEGIN CERTIFICATE-----\ncanary-ca-cert-88b1\n-----END CERTIFICATE-----\n",
} as const;

export const CREDENTIALS = {
  https: { type: "https", username: CANARY.username, password: CANARY.password },
  httpsWithCa: { type: "https", username: CANARY.username, password: CANARY.password, caCert: CANARY.caCert },
  bearer: { type: "bearer", token: CANARY.token },
  ssh: { type: "ssh", identity: CANARY.identity, identityPub: CANARY.identityPub, knownHosts: CANARY.knownHosts },
  ca: { type: "ca", caCert: CANARY.caCert },
} as const satisfies Record<string, RenderCredential>;

function input(spec: ConfigurationSpecInput, version: number, credential?: RenderCredential): RenderInput {
  return { spec: configurationSpecSchema.parse(spec), version, configurationId: "cfg_01HZX3", ...(credential ? { credential } : {}) };
}

/** (a) Git over HTTPS with a credential, two Kustomizations, dependsOn and postBuild. */
export const gitHttpsInput = input(
  {
    name: "baseline",
    scope: "cluster",
    description: "Cluster baseline: namespaces, RBAC, ingress",
    source: {
      kind: "GitRepository",
      url: "https://github.com/acme/fleet-baseline",
      ref: { type: "branch", value: "main" },
      interval: "5m",
      credentialId: "cred_git_1",
    },
    kustomizations: [
      { name: "infra", path: "infrastructure/base", prune: true, timeout: "5m" },
      {
        name: "apps",
        path: "./apps/production/",
        dependsOn: ["infra"],
        retryInterval: "2m",
        postBuild: { substitute: { cluster_env: "production", REPLICAS: "3", ENABLE_DEBUG: "no" } },
      },
    ],
    targets: { selector: { matchLabels: { env: "prod" } } },
  },
  3,
  CREDENTIALS.httpsWithCa,
);

/** (b) OCI artifact with a registry login. */
export const ociInput = input(
  {
    name: "podinfo-manifests",
    scope: "cluster",
    source: {
      kind: "OCIRepository",
      url: "oci://ghcr.io/stefanprodan/manifests/podinfo",
      ref: { type: "semver", value: ">=6.6.0 <7.0.0" },
      credentialId: "cred_oci_1",
    },
    kustomizations: [{ name: "podinfo", targetNamespace: "podinfo", prune: true }],
    targets: { clusterIds: ["c1", "c2"] },
  },
  1,
  CREDENTIALS.https,
);

/** (c) S3-compatible bucket, no credential (cloud identity), explicit Kustomization timing. */
export const bucketInput = input(
  {
    name: "edge-config",
    scope: "cluster",
    namespace: "fleet-sources",
    source: {
      kind: "Bucket",
      bucketName: "edge-manifests",
      endpoint: "minio.storage.svc.cluster.local:9000",
      region: "eu-west-1",
      prefix: "edge/",
      insecure: true,
      interval: "15m",
      timeout: "2m",
    },
    kustomizations: [{ name: "config", path: "edge", interval: "30m", retryInterval: "1m", timeout: "3m", force: true, wait: false }],
    targets: { clusterIds: ["edge-1"] },
  },
  7,
);

/** (d) HelmRepository with basic auth and a CA, two HelmReleases, one with values. */
export const helmInput = input(
  {
    name: "observability",
    scope: "cluster",
    namespace: "monitoring",
    source: { kind: "HelmRepository", url: "https://prometheus-community.github.io/helm-charts", credentialId: "cred_helm_1" },
    helmReleases: [
      {
        name: "prometheus",
        chart: "kube-prometheus-stack",
        version: "^58.0.0",
        releaseName: "kps",
        targetNamespace: "monitoring",
        interval: "30m",
        values: [
          "# Values from the wizard",
          "grafana:",
          "  enabled: true",
          "  adminUser: admin",
          "prometheus:",
          "  prometheusSpec:",
          "    retention: 15d",
          "    replicas: 2",
          "alertmanager:",
          "  enabled: false",
          'legacyFlag: "on"',
        ].join("\n"),
      },
      { name: "blackbox", chart: "prometheus-blackbox-exporter" },
    ],
    targets: { clusterIds: ["c1"] },
  },
  2,
  CREDENTIALS.httpsWithCa,
);

/** (e) Suspended, namespace-scoped, SSH Git source, a Kustomization and a chart from the repository. */
export const suspendedNamespacedInput = input(
  {
    name: "shop",
    scope: "namespace",
    namespace: "team-shop",
    suspend: true,
    source: {
      kind: "GitRepository",
      url: "ssh://git@github.com/acme/shop.git",
      ref: { type: "commit", value: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d" },
      credentialId: "cred_ssh_1",
    },
    kustomizations: [{ name: "app", path: "deploy/overlays/prod" }],
    helmReleases: [{ name: "cache", chart: "charts/redis", values: "architecture: standalone\n" }],
    targets: { clusterIds: ["c9"] },
  },
  12,
  CREDENTIALS.ssh,
);

/** (f) Every Flux field of issue 18 §3 on a cluster-scoped Git configuration: lists given as the wizard's YAML. */
export const fluxFieldsInput = input(
  {
    name: "platform",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref: { type: "tag", value: "v2.3.0" } },
    kustomizations: [
      {
        name: "apps",
        path: "./apps/overlays/prod",
        postBuild: {
          substitute: { cluster_env: "prod" },
          substituteFrom: "- kind: ConfigMap\n  name: cluster-vars\n- kind: Secret\n  name: cluster-secrets\n  optional: true\n",
        },
        patches: [
          "- patch: |",
          "    apiVersion: apps/v1",
          "    kind: Deployment",
          "    metadata:",
          "      name: podinfo",
          "    spec:",
          "      replicas: 3",
          "- patch: |",
          "    - op: add",
          "      path: /metadata/annotations/team",
          "      value: platform",
          "  target:",
          "    kind: Deployment",
          "    labelSelector: app.kubernetes.io/part-of=shop",
        ].join("\n"),
        images: "- name: ghcr.io/stefanprodan/podinfo\n  newTag: 6.7.1\n- name: nginx\n  newName: registry.acme.internal/mirror/nginx\n  digest: sha256:" + "ab".repeat(32) + "\n",
        healthChecks: "- apiVersion: apps/v1\n  kind: Deployment\n  name: podinfo\n  namespace: apps\n",
        components: ["../../components/ingress", "../../components/monitoring"],
        deletionPolicy: "Orphan",
        serviceAccountName: "platform-applier",
      },
    ],
    helmReleases: [
      { name: "redis", chart: "charts/redis" },
      {
        name: "web",
        chart: "charts/web",
        dependsOn: ["redis"],
        timeout: "10m",
        maxHistory: 3,
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 2, remediateLastFailure: true, strategy: "uninstall" } },
        valuesFrom: "- kind: ConfigMap\n  name: web-values\n  valuesKey: prod.yaml\n- kind: Secret\n  name: web-secrets\n  targetPath: auth.password\n  optional: true\n",
        driftDetection: { mode: "warn" },
      },
    ],
    targets: { clusterIds: ["c1"] },
  },
  4,
);

/** (g) Source fields (issue 18 §3): a sparse Git checkout; an OCI artifact's layer and its keyless cosign signer. */
export const sparseGitInput = input(
  {
    name: "monorepo",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/monorepo", ref: { type: "branch", value: "main" }, sparseCheckout: ["./deploy/prod", "charts/"] },
    kustomizations: [{ name: "prod", path: "./deploy/prod" }],
    targets: { selector: { matchLabels: { env: "prod" } } },
  },
  1,
);

export const signedOciInput = input(
  {
    name: "signed-manifests",
    scope: "cluster",
    source: {
      kind: "OCIRepository",
      url: "oci://ghcr.io/acme/manifests/podinfo",
      ref: { type: "tag", value: "6.7.0" },
      layerSelector: { mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: "extract" },
      verify: { provider: "cosign", matchOIDCIdentity: [{ issuer: "^https://token\\.actions\\.githubusercontent\\.com$", subject: "^https://github\\.com/acme/manifests/\\.github/workflows/release\\.yml@refs/tags/v.*$" }] },
    },
    kustomizations: [{ name: "podinfo", targetNamespace: "podinfo" }],
    targets: { selector: { matchLabels: { env: "prod" } } },
  },
  2,
);

/** Stand-in key material: the renderer only places it, so any text shows where it goes. */
export const KEYS = {
  pgp: { type: "pgp", publicKeys: ["-----BEGIN PGP PUBLIC KEY BLOCK-----\ncanary-pgp-release-key\n-----END PGP PUBLIC KEY BLOCK-----\n", "-----BEGIN PGP PUBLIC KEY BLOCK-----\ncanary-pgp-ops-key\n-----END PGP PUBLIC KEY BLOCK-----\n"] },
  cosign: { type: "cosign", publicKey: "-----BEGIN PUBLIC KEY-----\ncanary-cosign-key\n-----END PUBLIC KEY-----\n" },
  age: { type: "sops", format: "age", privateKey: "AGE-SECRET-KEY-1CANARYAGEIDENTITY\n" },
  sopsPgp: { type: "sops", format: "pgp", privateKey: "-----BEGIN PGP PRIVATE KEY BLOCK-----\ncanary-sops-pgp\n-----END PGP PRIVATE KEY BLOCK-----\n" },
} as const satisfies Record<string, RenderKey>;
export const KEY_IDS = { pgp: "cred-pgp-1", cosign: "cred-cosign-1", age: "cred-age-1", sopsPgp: "cred-sops-pgp-1" } as const;

/** Git with signed tags and commits verified, another repository's manifests included. */
export const signedGitInput: RenderInput = {
  ...input(
    {
      name: "signed-platform",
      scope: "cluster",
      source: {
        kind: "GitRepository",
        url: "https://github.com/acme/platform",
        ref: { type: "semver", value: ">=1.4.0 <2.0.0" },
        verify: { mode: "TagAndHEAD", credentialId: KEY_IDS.pgp },
        include: [{ repository: { name: "shared-policies" }, fromPath: "policies/", toPath: "vendor/policies" }, { repository: { name: "shared-crds" } }],
      },
      kustomizations: [{ name: "platform", path: "./clusters/prod" }],
      targets: { selector: { matchLabels: { env: "prod" } } },
    },
    3,
  ),
  keys: { [KEY_IDS.pgp]: KEYS.pgp },
};

/** OCI artifacts verified with a cosign public key. */
export const keySignedOciInput: RenderInput = {
  ...input(
    {
      name: "key-signed",
      scope: "cluster",
      source: { kind: "OCIRepository", url: "oci://ghcr.io/acme/manifests/app", ref: { type: "semver", value: "^1.0.0" }, verify: { provider: "cosign", credentialId: KEY_IDS.cosign } },
      kustomizations: [{ name: "app", targetNamespace: "app" }],
      targets: { selector: { matchLabels: { env: "prod" } } },
    },
    1,
  ),
  keys: { [KEY_IDS.cosign]: KEYS.cosign },
};

/** SOPS: two Kustomizations share an age key, a third decrypts with a PGP key, a fourth with the controller's own identity. */
export const sopsInput: RenderInput = {
  ...input(
    {
      name: "secrets",
      scope: "namespace",
      namespace: "team-a",
      source: { kind: "GitRepository", url: "https://github.com/acme/team-a", ref: { type: "branch", value: "main" } },
      kustomizations: [
        { name: "apps", path: "./apps", decryption: { provider: "sops", credentialId: KEY_IDS.age } },
        { name: "jobs", path: "./jobs", decryption: { provider: "sops", credentialId: KEY_IDS.age } },
        { name: "legacy", path: "./legacy", decryption: { provider: "sops", credentialId: KEY_IDS.sopsPgp } },
        { name: "kms", path: "./kms", decryption: { provider: "sops" } },
      ],
      targets: { selector: { matchLabels: { env: "prod" } } },
    },
    4,
  ),
  keys: { [KEY_IDS.age]: KEYS.age, [KEY_IDS.sopsPgp]: KEYS.sopsPgp },
};

export const WEBHOOK_KEYS = {
  slack: { type: "webhook", address: "https://hooks.slack.com/services/T000/B000/canary-slack-hook" },
  github: { type: "webhook", token: "canary-github-status-token" },
} as const satisfies Record<string, RenderKey>;
export const WEBHOOK_IDS = { slack: "cred-slack-1", github: "cred-github-1" } as const;

/** Flux alerts: a Slack provider from a webhook credential, a GitHub commit status provider, an Alert on the configuration's own objects and one on chosen sources. */
export const alertsInput: RenderInput = {
  ...input(
    {
      name: "alerted",
      scope: "cluster",
      source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref: { type: "branch", value: "main" } },
      kustomizations: [{ name: "infra", path: "./infra" }, { name: "apps", path: "./apps", dependsOn: ["infra"] }],
      helmReleases: [{ name: "web", chart: "charts/web" }],
      targets: { selector: { matchLabels: { env: "prod" } } },
      notifications: {
        providers: [
          { name: "slack", type: "slack", channel: "fleet-alerts", username: "flux", credentialId: WEBHOOK_IDS.slack },
          { name: "status", type: "github", address: "https://github.com/acme/platform", credentialId: WEBHOOK_IDS.github },
        ],
        alerts: [
          { name: "failures", providerRef: "slack", eventSeverity: "error", summary: "prod platform", exclusionList: "^Dependencies do not meet", inclusionList: ".*failed.*\n^Health check" },
          { name: "commits", providerRef: "status", eventSources: "- kind: Kustomization\n  name: '*'\n  matchLabels:\n    team: platform\n", suspend: true },
        ],
      },
    },
    2,
  ),
  keys: { [WEBHOOK_IDS.slack]: WEBHOOK_KEYS.slack, [WEBHOOK_IDS.github]: WEBHOOK_KEYS.github },
};

/** What a version without alertsInput's notifications prunes, in deletion order: Alerts, Providers, their Secrets. */
export const ALERTED_PRUNE_ORDER = [
  "Alert flux-system/alerted-commits",
  "Alert flux-system/alerted-failures",
  "Provider flux-system/alerted-slack",
  "Provider flux-system/alerted-status",
  "Secret flux-system/alerted-slack-notify",
  "Secret flux-system/alerted-status-notify",
];
