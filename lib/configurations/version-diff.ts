import "server-only";
import { listCredentials } from "@/lib/credentials/store";
import { maskedCredential, maskSecrets, renderFluxObjects, toYaml } from "@/lib/reconcilers/flux/render";
import { diffLines, type DiffHunk } from "@/lib/text-diff";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { getVersion } from "./store";

/** A version's Flux objects as YAML, Secret values masked (the secret itself is never decrypted here). */
export function renderedYaml(configurationId: string, version: number, spec: ConfigurationSpec, { forDiff = false } = {}): string {
  const credentialType = spec.source.credentialId ? listCredentials().find((c) => c.id === spec.source.credentialId)?.type : undefined;
  const objects = renderFluxObjects({ spec, version, configurationId, credential: credentialType ? maskedCredential(credentialType) : undefined });
  const yaml = toYaml(maskSecrets(objects));
  // The version annotation differs between any two versions; in a diff it is noise.
  return forDiff ? yaml.replace(/^\s+fleetline\.io\/version: .*\n/gm, "") : yaml;
}

export type VersionDiff = { from: number; to: number; hunks: DiffHunk[] };

export function diffVersions(configurationId: string, from: number, to: number): VersionDiff | undefined {
  const a = getVersion(configurationId, from);
  const b = getVersion(configurationId, to);
  if (!a || !b) return undefined;
  return { from, to, hunks: diffLines(renderedYaml(configurationId, from, a.spec, { forDiff: true }), renderedYaml(configurationId, to, b.spec, { forDiff: true })) };
}
