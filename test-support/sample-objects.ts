// Flux and Argo CD objects that deliver the sample repository (git-fixtures),
// shared by `npm run cluster:up` and the self-tests.
import type { KubeObject, KubeRest } from "./kube-rest";

const FLUX_NS = "flux-system";

export function sampleGitRepository(url: string, name = "fleet-config", extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name, namespace: FLUX_NS },
    spec: { url, interval: "1m", ref: { branch: "main" }, ...extra },
  };
}

export function sampleKustomization(name: string, spec: Record<string, unknown>, source = "fleet-config"): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: FLUX_NS },
    spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: source }, ...spec },
  };
}

/** GitRepository fleet-config, Kustomizations infrastructure and apps (apps waits for infrastructure). */
export function sampleFluxObjects(url: string): KubeObject[] {
  return [
    sampleGitRepository(url),
    sampleKustomization("infrastructure", { path: "./infrastructure" }),
    sampleKustomization("apps", { path: "./apps/podinfo", targetNamespace: "podinfo", dependsOn: [{ name: "infrastructure" }] }),
  ];
}

export function sampleApplication(url: string, name = "podinfo", extra: { automated?: boolean; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    spec: {
      project: "default",
      source: { repoURL: url, path: "apps/podinfo", targetRevision: "HEAD" },
      destination: { server: "https://kubernetes.default.svc", namespace: extra.namespace ?? "podinfo-argo" },
      syncPolicy: {
        ...(extra.automated === false ? {} : { automated: { prune: true, selfHeal: true } }),
        syncOptions: ["CreateNamespace=true"],
      },
    },
  };
}

/** Creates (server-side applies) objects as a user would with kubectl. */
export async function applyObjects(rest: KubeRest, objects: KubeObject[], fieldManager = "kubectl"): Promise<void> {
  for (const obj of objects) await rest.apply(obj, fieldManager);
}
