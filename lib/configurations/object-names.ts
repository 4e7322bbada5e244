import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { configurations, configurationVersions } from "@/db/schema-configurations";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { helmReleaseObjectName, kustomizationObjectName } from "@/lib/reconcilers/labels";
import { describeRef } from "@/lib/reconcilers/kinds";
import { RECONCILERS } from "@/db/enums";
import { maskedSecretsFor } from "@/lib/credentials/store";
import { renderFor } from "@/lib/reconcilers/render";
import type { ConfigurationSpec } from "@/lib/validation/configuration";

/**
 * Save-time ownership: two configurations must never render the same object (kind, namespace,
 * name), or the second push would take the first one's object. Names come from the renderers
 * themselves (Flux and Argo CD, with a masked credential), so a renderer that adds an object
 * is covered without a second list of names. A Namespace is shared by design and never counts.
 */

// "Kind namespace/name" -> the spec field whose value produced it.
type Names = Map<string, string>;

function fieldOf(spec: ConfigurationSpec, object: RenderedObject): string {
  const name = object.metadata.name;
  if (object.kind === "Kustomization" || object.kind === "Application") {
    const index = spec.kustomizations.findIndex((k) => kustomizationObjectName(spec.name, k.name) === name);
    if (index >= 0) return `kustomizations.${index}.name`;
  }
  if (object.kind === "HelmRelease") {
    const index = spec.helmReleases.findIndex((h) => helmReleaseObjectName(spec.name, h.name) === name);
    if (index >= 0) return `helmReleases.${index}.name`;
  }
  return "name";
}

/** Every object a spec renders for any reconciler, but its Namespace. */
export function renderedNames(spec: ConfigurationSpec, configurationId = "names"): Names {
  const names: Names = new Map();
  const { credential, keys, problem } = maskedSecretsFor(spec);
  if (problem) return names;
  for (const reconciler of RECONCILERS) {
    let objects: RenderedObject[];
    try {
      objects = renderFor(reconciler, { spec, version: 1, configurationId, keys, ...(credential ? { credential } : {}) });
    } catch {
      // A spec one reconciler cannot run renders nothing for it, so it cannot collide there.
      continue;
    }
    for (const object of objects) {
      if (object.kind === "Namespace") continue;
      const ref = { kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
      names.set(describeRef(ref), fieldOf(spec, object));
    }
  }
  return names;
}

// Versions are immutable: a (configuration, version)'s names never change, so they are worked out once.
const cache = new Map<string, Names>();
const CACHE_LIMIT = 5000;

function namesOfVersion(configurationId: string, version: number): Names {
  const key = `${configurationId}:${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const spec = getDb()
    .select({ spec: configurationVersions.spec })
    .from(configurationVersions)
    .where(and(eq(configurationVersions.configurationId, configurationId), eq(configurationVersions.version, version)))
    .get()?.spec;
  const names = spec ? renderedNames(spec, configurationId) : new Map<string, string>();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, names);
  return names;
}

/**
 * Field errors for every object the spec renders that another live configuration already
 * renders (in its current version or the one its clusters last got), naming that configuration.
 * The configuration being edited is recognised by its name (unique among live configurations).
 */
export function nameCollisions(spec: ConfigurationSpec): Record<string, string> {
  const others = getDb()
    .select({ id: configurations.id, name: configurations.name, currentVersion: configurations.currentVersion, pushedVersion: configurations.pushedVersion })
    .from(configurations)
    .where(isNull(configurations.deletedAt))
    .all()
    .filter((other) => other.name !== spec.name);
  if (others.length === 0) return {};
  const errors: Record<string, string> = {};
  const mine = renderedNames(spec);
  for (const other of others) {
    const versions = new Set([other.currentVersion, ...(other.pushedVersion === null ? [] : [other.pushedVersion])]);
    for (const version of versions) {
      for (const key of namesOfVersion(other.id, version).keys()) {
        const field = mine.get(key);
        if (field && !errors[field]) errors[field] = `renders ${key}, which configuration "${other.name}" already renders: choose another name`;
      }
    }
  }
  return errors;
}
