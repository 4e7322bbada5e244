import "server-only";
import { maskedSecretsFor } from "@/lib/credentials/store";
import { reconcilerById } from "@/lib/reconcilers";
import { maskSecrets, renderFluxObjects, toYaml } from "@/lib/reconcilers/flux/render";
import type { Reconciler } from "@/db/enums";
import { diffOffThread } from "@/lib/diff-worker";
import type { DiffHunk } from "@/lib/text-diff";
import type { ClusterFacts } from "@/lib/reconcilers/cluster-values";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { getVersion } from "./store";

/**
 * A version's objects as YAML, Secret values masked (the secret itself is never decrypted here).
 * With a cluster: as that cluster gets them, from its own reconciler (Applications for Argo CD),
 * its variables and overrides applied (throws UnresolvedVariableError when it cannot resolve
 * one); without: Flux's objects as written.
 */
export function renderedYaml(configurationId: string, version: number, spec: ConfigurationSpec, { forDiff = false, cluster }: { forDiff?: boolean; cluster?: ClusterFacts } = {}): string {
  const { credential, keys } = maskedSecretsFor(spec);
  const render = reconcilerById(cluster?.reconciler as Reconciler | undefined)?.render ?? renderFluxObjects;
  const objects = render({ spec, version, configurationId, credential, keys, ...(cluster ? { cluster } : {}) });
  const yaml = toYaml(maskSecrets(objects));
  // The version annotation differs between any two versions; in a diff it is noise.
  return forDiff ? yaml.replace(/^\s+fleetline\.io\/version: .*\n/gm, "") : yaml;
}

/** `hunks` is null when the versions are too large or too different to show as a diff. */
export type VersionDiff = { from: number; to: number; hunks: DiffHunk[] | null };

/**
 * Diffed in the worker thread: thousands of changed lines of values must not hold the server.
 * With a cluster, both versions are rendered as that cluster gets them.
 */
export async function diffVersions(configurationId: string, from: number, to: number, cluster?: ClusterFacts): Promise<VersionDiff | undefined> {
  const a = getVersion(configurationId, from);
  const b = getVersion(configurationId, to);
  if (!a || !b) return undefined;
  const options = { forDiff: true, ...(cluster ? { cluster } : {}) };
  return { from, to, hunks: await diffOffThread(renderedYaml(configurationId, from, a.spec, options), renderedYaml(configurationId, to, b.spec, options)) };
}

/** The YAML tab shows at most this much inline; past it, the page offers a download. */
export const MAX_INLINE_YAML_BYTES = 256 * 1024;

/** Where a version's rendered YAML is downloaded from (app/api/configurations/[id]/yaml). */
export function renderedYamlHref(configurationId: string, version: number): string {
  return `/api/configurations/${encodeURIComponent(configurationId)}/yaml?version=${version}`;
}
