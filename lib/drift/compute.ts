import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters, type Reconciler } from "@/db/schema";
import { configurationStatus, sourceStatus } from "@/db/schema-status";
import { listManagedApplications } from "@/lib/reconcilers/argo/observe";
import { applicationSnapshot, type ArgoApplication } from "@/lib/reconcilers/argo/status";
import { SECRET_MASK, type KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { GitError } from "@/lib/git/errors";
import { repoPathspec, shaOfRevision } from "@/lib/git/policy";
import type { ChangedFile, GitRepository } from "@/lib/git/repository";
import { clientFor } from "@/lib/inventory/client-cache";
import type { ClusterClient } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/errors";
import { withClusterSlot } from "@/lib/k8s/budget";
import { Deadline } from "@/lib/k8s/deadline";
import { configuredApplication, liveApplication } from "@/lib/reconcilers/argo/rows";
import { requestTimeoutMs } from "@/lib/observe/loop";
import { loadTargets, type Target } from "@/lib/status/expected";
import { listManagedFluxObjects, type LiveFluxObject } from "@/lib/reconcilers/flux/list";
import { objectsOfConfiguration } from "@/lib/reconcilers/flux/rows";
import { isGitSource, repositoryFor } from "@/lib/status/revision";
import { getLive } from "./cluster-objects";
import { configurationDrift, type LiveObject, type ObjectDrift } from "./config-drift";
import { describeRef } from "./inventory";
import { buildDesired } from "./manifests";
import { dryRunDrift, fieldManagerDrift, type KustomizationDrift, type KustomizationRef } from "./resource-drift";

export { resourceDriftCount } from "./definition";

export type RevisionDrift = {
  appliedRevision: string | null;
  sourceRevision: string | null;
  headSha: string | null;
  behindBy: number | null;
  /** Commits of the applied revision the tracked ref lacks: above 0, it diverged (another branch). */
  aheadBy: number | null;
  /** The cluster's source failing to fetch (its Ready=False message). */
  fetchFailure: string | null;
  /** Fleetline's own Git cache could not be read (bad ref, authentication). */
  gitError: string | null;
  /** Files under the Kustomization paths that changed between the applied commit and the head. */
  changedFiles: ChangedFile[];
};

/** Per Kustomization (Flux), or per Application with Argo CD's own comparison ("argocd"). */
export type ResourceDrift = Omit<KustomizationDrift, "method"> & { method: KustomizationDrift["method"] | "argocd" };

export type DriftReport = {
  status: "ok";
  clusterId: string;
  configurationId: string;
  computedAt: Date;
  configuration: ObjectDrift[];
  revision: RevisionDrift;
  resource: ResourceDrift[];
};

export type DriftResult = DriftReport | { status: "not-found" } | { status: "unreachable"; error: string };

const BUDGET_MS = 30_000;
// Flux's notification Providers and Alerts carry no status, so the listing of observed kinds leaves them out.
const PLAIN_KINDS = new Set(["Secret", "Namespace", "ServiceAccount", "RoleBinding", "Provider", "Alert"]);

/** The plain objects a version renders (Secret, Namespace, a tenant's ServiceAccount and RoleBinding, notification Providers and Alerts) are read one by one; Secret values are masked as soon as they arrive. */
async function readPlainObjects(client: ClusterClient, rendered: readonly RenderedObject[]): Promise<LiveObject[]> {
  const plain = rendered.filter((o) => PLAIN_KINDS.has(o.kind));
  const found = await Promise.all(plain.map((o) => getLive(client, { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name })));
  return found.flatMap((live) => {
    if (!live) return [];
    const data = live.data as Record<string, string> | undefined;
    return [{ ...live, ...(data ? { data: Object.fromEntries(Object.keys(data).map((key) => [key, SECRET_MASK])) } : {}) } as LiveObject];
  });
}

function kustomizationRef(live: LiveFluxObject): KustomizationRef & { path: string; substitute?: Record<string, string>; unsupported?: string } {
  const spec = (live.spec ?? {}) as { path?: string; targetNamespace?: string; prune?: boolean; postBuild?: { substitute?: Record<string, string>; substituteFrom?: unknown[] }; patches?: unknown[]; components?: unknown[]; images?: unknown[]; decryption?: unknown };
  const extras = (["patches", "components", "images", "decryption"] as const).filter((key) => spec[key] !== undefined);
  const unsupported = spec.postBuild?.substituteFrom ? "substitutions from ConfigMaps or Secrets are not resolved here" : extras.length > 0 ? `the Kustomization uses ${extras.join(", ")}` : undefined;
  return {
    name: live.metadata.name,
    namespace: live.metadata.namespace ?? "",
    ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
    prune: spec.prune === true,
    inventory: live.status?.inventory?.entries ?? [],
    path: spec.path ?? "./",
    ...(spec.postBuild?.substitute ? { substitute: spec.postBuild.substitute } : {}),
    ...(unsupported ? { unsupported } : {}),
  };
}

async function resourceDrift(client: ClusterClient, kustomizations: readonly LiveFluxObject[], repository: GitRepository | undefined): Promise<KustomizationDrift[]> {
  const reports: KustomizationDrift[] = [];
  for (const live of kustomizations) {
    const ks = kustomizationRef(live);
    const sha = shaOfRevision(live.status?.lastAppliedRevision);
    if (!repository || !sha || ks.unsupported) {
      reports.push(await fieldManagerDrift(client, ks, ks.unsupported ?? (repository ? "nothing applied yet" : "the desired manifests are not in a Git repository Fleetline can read")));
      continue;
    }
    try {
      const built = buildDesired(await repository.readTree(sha, ks.path), repoPathspec(ks.path), ks.substitute);
      reports.push(built.ok ? await dryRunDrift(client, ks, built.objects) : await fieldManagerDrift(client, ks, built.reason));
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      reports.push(await fieldManagerDrift(client, ks, `the manifests could not be read from Git: ${error.message}`));
    }
  }
  return reports;
}

async function revisionDrift(target: Target, clusterId: string, repository: GitRepository | undefined, kustomizationPaths: string[]): Promise<RevisionDrift> {
  const db = getDb();
  const row = db.select().from(configurationStatus).where(and(eq(configurationStatus.clusterId, clusterId), eq(configurationStatus.configurationId, target.configurationId))).get();
  const source = db.select().from(sourceStatus).where(eq(sourceStatus.configurationId, target.configurationId)).get();
  const applied = shaOfRevision(row?.appliedRevision);
  let changedFiles: ChangedFile[] = [];
  let gitError = source?.error ?? null;
  if (repository && applied && source?.headSha && applied !== source.headSha) {
    try {
      changedFiles = await repository.changedFiles(applied, source.headSha, kustomizationPaths);
    } catch (error) {
      gitError = error instanceof GitError ? error.message : "the changed files could not be listed";
    }
  }
  return {
    appliedRevision: row?.appliedRevision ?? null,
    sourceRevision: row?.sourceRevision ?? null,
    headSha: source?.headSha ?? null,
    behindBy: row?.behindBy ?? null,
    aheadBy: row?.aheadBy ?? null,
    fetchFailure: row?.revisionMessage ?? null,
    gitError,
    changedFiles,
  };
}

/**
 * All three kinds of drift for one configuration on one cluster, on demand (the detail
 * page's Drift tab): a field-level diff of the Flux objects (or Argo CD Applications) against
 * the pushed version, how far the applied commit is behind its ref, and the inventory objects
 * changed outside Git (server-side dry-run of the desired manifests where they can be built,
 * field managers otherwise; on an Argo CD cluster, what Argo CD reports OutOfSync). Secret
 * values never leave this function unmasked.
 */
export async function computeDrift(clusterId: string, configurationId: string): Promise<DriftResult> {
  const cluster = getDb().select().from(clusters).where(eq(clusters.id, clusterId)).get();
  const target = loadTargets([clusterId]).get(clusterId)?.find((t) => t.configurationId === configurationId);
  if (!cluster || !target || !Array.isArray(target.rendered)) return { status: "not-found" };
  const rendered = target.rendered;
  const client = clientFor(cluster, requestTimeoutMs());
  const repository = isGitSource(target.spec) ? safeRepository(target) : undefined;
  if (!target.reconciler) return { status: "not-found" };
  const view = DRIFT_VIEWS[target.reconciler];
  // Within the shared cluster budget; the deadline starts once a slot is free and cancels requests in flight.
  return withClusterSlot(() => {
    const deadline = new Deadline(BUDGET_MS);
    return view({ target, rendered, client: client.withSignal(deadline.signal), repository, deadline });
  });
}

/** computeDrift for a Flux cluster: its Flux objects, the Git head, and inventory objects changed outside Git. */
async function fluxDrift({ target, rendered, client, repository, deadline }: DriftInput): Promise<DriftResult> {
  const { clusterId, configurationId } = target;
  try {
    const namespaces = [...new Set(rendered.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])))];
    const listing = await deadline.race(listManagedFluxObjects(client, namespaces));
    const mine = objectsOfConfiguration(listing.objects, target.name);
    const plain = await deadline.race(readPlainObjects(client, rendered));
    // In the configuration's order, which is also Flux's dependency order as written.
    const kustomizations = rendered.filter((r) => r.kind === "Kustomization").flatMap((r) => mine.find((o) => o.kind === "Kustomization" && o.metadata.name === r.metadata.name) ?? []);
    const paths = kustomizations.map((k) => kustomizationRef(k).path);
    return {
      status: "ok",
      clusterId,
      configurationId,
      computedAt: new Date(),
      configuration: configurationDrift(rendered, [...mine, ...plain]),
      revision: await revisionDrift(target, clusterId, repository, paths),
      resource: await deadline.race(resourceDrift(client, kustomizations, repository)),
    };
  } catch (error) {
    return { status: "unreachable", error: classifyError(error).message };
  }
}

