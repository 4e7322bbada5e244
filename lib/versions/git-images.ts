import "server-only";
import { GitError } from "@/lib/git/errors";
import { repoPathspec, shaOfRevision } from "@/lib/git/policy";
import { buildDesired } from "@/lib/drift/manifests";
import type { KubeObject } from "@/lib/k8s/client";
import { CONFIGURATION_LABEL } from "@/lib/reconcilers/labels";
import { isGitSource, repositoryFor } from "@/lib/status/revision";
import { desiredImages } from "./extract";
import type { VersionTarget } from "./read";

/**
 * "Not what Git says": the images the manifests at each Kustomization's applied revision give
 * its workloads, built as the Drift tab builds them (lib/drift/manifests: plain YAML and simple
 * kustomization.yaml files, postBuild substitutions). Worked out during the versions read, not per
 * page view, and kept per (repository, commit, path): a commit's manifests never change, so a
 * fleet on one commit costs one build. A Kustomization that rewrites images (spec.images, patches,
 * components) or whose files cannot be built is left unknown, and the read says why.
 */

export type GitImages = { byOwner: Map<KubeObject, Map<string, Map<string, string>>>; note: string | null };

const CACHE_LIMIT = 256;
const globalForGit = globalThis as unknown as { fleetlineGitImages?: Map<string, Map<string, Map<string, string>> | { error: string }> };
const cache = (globalForGit.fleetlineGitImages ??= new Map());
// A Git read that failed is not tried again for the same commit for a while: every cluster on it
// would otherwise start a fetch from an unreachable host on every versions read.
export const GIT_RETRY_AFTER_MS = 5 * 60_000;
const failures = ((globalThis as unknown as { fleetlineGitImageFailures?: Map<string, { at: number; message: string }> }).fleetlineGitImageFailures ??= new Map());

type KustomizationSpec = { path?: string; targetNamespace?: string; postBuild?: { substitute?: Record<string, string>; substituteFrom?: unknown[] }; patches?: unknown; components?: unknown; images?: unknown; decryption?: unknown };

function notBuilt(spec: KustomizationSpec): string | undefined {
  if (spec.postBuild?.substituteFrom) return "substitutions from ConfigMaps or Secrets are not resolved";
  const extras = (["images", "patches", "components", "decryption"] as const).filter((key) => spec[key] !== undefined);
  return extras.length > 0 ? `the Kustomization sets ${extras.join(", ")}` : undefined;
}

export async function gitImagesFor(owners: readonly KubeObject[], targets: readonly VersionTarget[]): Promise<GitImages> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const byOwner = new Map<KubeObject, Map<string, Map<string, string>>>();
  const notes = new Set<string>();
  for (const owner of owners) {
    const target = byName.get(owner.metadata.labels?.[CONFIGURATION_LABEL] ?? "");
    const spec = (owner.spec ?? {}) as KustomizationSpec;
    const sha = shaOfRevision((owner.status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision);
    if (!target || !isGitSource(target.spec) || !sha) continue;
    const skip = notBuilt(spec);
    if (skip) {
      notes.add(`${owner.metadata.name}: ${skip}`);
      continue;
    }
    const key = JSON.stringify([target.spec.source.url, sha, spec.path ?? "", spec.targetNamespace ?? "", spec.postBuild?.substitute ?? {}]);
    let built = cache.get(key);
    const failed = failures.get(key);
    if (!built && failed && Date.now() - failed.at < GIT_RETRY_AFTER_MS) {
      notes.add(`${owner.metadata.name}: ${failed.message}`);
      continue;
    }
    if (!built) {
      try {
        const repository = repositoryFor(target.spec.source);
        const path = repoPathspec(spec.path ?? "./");
        const result = buildDesired(await repository.readTree(sha, path), path, spec.postBuild?.substitute);
        built = result.ok ? desiredImages(result.objects, "default", spec.targetNamespace) : { error: result.reason };
      } catch (error) {
        // A Git host that cannot be read is tried again after GIT_RETRY_AFTER_MS; no build is cached.
        const message = `the manifests could not be read from Git (${error instanceof GitError ? error.message : "error"})`;
        if (failures.size >= CACHE_LIMIT) failures.delete(failures.keys().next().value!);
        failures.set(key, { at: Date.now(), message });
        notes.add(`${owner.metadata.name}: ${message}`);
        continue;
      }
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(key, built);
      failures.delete(key);
    }
    if ("error" in built && typeof built.error === "string") notes.add(`${owner.metadata.name}: ${built.error}`);
    else byOwner.set(owner, built as Map<string, Map<string, string>>);
  }
  return { byOwner, note: notes.size > 0 ? [...notes].join("; ").slice(0, 1000) : null };
}
