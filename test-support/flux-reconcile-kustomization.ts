// Kustomization as kustomize-controller reconciles it, for plain YAML:
// dependencies, source artifact, build (path, substitutions), server-side
// apply as "kustomize-controller", inventory, prune and history.
import fs from "node:fs";
import path from "node:path";
import { isReady } from "./conditions";
import { credentialsFrom, FLUX_API_VERSIONS, goDurationString, sha256, type FluxContext, type FluxKind, type Outcome, type SecretRef } from "./flux-common";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";
import { applyStage, BuildError, buildManifests, inventoryId, parseInventoryEntry, versionOf } from "./manifests";

const MANAGER = "kustomize-controller";
const NAME_LABEL = "kustomize.toolkit.fluxcd.io/name";
const NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace";

type InventoryEntry = { id: string; v: string };
type HistoryEntry = {
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  lastReconciledDuration: string;
  lastReconciledStatus: string;
  totalReconciliations: number;
  metadata?: Record<string, string>;
};
type KustomizationSpec = {
  serviceAccountName?: string;
  sourceRef: { kind: FluxKind; name: string; namespace?: string };
  path?: string;
  prune: boolean;
  targetNamespace?: string;
  dependsOn?: { name: string; namespace?: string }[];
  postBuild?: {
    substitute?: Record<string, string>;
    substituteFrom?: { kind: "ConfigMap" | "Secret"; name: string; optional?: boolean }[];
  };
};
type KustomizationStatus = { inventory?: { entries: InventoryEntry[] }; history?: HistoryEntry[] };

/** Go's duration formatting for the values history shows ("850ms", "1.2s"). */
const goDuration = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`);

/** Newest first, one entry per digest and status, at most 5 (as newer Flux keeps them). */
function upsertHistory(history: HistoryEntry[], digest: string, status: string, ms: number, revision: string): HistoryEntry[] {
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const existing = history.find((h) => h.digest === digest && h.lastReconciledStatus === status);
  const entry: HistoryEntry = existing
    ? { ...existing, lastReconciled: timestamp, lastReconciledDuration: goDuration(ms), totalReconciliations: existing.totalReconciliations + 1, metadata: { revision } }
    : { digest, firstReconciled: timestamp, lastReconciled: timestamp, lastReconciledDuration: goDuration(ms), lastReconciledStatus: status, totalReconciliations: 1, metadata: { revision } };
  return [entry, ...history.filter((h) => h !== existing)].slice(0, 5);
}

async function substitutions(rest: KubeRest, namespace: string, postBuild: KustomizationSpec["postBuild"]): Promise<Record<string, string> | undefined> {
  if (!postBuild) return undefined;
  const vars: Record<string, string> = {};
  for (const ref of postBuild.substituteFrom ?? []) {
    const source = await rest.get("v1", ref.kind, namespace, ref.name);
    if (!source) {
      if (ref.optional) continue;
      throw new BuildError(`substitute from '${ref.kind}/${ref.name}' failed: ${ref.kind.toLowerCase()}s "${ref.name}" not found`);
    }
    for (const [key, value] of Object.entries((source.data ?? {}) as Record<string, string>)) {
      vars[key] = ref.kind === "Secret" ? Buffer.from(value, "base64").toString("utf8") : value;
    }
  }
  // Inline values take precedence over ConfigMaps and Secrets.
  return { ...vars, ...postBuild.substitute };
}

/** The files of the source's current artifact (GitRepository only; other sources carry no files here). */
async function sourceFiles(ctx: FluxContext, source: KubeObject, revision: string): Promise<string | undefined> {
  if (source.kind !== "GitRepository") return undefined;
  const sha = /sha1:([0-9a-f]{40})$/.exec(revision)?.[1];
  if (!sha) throw new Error(`unexpected revision format '${revision}'`);
  const spec = source.spec as { url: string; secretRef?: SecretRef };
  const creds = await credentialsFrom(ctx.rest, source.metadata.namespace ?? "default", spec.secretRef);
  return (await ctx.mirror.checkout(spec.url, sha, creds)).dir;
}

/** Places objects like Flux does (targetNamespace, ownership labels); throws for unplaceable ones. */
async function prepare(rest: KubeRest, objects: KubeObject[], ks: KubeObject, spec: KustomizationSpec): Promise<KubeObject[]> {
  const prepared: KubeObject[] = [];
  for (const obj of objects) {
    const copy = structuredClone(obj);
    const { namespaced } = await rest.resourceFor(copy.apiVersion, copy.kind).catch((err: Error) => {
      throw new Error(`${copy.kind}/${copy.metadata.name} dry-run failed: ${err.message}`);
    });
    if (!namespaced) delete copy.metadata.namespace;
    else if (spec.targetNamespace) copy.metadata.namespace = spec.targetNamespace;
    else if (!copy.metadata.namespace) throw new Error(`${copy.kind}/${copy.metadata.name} namespace not specified`);
    copy.metadata.labels = { ...copy.metadata.labels, [NAME_LABEL]: ks.metadata.name, [NAMESPACE_LABEL]: ks.metadata.namespace ?? "" };
    prepared.push(copy);
  }
  return prepared.sort((a, b) => applyStage(a) - applyStage(b));
}

/** Applies with `rest`: the controller's own client, or one impersonating spec.serviceAccountName (then the API server's refusal is the error). */
async function applyAll(rest: KubeRest, objects: KubeObject[]): Promise<void> {
  for (const obj of objects) {
    try {
      await rest.apply(obj, MANAGER, { force: true });
    } catch (err) {
      const where = [obj.kind, obj.metadata.namespace, obj.metadata.name].filter(Boolean).join("/");
      const reason = err instanceof KubeApiError && err.reason ? ` (${err.reason})` : "";
      throw new Error(`${where} dry-run failed${reason}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Deletes inventory entries this Kustomization owns, namespaced objects before namespaces. */
