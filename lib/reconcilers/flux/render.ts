import { renderCredentialSecret, type SourceAuthRefs } from "./credentials";
import { withClusterValues, withHelmValues } from "@/lib/reconcilers/cluster-values";
import { FLUX_NAMESPACE, objectMeta } from "@/lib/reconcilers/labels";
import { checkKeys, renderKeySecrets } from "./keys";
import { renderNotifications } from "./notifications";
import { renderSource } from "./sources";
import { renderTenantAccess } from "./tenancy";
import type { KubeObject, RenderInput } from "./types";
import { renderHelmRelease, renderKustomization } from "./workloads";

export { maskSecrets, SECRET_MASK, toYaml } from "./yaml-output";
export { credentialSupportProblem, maskedCredential, type CredentialType } from "./credentials";
export { keyReferences, maskedKey, type KeyReference } from "./keys";
export type { KubeObject, ObjectMeta, RenderCredential, RenderInput, RenderKey } from "./types";

/** Input rules every renderer (Flux, Argo CD) enforces: throws on a caller's mistake. */
export function checkRenderInput({ spec, version, configurationId, credential, keys }: RenderInput): void {
  if (!Number.isInteger(version) || version < 1) throw new Error("version must be a positive integer");
  if (configurationId.length === 0) throw new Error("configurationId must not be empty");
  if (spec.source.credentialId !== undefined && credential === undefined) {
    throw new Error("the source names a credential but none was passed (use maskedCredential for previews)");
  }
  if (spec.source.credentialId === undefined && credential !== undefined) {
    throw new Error("a credential was passed but the source names none");
  }
  checkKeys(spec, keys);
}

/**
 * Renders one configuration version into the Flux objects to apply, in apply order:
 * Namespace, the tenant's ServiceAccount and RoleBinding (namespace scope), credential Secret,
 * source, Kustomizations, HelmReleases, then notification Secrets, Providers and Alerts. Pure: the same
 * input always yields the same objects, in the browser or on the server.
 */
export function renderFluxObjects(target: RenderInput): KubeObject[] {
  checkRenderInput(target);
  const perCluster = withClusterValues(target);
  const { input } = perCluster;
  const { spec, credential } = input;
  const objects: KubeObject[] = [];
  // flux-system exists wherever Flux is installed; any other namespace may not exist yet.
  if (spec.namespace !== FLUX_NAMESPACE) {
    objects.push({ apiVersion: "v1", kind: "Namespace", metadata: objectMeta(input, spec.namespace, { namespaced: false }) });
  }
  objects.push(...renderTenantAccess(input));
  let refs: SourceAuthRefs = {};
  if (credential) {
    const rendered = renderCredentialSecret(input, credential);
    objects.push(rendered.secret);
    refs = rendered.refs;
  }
  objects.push(...renderKeySecrets(input));
  objects.push(renderSource(input, refs));
  for (const kustomization of spec.kustomizations) objects.push(renderKustomization(input, kustomization));
  for (const release of spec.helmReleases) objects.push(withHelmValues(renderHelmRelease(input, release), perCluster, release.name));
  objects.push(...renderNotifications(input));
  return objects;
}
