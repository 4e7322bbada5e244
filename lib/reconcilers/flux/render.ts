import { renderCredentialSecret, type SourceAuthRefs } from "./credentials";
import { FLUX_NAMESPACE, objectMeta } from "@/lib/reconcilers/labels";
import { renderSource } from "./sources";
import { renderTenantAccess } from "./tenancy";
import type { KubeObject, RenderInput } from "./types";
import { renderHelmRelease, renderKustomization } from "./workloads";

export { maskSecrets, SECRET_MASK, toYaml } from "./yaml-output";
export { credentialSupportProblem, maskedCredential, type CredentialType } from "./credentials";
export type { KubeObject, ObjectMeta, RenderCredential, RenderInput } from "./types";

/** Input rules every renderer (Flux, Argo CD) enforces: throws on a caller's mistake. */
export function checkRenderInput({ spec, version, configurationId, credential }: RenderInput): void {
  if (!Number.isInteger(version) || version < 1) throw new Error("version must be a positive integer");
  if (configurationId.length === 0) throw new Error("configurationId must not be empty");
  if (spec.source.credentialId !== undefined && credential === undefined) {
    throw new Error("the source names a credential but none was passed (use maskedCredential for previews)");
  }
  if (spec.source.credentialId === undefined && credential !== undefined) {
    throw new Error("a credential was passed but the source names none");
  }
}

/**
 * Renders one configuration version into the Flux objects to apply, in apply order:
 * Namespace, the tenant's ServiceAccount and RoleBinding (namespace scope), credential Secret,
 * source, Kustomizations, HelmReleases. Pure: the same
 * input always yields the same objects, in the browser or on the server.
 */
export function renderFluxObjects(input: RenderInput): KubeObject[] {
  checkRenderInput(input);
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
  objects.push(renderSource(input, refs));
  for (const kustomization of spec.kustomizations) objects.push(renderKustomization(input, kustomization));
  for (const release of spec.helmReleases) objects.push(renderHelmRelease(input, release));
  return objects;
}
