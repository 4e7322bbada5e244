import "server-only";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurations, configurationTargets, configurationVersions } from "@/db/schema-configurations";
import type { ConfigurationSummary } from "@/lib/configurations/store";
import type { ResolvedTarget } from "@/lib/configurations/targets";
import type { ConfigurationSpec } from "@/lib/validation/configuration";

// The configuration pages' reads. The domain modules own writing and rendering; the pages read
// through here, and never a whole fleet's worth of rows (a configuration may target 10,000 clusters).

export { listConfigurations, listVersions } from "@/lib/configurations/store";
export { diffVersions, MAX_INLINE_YAML_BYTES, renderedYaml, renderedYamlHref } from "@/lib/configurations/version-diff";
export { getRolloutProgress, listRollouts } from "@/lib/push/rollouts";
export { complianceByConfiguration } from "./configuration-status";

/** How many targets the detail page names; the per-cluster table pages through all of them. */
export const TARGETS_SHOWN = 25;

export type ConfigurationPageData = ConfigurationSummary & {
  spec: ConfigurationSpec;
  /** The first TARGETS_SHOWN targets by name; `targetCount` says how many there are. */
  targets: ResolvedTarget[];
};

/** The configuration, its current spec, its target count and the first few targets: one primary-key read and two indexed ones. */
export function configurationForPage(id: string): ConfigurationPageData | undefined {
  const db = getDb();
  const row = db.select().from(configurations).where(and(eq(configurations.id, id), isNull(configurations.deletedAt))).get();
  if (!row) return undefined;
  const version = db
    .select({ spec: configurationVersions.spec })
    .from(configurationVersions)
    .where(and(eq(configurationVersions.configurationId, id), eq(configurationVersions.version, row.currentVersion)))
    .get();
  if (!version) return undefined;
  const targetCount = db.select({ n: count() }).from(configurationTargets).where(eq(configurationTargets.configurationId, id)).get()?.n ?? 0;
  const targets = db
    .select({ clusterId: configurationTargets.clusterId, clusterName: clusters.name, reason: configurationTargets.reason })
    .from(configurationTargets)
    .innerJoin(clusters, eq(clusters.id, configurationTargets.clusterId))
    .where(eq(configurationTargets.configurationId, id))
    .orderBy(asc(clusters.name))
    .limit(TARGETS_SHOWN)
    .all();
  const { name, namespace, currentVersion, pushedVersion, isSuspended, createdBy, createdAt, updatedAt } = row;
  return { id: row.id, name, namespace, currentVersion, pushedVersion, isSuspended, createdBy, createdAt, updatedAt, targetCount, spec: version.spec, targets };
}

/** A live (not deleted) configuration with this id: one primary-key read. */
export function configurationExists(id: string): boolean {
  return getDb().select({ id: configurations.id }).from(configurations).where(and(eq(configurations.id, id), isNull(configurations.deletedAt))).get() !== undefined;
}
