import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { clusters } from "./schema";
import { configurations } from "./schema-configurations";

// What runs where (issue 15): the container images of the workloads Fleetline's configurations
// deployed and the Helm charts they released, as each cluster's reconciler reports them, read by
// the observation loop on its versions interval. Cluster-supplied text is stored cut.

/** One container (or init container) of one workload, or one image an Argo CD Application reports. */
export const workloadImages = sqliteTable(
  "workload_images",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    // Its order within the cluster's read: the key, since hostile input may repeat any other field.
    ordinal: integer("ordinal").notNull(),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    // Deployment, StatefulSet, DaemonSet, CronJob, Job; "Application" for Argo CD's summary.
    workloadKind: text("workload_kind").notNull(),
    workloadNamespace: text("workload_namespace").notNull().default(""),
    workloadName: text("workload_name").notNull(),
    // The container's name ("" for Argo CD's summary, which names none).
    container: text("container").notNull().default(""),
    isInit: integer("is_init", { mode: "boolean" }).notNull().default(false),
    // The reference as the cluster sent it, cut.
    image: text("image").notNull(),
    registry: text("registry").notNull(),
    repository: text("repository").notNull(),
    tag: text("tag"),
    digest: text("digest"),
    // The image Git's manifests at the applied revision give this container; null: not known.
    gitImage: text("git_image"),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.ordinal] }), index("workload_images_repository_idx").on(t.registry, t.repository), index("workload_images_configuration_idx").on(t.configurationId)],
);

/** The deployed snapshot of a HelmRelease (its newest status.history entry with status deployed). */
export const chartVersions = sqliteTable(
  "chart_versions",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    releaseNamespace: text("release_namespace").notNull(),
    releaseName: text("release_name").notNull(),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    chartName: text("chart_name").notNull(),
    chartVersion: text("chart_version").notNull(),
    appVersion: text("app_version"),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.releaseNamespace, t.releaseName] }), index("chart_versions_chart_idx").on(t.chartName)],
);

/**
 * When a version of an image or chart was first seen anywhere in the fleet: the order of tags
 * that are not semantic versions (and of digests). Kept when no cluster runs it any more, so a
 * version coming back is not taken for a new one.
 */
export const versionFirstSeen = sqliteTable(
  "version_first_seen",
  {
    // "image": `registry/repository`; "chart": the chart name.
    kind: text("kind", { enum: ["image", "chart"] }).notNull(),
    name: text("name").notNull(),
    // The tag (or the digest when there is no tag), or the chart version.
    version: text("version").notNull(),
    firstSeenAt: integer("first_seen_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.name, t.version] })],
);

/** The last versions read of each cluster: when, and why it failed or was cut short. */
export const versionReads = sqliteTable("version_reads", {
  clusterId: text("cluster_id")
    .primaryKey()
    .references(() => clusters.id, { onDelete: "cascade" }),
  readAt: integer("read_at", { mode: "timestamp_ms" }).notNull(),
  // The last successful read (the rows are as of then).
  okAt: integer("ok_at", { mode: "timestamp_ms" }),
  error: text("error"),
  images: integer("images").notNull().default(0),
  // More containers than the caps allow were seen; the rest were counted, not stored.
  truncated: integer("truncated", { mode: "boolean" }).notNull().default(false),
  // Why "not what Git says" could not be worked out for some workloads (the manifests were not readable).
  gitNote: text("git_note"),
});

export type WorkloadImageRow = typeof workloadImages.$inferSelect;
export type NewWorkloadImage = typeof workloadImages.$inferInsert;
export type ChartVersionRow = typeof chartVersions.$inferSelect;
export type NewChartVersion = typeof chartVersions.$inferInsert;
export type VersionReadRow = typeof versionReads.$inferSelect;
