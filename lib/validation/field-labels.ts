// Pure: the words a person sees for a field path. Validation keys issues by dotted path
// ("kustomizations.0.interval", "source.url"); messages name the field by its form label instead.

const LABELS: Record<string, string> = {
  name: "Name",
  displayName: "Display name",
  namespace: "Namespace",
  description: "Description",
  scope: "Scope",
  suspend: "Suspend reconciliation",
  "source.kind": "Source kind",
  "source.url": "URL",
  "source.ref.type": "Reference type",
  "source.ref.value": "Reference",
  "source.ref": "Reference",
  "source.interval": "Sync interval",
  "source.timeout": "Timeout",
  "source.credentialId": "Credential",
  "source.bucketName": "Bucket name",
  "source.endpoint": "Endpoint",
  "source.region": "Region",
  "source.prefix": "Prefix",
  "source.provider": "Provider",
  "source.type": "Repository type",
  "source.insecure": "Plain HTTP (insecure)",
  "source.sparseCheckout": "Sparse checkout",
  "source.layerSelector.mediaType": "Layer media type",
  "source.layerSelector.operation": "Layer operation",
  "source.verify.provider": "Signature verification",
  "source.verify.matchOIDCIdentity": "Signer identity",
  "source.verify.matchOIDCIdentity.0.issuer": "Signer issuer (regex)",
  "source.verify.matchOIDCIdentity.0.subject": "Signer subject (regex)",
  "source.verify.mode": "Verify signatures",
  "source.verify.credentialId": "Signing keys",
  "source.include": "Include repositories",
  "targets.selector": "Match labels",
  message: "Change message",
  "targets.clusterIds": "Clusters",
  targets: "Targets",
  labels: "Labels",
  server: "API server URL",
  kubeconfig: "Kubeconfig",
  context: "Context",
  token: "Bearer token",
  caData: "CA bundle",
  email: "Email",
  password: "Password",
  confirm: "Confirm password",
  selector: "Label selector",
  configurationId: "Configuration",
  argoProject: "Argo CD project",
  kind: "Kind",
  schedule: "Schedule",
  cron: "Starts (cron)",
  durationMinutes: "Open for (minutes)",
  timeZone: "Time zone",
  startsAt: "From",
  endsAt: "Until",
  reason: "Reason",
};

const WORKLOAD_LABELS: Record<string, string> = {
  name: "Name",
  path: "Path",
  interval: "Interval",
  retryInterval: "Retry interval",
  timeout: "Timeout",
  dependsOn: "Depends on",
  prune: "Prune",
  force: "Force",
  wait: "Wait",
  targetNamespace: "Target namespace",
  postBuild: "Substitutions (postBuild)",
  "postBuild.substitute": "Substitutions (postBuild)",
  chart: "Chart",
  version: "Version (semver range)",
  values: "Values (YAML)",
  releaseName: "Release name",
  "postBuild.substituteFrom": "Substitute from",
  patches: "Patches",
  images: "Images",
  healthChecks: "Health checks",
  components: "Components",
  deletionPolicy: "Deletion policy",
  serviceAccountName: "Service account",
  decryption: "Decrypt SOPS files",
  "decryption.provider": "Decrypt SOPS files",
  "decryption.credentialId": "Decryption key",
  maxHistory: "Max history",
  "install.remediation.retries": "Install retries",
  "upgrade.remediation.retries": "Upgrade retries",
  "upgrade.remediation.strategy": "Upgrade remediation",
  valuesFrom: "Values from",
  "driftDetection.mode": "Drift detection",
  clusterId: "Cluster",
  substitute: "Substitutions",
  helmValues: "Helm values",
};

// The Rollout step's fields, as its form labels them.
const WAVE_LABELS: Record<string, string> = {
  name: "name",
  selector: "clusters (label selector)",
  percent: "share (%)",
  concurrency: "clusters at a time",
  soakSeconds: "soak (seconds)",
  maxFailures: "failures allowed",
  maxFailurePercent: "failures allowed (%)",
  approval: "approval",
};

const GROUPS: Record<string, string> = { kustomizations: "Kustomization", helmReleases: "Helm release", overrides: "Override" };

const NOTIFICATION_LABELS: Record<string, string> = { credentialId: "webhook credential", providerRef: "provider", eventSources: "event sources" };

/** "notifications.alerts.0.eventSeverity" -> "Alert 1 event severity". */
function notificationLabel(group: "providers" | "alerts", [n, leaf]: string[]): string {
  const noun = group === "providers" ? "Provider" : "Alert";
  if (n === undefined || !/^\d+$/.test(n)) return `${noun}s`;
  return `${noun} ${Number(n) + 1}${leaf ? ` ${NOTIFICATION_LABELS[leaf] ?? words(leaf).toLowerCase()}` : ""}`;
}

/** "someFieldName" -> "Some field name", for a path no label is known for. */
function words(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** "kustomizations.0.interval" -> "Kustomization 1 interval"; "source.url" -> "URL"; "" -> "The form". */
export function fieldLabel(path: string): string {
  if (path === "" || path === "form") return "The form";
  const known = LABELS[path];
  if (known) return known;
  const [head, index, ...rest] = path.split(".");
  const group = head ? GROUPS[head] : undefined;
  if (group && index !== undefined && /^\d+$/.test(index)) {
    const item = `${group} ${Number(index) + 1}`;
    if (rest.length === 0) return item;
    // Substitution keys are the user's own names: keep them as typed.
    if (rest[0] === "postBuild" && rest[1] === "substitute" && rest[2]) return `${item} substitution ${rest.slice(2).join(".")}`;
    if (head === "overrides" && rest[0] === "substitute" && rest[1]) return `${item} substitution ${rest.slice(1).join(".")}`;
    if (head === "overrides" && rest[0] === "helmValues" && rest[1]) return `${item} values for ${rest.slice(1).join(".")}`;
    if (head === "overrides" && rest[0] === "selector") return `${item} label selector`;
    const leaf = WORKLOAD_LABELS[rest.join(".")] ?? words(rest.at(-1) ?? "");
    return `${item} ${leaf.charAt(0).toLowerCase()}${leaf.slice(1)}`;
  }
  if (head === "labels" && index) return `Label ${[index, ...rest].join(".")}`;
  if (head === "notifications" && (index === "providers" || index === "alerts")) return notificationLabel(index, rest);
  if (head === "strategy" && index === "waves") {
    const [n, leaf] = rest;
    if (n === undefined || !/^\d+$/.test(n)) return "Waves";
    return `Wave ${Number(n) + 1}${leaf ? ` ${WAVE_LABELS[leaf] ?? words(leaf).toLowerCase()}` : ""}`;
  }
  return words(path.split(".").filter((p) => !/^\d+$/.test(p)).at(-1) ?? path);
}

/**
 * "Kubeconfig" + "kubeconfig is not valid YAML" -> "Kubeconfig is not valid YAML", not
 * "Kubeconfig: kubeconfig is not valid YAML"; otherwise "Label: message".
 */
export function fieldMessage(label: string, message: string): string {
  if (message.toLowerCase().startsWith(`${label.toLowerCase()} `)) return `${label}${message.slice(label.length)}`;
  return `${label}: ${message}`;
}

/** "the highlighted field: URL" / "the highlighted fields: Name, Kustomization 1 interval". */
export function highlightedFields(paths: readonly string[]): string {
  const labels = [...new Set(paths.map(fieldLabel))];
  return `Check the highlighted field${labels.length === 1 ? "" : "s"}: ${labels.join(", ")}.`;
}
