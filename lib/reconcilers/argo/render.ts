import { checkRenderInput } from "@/lib/reconcilers/flux/render";
import { withClusterValues, type ClusterRender } from "@/lib/reconcilers/cluster-values";
import { helmReleaseObjectName, kustomizationObjectName, objectMeta } from "@/lib/reconcilers/labels";
import { withoutUndefined } from "@/lib/reconcilers/flux/sources";
import type { KubeObject, RenderInput } from "@/lib/reconcilers/flux/types";
import type { GitRepositorySource } from "@/lib/validation/configuration-sources";
import type { HelmReleaseSpec, KustomizationSpec } from "@/lib/validation/configuration";
import type { JsonObject } from "@/lib/validation/json";
import { parseYamlMapping } from "@/lib/validation/safe-yaml";
import {
  APPLICATION_API_VERSION,
  ARGO_NAMESPACE,
  DEFAULT_PROJECT,
  IN_CLUSTER_SERVER,
  SUSPENDED_AUTOMATED_ANNOTATION,
  type AutomatedPolicy,
} from "./metadata";
import { renderRepositorySecret } from "./repository-secret";

export { unsupportedFields, type UnsupportedField } from "./unsupported";

/** The configuration has nothing an Argo CD cluster can run; the message names why and holds no secret. */
export class ArgoRenderError extends Error {
  override name = "ArgoRenderError";
}

export type ArgoRenderOptions = {
  /** The namespace Argo CD watches (default argocd). */
  namespace?: string;
};

/** Flux paths are "./a/b"; Argo CD takes them relative to the repository root, "." for the root itself. */
export function argoPath(path: string): string {
  const trimmed = path.replace(/^\.\/?/, "").replace(/\/$/, "");
  return trimmed === "" ? "." : trimmed;
}

/** A namespace-scoped configuration deploys into its own namespace unless told otherwise, as with Flux. */
function destinationNamespace(input: RenderInput, kustomization: KustomizationSpec): string | undefined {
  return kustomization.targetNamespace ?? (input.spec.scope === "namespace" ? input.spec.namespace : undefined);
}

/** The Application shell both kinds share: project, in-cluster destination, automated sync (or, suspended, the policy resume restores). */
function application(input: RenderInput, name: string, namespace: string, automated: AutomatedPolicy, source: JsonObject, destinationNamespace: string | undefined): KubeObject {
  const { spec } = input;
  const meta = objectMeta(input, name);
  // Suspended: no automated policy, but the one resume must restore travels with the object.
  const suspended: Record<string, string> = spec.suspend ? { [SUSPENDED_AUTOMATED_ANNOTATION]: JSON.stringify(automated) } : {};
  return {
    apiVersion: APPLICATION_API_VERSION,
    kind: "Application",
    metadata: { ...meta, namespace, annotations: { ...meta.annotations, ...suspended } },
    spec: {
      project: spec.argo?.project ?? DEFAULT_PROJECT,
      source,
      // The API server rejects "" in custom resources, so an unset namespace is left out, not empty.
      destination: withoutUndefined({ server: IN_CLUSTER_SERVER, namespace: destinationNamespace }),
      syncPolicy: withoutUndefined({
        automated: spec.suspend ? undefined : automated,
        syncOptions: ["CreateNamespace=true"],
      }),
    },
  };
}

function renderApplication(input: RenderInput, source: GitRepositorySource, kustomization: KustomizationSpec, namespace: string): KubeObject {
  // A branch, tag or commit is a Git reference to Argo CD; a semver range is passed through
  // (recent Argo CD resolves ranges over tags; unsupportedFields says so).
  const appSource = { repoURL: source.url, path: argoPath(kustomization.path), targetRevision: source.ref.value };
  const name = kustomizationObjectName(input.spec.name, kustomization.name);
  return application(input, name, namespace, { prune: kustomization.prune, selfHeal: true }, appSource, destinationNamespace(input, kustomization));
}

/**
 * A Helm release whose chart is a path in the Git source: an Application with Argo CD's
 * built-in Helm support, the values (this cluster's, overrides merged) as helm.valuesObject.
 */
function renderHelmApplication(perCluster: ClusterRender, source: GitRepositorySource, release: HelmReleaseSpec, namespace: string): KubeObject {
  const { input } = perCluster;
  const { spec } = input;
  let valuesObject: JsonObject | undefined = perCluster.helmValues?.get(release.name);
  if (!perCluster.helmValues && release.values !== undefined) {
    const parsed = parseYamlMapping(release.values);
    if (!parsed.ok) throw new Error(`Cannot render Helm values that failed validation: ${parsed.error}`);
    valuesObject = parsed.value;
  }
  const helm = withoutUndefined({ releaseName: release.releaseName, valuesObject });
  const appSource = withoutUndefined({ repoURL: source.url, path: argoPath(release.chart), targetRevision: source.ref.value, helm: Object.keys(helm).length > 0 ? helm : undefined });
  const name = helmReleaseObjectName(spec.name, release.name);
  return application(input, name, namespace, { prune: true, selfHeal: true }, appSource, release.targetNamespace ?? (spec.scope === "namespace" ? spec.namespace : undefined));
}

/**
 * Renders one configuration version for a cluster whose reconciler is Argo CD, in apply
 * order: the repository Secret (when the credential has anything Argo CD reads there), then
 * one Application per Kustomization, named `<config>-<kustomization>` as the Flux
 * Kustomization would be, then one per Helm release (`<config>-<release>`, chart path and
 * values). Throws when nothing can be rendered: a source other than Git, or no workloads.
 * Fields with no Argo CD equivalent are listed by unsupportedFields().
 */
export function renderArgoObjects(target: RenderInput, options: ArgoRenderOptions = {}): KubeObject[] {
  checkRenderInput(target);
  const perCluster = withClusterValues(target);
  const { input } = perCluster;
  const { spec, credential } = input;
  const namespace = options.namespace ?? ARGO_NAMESPACE;
  const { source } = spec;
  if (source.kind !== "GitRepository") {
    throw new ArgoRenderError(`Argo CD clusters get Applications for a GitRepository source only; this configuration's source is a ${source.kind}`);
  }
  if (spec.kustomizations.length === 0 && spec.helmReleases.length === 0) {
    throw new ArgoRenderError("nothing to render for Argo CD: the configuration has no Kustomizations or Helm releases");
  }
  const kustomizationNames = new Set(spec.kustomizations.map((k) => k.name));
  const clash = spec.helmReleases.find((release) => kustomizationNames.has(release.name));
  if (clash) throw new ArgoRenderError(`the Kustomization and the Helm release named ${clash.name} would both be the Application ${helmReleaseObjectName(spec.name, clash.name)}`);
  const objects: KubeObject[] = [];
  const secret = credential ? renderRepositorySecret(input, credential, namespace) : undefined;
  if (secret) objects.push(secret);
  for (const kustomization of spec.kustomizations) objects.push(renderApplication(input, source, kustomization, namespace));
  for (const release of spec.helmReleases) objects.push(renderHelmApplication(perCluster, source, release, namespace));
  return objects;
}