export async function pruneEntries(rest: KubeRest, entries: InventoryEntry[], ks: KubeObject): Promise<void> {
  const refs = entries.map(parseInventoryEntry).sort((a, b) => Number(a.kind === "Namespace") - Number(b.kind === "Namespace"));
  for (const ref of refs) {
    const live = await rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name).catch(() => undefined);
    const labels = live?.metadata.labels ?? {};
    if (!live || labels[NAME_LABEL] !== ks.metadata.name || labels[NAMESPACE_LABEL] !== ks.metadata.namespace) continue;
    if (live.metadata.annotations?.["kustomize.toolkit.fluxcd.io/prune"] === "disabled") continue;
    await rest.remove(ref);
  }
}

type DependencyStatus = { observedGeneration?: number; lastAppliedRevision?: string; conditions?: { type: string; status: string }[] };

/**
 * kustomize-controller's checkDependencies: each dependency must exist, have conditions and be
 * observed at its generation, be Ready, and, when it uses the same source, have applied the
 * revision this Kustomization is about to apply. (readyExpr / CEL checks are not supported.)
 */
async function checkDependencies(ctx: FluxContext, ks: KubeObject, spec: KustomizationSpec, revision: string): Promise<string | undefined> {
  const namespace = ks.metadata.namespace ?? "default";
  const sourceNamespace = spec.sourceRef.namespace ?? namespace;
  for (const dep of spec.dependsOn ?? []) {
    const depName = `${dep.namespace ?? namespace}/${dep.name}`;
    const live = await ctx.rest.get(FLUX_API_VERSIONS.Kustomization, "Kustomization", dep.namespace ?? namespace, dep.name);
    if (!live) return `dependency '${depName}' not found: kustomizations.kustomize.toolkit.fluxcd.io "${dep.name}" not found`;
    const status = (live.status ?? {}) as DependencyStatus;
    if ((status.conditions ?? []).length === 0 || live.metadata.generation !== status.observedGeneration) return `dependency '${depName}' is not ready`;
    if (!isReady(live)) return `dependency '${depName}' is not ready`;
    const depSpec = live.spec as KustomizationSpec;
    const sameSource =
      depSpec.sourceRef.name === spec.sourceRef.name && depSpec.sourceRef.kind === spec.sourceRef.kind && (depSpec.sourceRef.namespace ?? live.metadata.namespace) === sourceNamespace;
    if (sameSource && status.lastAppliedRevision !== revision) return `dependency '${depName}' revision is not up to date`;
  }
  return undefined;
}

