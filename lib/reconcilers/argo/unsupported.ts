import type { RenderCredential } from "@/lib/reconcilers/flux/types";
import { DEFAULT_NAMESPACE, type ConfigurationSpec } from "@/lib/validation/configuration";
import { ARGO_NAMESPACE } from "./metadata";

/**
 * Pure: the parts of a configuration an Argo CD cluster does not get, by dotted field path
 * (as form errors are keyed), each with why. The Review step lists them so nothing a user set
 * is dropped silently on the way from Flux's model to Argo CD's.
 */

export type UnsupportedField = { path: string; reason: string };

const GLOBAL_SCHEDULE = "Argo CD compares and syncs on its own global schedule (timeout.reconciliation in argocd-cm), not per Application";

function credentialGaps(credential: RenderCredential | undefined): UnsupportedField[] {
  const path = "source.credentialId";
  if (!credential) return [];
  switch (credential.type) {
    case "https":
      return credential.caCert ? [{ path, reason: "the CA certificate is not written: Argo CD reads CA certificates from the argocd-tls-certs-cm ConfigMap" }] : [];
    case "ca":
      return [{ path, reason: "nothing is written: Argo CD reads CA certificates from the argocd-tls-certs-cm ConfigMap" }];
    case "ssh":
      return [{ path, reason: "known_hosts is not written: Argo CD reads known hosts from the argocd-ssh-known-hosts-cm ConfigMap" }];
    case "bearer":
      return [{ path, reason: "written as bearerToken, which Argo CD uses for Bitbucket Data Center only; other hosts take a token as the password of a user name/password credential" }];
  }
}

function sourceGaps(spec: ConfigurationSpec): UnsupportedField[] {
  const { source } = spec;
  if (source.kind !== "GitRepository") return [];
  const gaps: UnsupportedField[] = [
    { path: "source.interval", reason: GLOBAL_SCHEDULE },
    { path: "source.timeout", reason: "Argo CD's repo server uses one Git timeout for every repository" },
  ];
  if (source.ref.type === "semver") {
    gaps.push({ path: "source.ref", reason: "passed as targetRevision: recent Argo CD resolves a semver range over tags, older releases read it as a branch or tag name and fail" });
  }
  if (source.provider !== undefined && source.provider !== "generic") {
    gaps.push({ path: "source.provider", reason: "Argo CD authenticates with the repository Secret only, not with a cloud provider's identity" });
  }
  if (source.ignore !== undefined) gaps.push({ path: "source.ignore", reason: "Argo CD has no per-source ignore list" });
  if (source.verify) {
    gaps.push({ path: "source.verify", reason: "Argo CD verifies commit signatures per AppProject (signatureKeys) against GnuPG keys in argocd-gpg-keys-cm, not per Application; not set" });
  }
  if (source.include?.length) gaps.push({ path: "source.include", reason: "Argo CD has no way to copy other repositories into an Application's source (a multi-source Application is the nearest)" });
  if (source.recurseSubmodules !== undefined) {
    gaps.push({ path: "source.recurseSubmodules", reason: "Argo CD's repo server decides submodule checkout for every repository (ARGOCD_GIT_MODULES_ENABLED)" });
  }
  return gaps;
}

function placementGaps(spec: ConfigurationSpec): UnsupportedField[] {
  if (spec.scope === "namespace") {
    return [{ path: "scope", reason: "Argo CD confines an Application only through its AppProject's destinations; Fleetline sets destination.namespace but creates no project" }];
  }
  return spec.namespace === DEFAULT_NAMESPACE ? [] : [{ path: "namespace", reason: `Applications live in the Argo CD namespace (${ARGO_NAMESPACE})` }];
}

function kustomizationGaps(spec: ConfigurationSpec): UnsupportedField[] {
  return spec.kustomizations.flatMap((kustomization, index) => {
    const at = (field: string) => `kustomizations.${index}.${field}`;
    const gaps: UnsupportedField[] = [{ path: at("interval"), reason: GLOBAL_SCHEDULE }];
    if (kustomization.dependsOn.length > 0) {
      gaps.push({ path: at("dependsOn"), reason: "Argo CD has no ordering between Applications (sync waves order resources within one Application only)" });
    }
    if (kustomization.retryInterval !== undefined) {
      gaps.push({ path: at("retryInterval"), reason: "Argo CD retries a failed sync with an exponential backoff (syncPolicy.retry), not at a fixed interval; not set" });
    }
    if (kustomization.timeout !== undefined) gaps.push({ path: at("timeout"), reason: "Argo CD has no per-Application timeout" });
    if (kustomization.force) {
      gaps.push({ path: at("force"), reason: "not mapped: Argo CD's Replace=true and Force=true sync options change how every sync applies resources; set them in Argo CD if needed" });
    }
    if (!kustomization.wait) gaps.push({ path: at("wait"), reason: "Argo CD always assesses the health of what it applied" });
    if (kustomization.decryption) {
      gaps.push({ path: at("decryption"), reason: "Argo CD does not decrypt SOPS files itself (it needs a config management plugin such as helm-secrets or KSOPS on the repo server)" });
    }
    if (Object.keys(kustomization.postBuild.substitute).length > 0) {
      gaps.push({ path: at("postBuild.substitute"), reason: "Argo CD has no post-build variable substitution (nor do the overrides' substitutions carry over; their Helm values do)" });
    }
    return gaps;
  });
}

/** What an Argo CD cluster would not get of this configuration (with this credential). */
export function unsupportedFields(spec: ConfigurationSpec, credential?: RenderCredential): UnsupportedField[] {
  if (spec.source.kind !== "GitRepository") {
    return [{ path: "source.kind", reason: `only a GitRepository source becomes Argo CD Applications; nothing of this ${spec.source.kind} configuration is pushed to Argo CD clusters` }];
  }
  return [
    ...placementGaps(spec),
    ...sourceGaps(spec),
    ...credentialGaps(credential),
    ...kustomizationGaps(spec),
    ...spec.helmReleases.map((_, index) => ({ path: `helmReleases.${index}.interval`, reason: GLOBAL_SCHEDULE })),
    ...(spec.notifications && (spec.notifications.providers.length > 0 || spec.notifications.alerts.length > 0)
      ? [{ path: "notifications", reason: "Flux alerts are notification-controller objects; Argo CD notifies through argocd-notifications-cm, which Fleetline does not write" }]
      : []),
  ];
}