/** Resource drift as Argo CD sees it: the resources its Applications report OutOfSync with Git. */
function argoResourceDrift(applications: readonly ArgoApplication[]): ResourceDrift[] {
  return applications.map((app) => ({
    kustomization: app.metadata.name,
    method: "argocd",
    objects: applicationSnapshot(app).resourceDrift.map((r) => ({ object: describeRef({ kind: r.kind, namespace: r.namespace ?? "", name: r.name }), action: "drifted", changedPaths: [], foreignChanges: [], beforeYaml: null, afterYaml: null })),
  }));
}

type DriftInput = { target: Target; rendered: readonly RenderedObject[]; client: ClusterClient; repository: GitRepository | undefined; deadline: Deadline };

/** computeDrift for a cluster whose reconciler is Argo CD: its Applications and repository Secret, and Argo CD's comparison. */
async function argoDrift({ target, rendered, client, repository, deadline }: DriftInput): Promise<DriftResult> {
  try {
    const { applications } = await deadline.race(listManagedApplications(client, { configuration: target.name }));
    const plain = await deadline.race(readPlainObjects(client, rendered));
    const live = applications.map(liveApplication);
    const order = new Map(rendered.map((o, index) => [o.metadata.name, index]));
    const inOrder = [...applications].sort((a, b) => (order.get(a.metadata.name) ?? Infinity) - (order.get(b.metadata.name) ?? Infinity));
    return {
      status: "ok",
      clusterId: target.clusterId,
      configurationId: target.configurationId,
      computedAt: new Date(),
      configuration: configurationDrift(rendered.map((o) => (o.kind === "Application" ? configuredApplication(o) : o)), [...live, ...plain]),
      revision: await revisionDrift(target, target.clusterId, repository, target.spec?.kustomizations.map((k) => k.path) ?? []),
      resource: argoResourceDrift(inOrder),
    };
  } catch (error) {
    return { status: "unreachable", error: classifyError(error).message };
  }
}

// One view per reconciler, keyed by its id: a new reconciler fails to compile until it has one.
const DRIFT_VIEWS: Record<Reconciler, (input: DriftInput) => Promise<DriftResult>> = { flux: fluxDrift, argocd: argoDrift };

function safeRepository(target: Target): GitRepository | undefined {
  try {
    return isGitSource(target.spec) ? repositoryFor(target.spec.source) : undefined;
  } catch {
    // A credential that cannot be used is already reported on the source row; drift falls back to field managers.
    return undefined;
  }
}