export async function reconcileKustomization(ctx: FluxContext, fresh: KubeObject): Promise<Outcome> {
  const started = Date.now();
  let ks = fresh;
  const spec = ks.spec as KustomizationSpec;
  const status = (ks.status ?? {}) as KustomizationStatus;
  const namespace = ks.metadata.namespace ?? "default";
  const retrying = `retrying in ${goDurationString(ctx.dependencyRequeueMs)}`;

  // Source first, then dependencies, as kustomize-controller orders them; neither marks the object Reconciling.
  const { kind, name } = spec.sourceRef;
  const sourceNamespace = spec.sourceRef.namespace ?? namespace;
  const source = await ctx.rest.get(FLUX_API_VERSIONS[kind], kind, sourceNamespace, name);
  if (!source) return { ready: "False", reason: "ArtifactFailed", message: `Source '${kind}/${sourceNamespace}/${name}' not found` };
  const revision = (source.status as { artifact?: { revision: string } } | undefined)?.artifact?.revision;
  if (!revision) return { ready: "False", reason: "ArtifactFailed", message: `Source artifact not found, ${retrying}`, wait: true };
  if ((spec.dependsOn ?? []).length > 0) {
    const waiting = await checkDependencies(ctx, ks, spec, revision);
    if (waiting) return { ready: "False", reason: "DependencyNotReady", message: waiting, wait: true };
  }

  // From here on a reconcile runs: Ready=Unknown and Reconciling=True, written before the work.
  ks = await ctx.progress(ks, `Fetching manifests for revision ${revision} with a timeout of 9m30s`);

  let root: string | undefined;
  try {
    root = await sourceFiles(ctx, source, revision);
  } catch (err) {
    const message = `failed to download artifact for revision '${revision}': ${err instanceof Error ? err.message : String(err)}`;
    return { ready: "False", reason: "ArtifactFailed", message };
  }
  // A missing path fails before lastAttemptedRevision is recorded, as ArtifactFailed.
  if (root) {
    const dir = path.resolve(root, spec.path ?? ".");
    if (!fs.existsSync(dir)) return { ready: "False", reason: "ArtifactFailed", message: `kustomization path not found: stat ${dir}: no such file or directory` };
  }
  let objects: KubeObject[];
  try {
    objects = root ? buildManifests(root, spec.path, { vars: await substitutions(ctx.rest, namespace, spec.postBuild), recurse: true }) : [];
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    return { ready: "False", reason: "BuildFailed", message: err.message, status: { lastAttemptedRevision: revision } };
  }

  const digest = sha256(JSON.stringify(objects));
  // kustomize-controller applies and garbage-collects as spec.serviceAccountName when set (reads of the source and substituteFrom stay its own).
  const applier = spec.serviceAccountName ? ctx.restAs(namespace, spec.serviceAccountName) : ctx.rest;
  try {
    const prepared = await prepare(ctx.rest, objects, ks, spec);
    await applyAll(applier, prepared);
    const entries = prepared
      .map((o) => ({ id: inventoryId(o), v: versionOf(o.apiVersion) }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)); // byte order, as Go sorts strings
    if (spec.prune) {
      const current = new Set(entries.map((e) => e.id));
      await pruneEntries(applier, (status.inventory?.entries ?? []).filter((e) => !current.has(e.id)), ks);
    }
    const message = `Applied revision: ${revision}`;
    return {
      ready: "True",
      reason: "ReconciliationSucceeded",
      message,
      status: {
        inventory: { entries },
        lastAppliedRevision: revision,
        lastAttemptedRevision: revision,
        history: upsertHistory(status.history ?? [], digest, "ReconciliationSucceeded", Date.now() - started, revision),
      },
    };
  } catch (err) {
    return {
      ready: "False",
      reason: "ReconciliationFailed",
      message: err instanceof Error ? err.message : String(err),
      status: {
        lastAttemptedRevision: revision,
        history: upsertHistory(status.history ?? [], digest, "ReconciliationFailed", Date.now() - started, revision),
      },
    };
  }
}
