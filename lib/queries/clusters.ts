import "server-only";
import { and, asc, count, desc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { getDb } from "@/db";
import { containsInsensitive, jsonObjectEntries } from "@/db/sql-dialect";
import { HEALTH_STATES, RECONCILERS, clusterFluxObjects, clusterHealth, clusterHealthEvents, clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import { configurationStatus, objectStatus } from "@/db/schema-status";

export const CLUSTER_PAGE_SIZE = 50;

export const CLUSTER_SORTS = ["name", "health", "version", "lastSeen", "created"] as const;
export const DEFAULT_CLUSTER_SORT = "health" satisfies (typeof CLUSTER_SORTS)[number];

const trimmed = z.string().trim().max(200).optional().catch(undefined);

export const clusterFilterSchema = z.object({
  q: trimmed,
  label: trimmed,
  health: z.enum(HEALTH_STATES).optional().catch(undefined),
  flux: z.enum(["installed", "missing"]).optional().catch(undefined),
  reconciler: z.enum([...RECONCILERS, "none"]).optional().catch(undefined),
  // Problems first: a fleet list opens on what needs attention, not on the alphabet.
  sort: z.enum(CLUSTER_SORTS).default(DEFAULT_CLUSTER_SORT).catch(DEFAULT_CLUSTER_SORT),
  dir: z.enum(["asc", "desc"]).default("asc").catch("asc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

export type ClusterFilter = z.infer<typeof clusterFilterSchema>;

// The reconciler in force: an admin's override, else what the health check detected.
const effectiveReconciler = sql<string | null>`coalesce(${clusters.reconcilerOverride}, ${clusterHealth.detectedReconciler})`;

/** "env=prod" matches the pair; "env" alone matches any cluster that has the key. */
export function labelCondition(label: string): SQL {
  const eqAt = label.indexOf("=");
  const labels = jsonObjectEntries(clusters.labels, "l");
  if (eqAt === -1) return sql`exists (select 1 from ${labels} where l.key = ${label})`;
  return sql`exists (select 1 from ${labels} where l.key = ${label.slice(0, eqAt).trim()} and l.value = ${label.slice(eqAt + 1).trim()})`;
}

function whereFor(f: ClusterFilter): SQL | undefined {
  return and(
    f.q ? or(containsInsensitive(clusters.name, f.q), containsInsensitive(clusters.displayName, f.q)) : undefined,
    f.label ? labelCondition(f.label) : undefined,
    f.health ? eq(clusterHealth.state, f.health) : undefined,
    f.flux === "installed" ? eq(clusterHealth.fluxInstalled, true) : undefined,
    f.flux === "missing" ? or(eq(clusterHealth.fluxInstalled, false), isNull(clusterHealth.fluxInstalled)) : undefined,
    f.reconciler === "none" ? sql`${effectiveReconciler} is null` : f.reconciler ? sql`${effectiveReconciler} = ${f.reconciler}` : undefined,
  );
}

const ORDER: Record<ClusterFilter["sort"], SQL | AnySQLiteColumn> = {
  name: clusters.name,
  // Down, or never reached (no health row, or never seen), first; then unknown; reachable last.
  health: sql`case when ${clusterHealth.state} = 'unreachable' or ${clusterHealth.lastSeenAt} is null then 0 when ${clusterHealth.state} = 'unknown' then 1 else 2 end`,
  version: clusterHealth.kubernetesVersion,
  lastSeen: clusterHealth.lastSeenAt,
  created: clusters.createdAt,
};

export function listClusters(f: ClusterFilter) {
  const db = getDb();
  const where = whereFor(f);
  const total =
    db.select({ n: count() }).from(clusters).leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id)).where(where).get()?.n ?? 0;
  const order = f.dir === "asc" ? asc(ORDER[f.sort]) : desc(ORDER[f.sort]);
  const rows = db
    .select({
      id: clusters.id,
      name: clusters.name,
      displayName: clusters.displayName,
      labels: clusters.labels,
      server: clusters.server,
      reconciler: effectiveReconciler,
      health: clusterHealth,
    })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(where)
    .orderBy(order, asc(clusters.name))
    .limit(CLUSTER_PAGE_SIZE)
    .offset((f.page - 1) * CLUSTER_PAGE_SIZE)
    .all();
  return { rows, total };
}

export type ClusterListRow = ReturnType<typeof listClusters>["rows"][number];

/** One cluster for its page, without the sealed credentials column. */
export function getClusterDetail(id: string) {
  const db = getDb();
  const row = db
    .select({
      id: clusters.id,
      name: clusters.name,
      displayName: clusters.displayName,
      labels: clusters.labels,
      server: clusters.server,
      authMethod: clusters.authMethod,
      credentialsFingerprint: clusters.credentialsFingerprint,
      credentialsRotatedAt: clusters.credentialsRotatedAt,
      reconcilerOverride: clusters.reconcilerOverride,
      createdAt: clusters.createdAt,
      createdBy: clusters.createdBy,
      health: clusterHealth,
    })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(eq(clusters.id, id))
    .get();
  if (!row) return null;
  const events = db
    .select()
    .from(clusterHealthEvents)
    .where(eq(clusterHealthEvents.clusterId, id))
    .orderBy(desc(clusterHealthEvents.id))
    .limit(20)
    .all();
  const fluxObjects = db
    .select()
    .from(clusterFluxObjects)
    .where(eq(clusterFluxObjects.clusterId, id))
    .orderBy(asc(clusterFluxObjects.kind), asc(clusterFluxObjects.namespace), asc(clusterFluxObjects.name))
    .all();
  return { ...row, events, fluxObjects };
}

export type ClusterDetail = NonNullable<ReturnType<typeof getClusterDetail>>;

export function countClusters(): number {
  return getDb().select({ n: count() }).from(clusters).get()?.n ?? 0;
}

/**
 * An Argo CD cluster's Applications as the last observation saw them, with the configuration
 * that owns each (the cluster page's Argo CD panel, in place of the Flux card).
 */
export function argoApplications(clusterId: string) {
  return getDb()
    .select({
      namespace: objectStatus.namespace,
      name: objectStatus.name,
      state: objectStatus.state,
      reason: objectStatus.reason,
      message: objectStatus.message,
      revision: objectStatus.revision,
      isSuspended: objectStatus.isSuspended,
      observedAt: objectStatus.observedAt,
      configurationId: configurations.id,
      configurationName: configurations.name,
      sync: configurationStatus.argoSync,
      health: configurationStatus.argoHealth,
    })
    .from(objectStatus)
    .innerJoin(configurations, eq(configurations.id, objectStatus.configurationId))
    .leftJoin(configurationStatus, and(eq(configurationStatus.clusterId, objectStatus.clusterId), eq(configurationStatus.configurationId, objectStatus.configurationId)))
    .where(and(eq(objectStatus.clusterId, clusterId), eq(objectStatus.kind, "Application"), isNull(configurations.deletedAt)))
    .orderBy(asc(configurations.name), asc(objectStatus.name))
    .all();
}

export type ArgoApplicationRow = ReturnType<typeof argoApplications>[number];
