import "server-only";
import { count, eq, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { containsInsensitive, jsonArrayValues, jsonInteger, jsonText, textList } from "@/db/sql-dialect";
import { clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import { versionReads, type VersionReadRow } from "@/db/schema-versions";
import { matchesSelector } from "@/lib/validation/label-selector";
import { labelSelectorOf, VERSIONS_COLUMN_PAGE_SIZE, type VersionsFilter } from "./filters";
import { sameImage, versionLabel } from "./image-ref";
import { isBehind, newestOf, type VersionPoint } from "./order";

/**
 * What runs where, read from the database only: images (or charts) grouped by configuration as
 * rows, clusters as columns. A cell is *behind* when a newer version of the same image (or chart)
 * runs anywhere in the fleet (semver order, else first-seen time), and *not what Git says* when the
 * image differs from the one the manifests at the applied revision give the container.
 */

export type VersionKind = "image" | "chart";

/** One container's image (or one release's chart) on one cluster. */
export type VersionLine = {
  clusterId: string;
  configurationId: string;
  kind: VersionKind;
  /** `registry/repository`, or the chart name. */
  name: string;
  /** What it is ordered by: the tag (else the digest), or the chart version. */
  version: string;
  /** What a cell shows. */
  label: string;
  /** The full reference as the cluster sent it (cut when stored). */
  full: string;
  /** Where it runs: `Deployment podinfo/frontend (podinfod)`, `HelmRelease cache/redis`. */
  workload: string;
  gitImage: string | null;
  isNotInGit: boolean;
  appVersion: string | null;
  /** When it was read (ms since the epoch). */
  observedAt: number;
};

type RawImage = {
  cluster_id: string;
  configuration_id: string;
  name: string;
  version: string;
  tag: string | null;
  digest: string | null;
  image: string;
  git_image: string | null;
  workload_kind: string;
  workload_namespace: string;
  workload_name: string;
  container: string;
  is_init: number;
  observed_at: number;
};
type RawChart = { cluster_id: string; configuration_id: string; release_namespace: string; release_name: string; chart_name: string; chart_version: string; app_version: string | null; observed_at: number };

const inClusters = (ids: readonly string[] | undefined): SQL => (ids ? sql`where cluster_id in ${textList(ids)}` : sql``);

function imageLines(clusterIds?: readonly string[]): VersionLine[] {
  // Name and version are put together by SQLite: 50,000 rows at 1,000 clusters, and the page
  // must stay fast, so the loop below does as little per row as it can.
  const rows = getDb().all<RawImage>(
    sql`select cluster_id, configuration_id, registry || '/' || repository as name, coalesce(tag, digest, '') as version, tag, digest, image, git_image,
      workload_kind, workload_namespace, workload_name, container, is_init, observed_at from workload_images ${inClusters(clusterIds)}`,
  );
  return rows.map(({ cluster_id: clusterId, configuration_id: configurationId, name, version, tag, digest, image, git_image: gitImage, workload_kind: kind, workload_namespace: namespace, workload_name: workloadName, container, is_init: isInit, observed_at: observedAt }) => ({
    clusterId,
    configurationId,
    kind: "image",
    name,
    version,
    label: tag ?? versionLabel({ tag, digest }),
    full: image,
    workload: `${kind} ${namespace ? `${namespace}/` : ""}${workloadName}${container ? ` (${isInit ? "init " : ""}${container})` : ""}`,
    gitImage,
    // Parsed only when the text differs: "nginx" and "docker.io/library/nginx:latest" are one image.
    isNotInGit: gitImage !== null && gitImage !== image && !sameImage(gitImage, image),
    appVersion: null,
    observedAt,
  }));
}

function chartLines(clusterIds?: readonly string[]): VersionLine[] {
  const rows = getDb().all<RawChart>(
    sql`select cluster_id, configuration_id, release_namespace, release_name, chart_name, chart_version, app_version, observed_at from chart_versions ${inClusters(clusterIds)}`,
  );
  return rows.map(({ cluster_id: clusterId, configuration_id: configurationId, release_namespace: namespace, release_name: release, chart_name: chart, chart_version: version, app_version: appVersion, observed_at: observedAt }) => ({
    clusterId,
    configurationId,
    kind: "chart",
    name: chart,
    version,
    label: version,
    full: `${chart} ${version}${appVersion ? ` (app ${appVersion})` : ""}`,
    workload: `HelmRelease ${namespace}/${release}`,
    gitImage: null,
    isNotInGit: false,
    appVersion,
    observedAt,
  }));
}

type FleetOrder = { newest: Map<string, VersionPoint & { label: string }>; points: Map<string, VersionPoint> };

/** Every version of every image (or chart) in the fleet with its first-seen time, and the newest of each: semver, else first-seen time. */
function fleetOrder(kind: VersionKind, lines: readonly VersionLine[]): FleetOrder {
  const firstSeen = new Map<string, number>();
  const seen = getDb().all<{ name: string; version: string; first_seen_at: number }>(sql`select name, version, first_seen_at from version_first_seen where kind = ${kind}`);
  for (const { name, version, first_seen_at: at } of seen) firstSeen.set(`${name}\0${version}`, at);
  const points = new Map<string, VersionPoint>();
  const byName = new Map<string, (VersionPoint & { label: string })[]>();
  for (const line of lines) {
    const key = `${line.name}\0${line.version}`;
    if (points.has(key)) continue;
    const point = { version: line.version, firstSeenAt: firstSeen.get(key) ?? line.observedAt, label: line.label };
    points.set(key, point);
    let list = byName.get(line.name);
    if (!list) byName.set(line.name, (list = []));
    list.push(point);
  }
  const newest = new Map<string, VersionPoint & { label: string }>();
  for (const [name, list] of byName) newest.set(name, newestOf(list) as VersionPoint & { label: string });
  return { newest, points };
}

type ClusterRef = { id: string; name: string; labels: Record<string, string> };

const allClusterCount = (): number => getDb().select({ n: count() }).from(clusters).get()?.n ?? 0;

/** Clusters matching the filter's name and label selector; the selector's error when it does not parse. */
function clustersInScope(filter: Pick<VersionsFilter, "cluster" | "labels">): { clusters: ClusterRef[]; labelError?: string } {
  const all = getDb().select({ id: clusters.id, name: clusters.name, labels: clusters.labels }).from(clusters).all();
  const { selector, error } = labelSelectorOf(filter);
  const needle = filter.cluster?.toLowerCase();
  const scoped = all.filter((c) => (!needle || c.name.toLowerCase().includes(needle)) && (!selector || matchesSelector(c.labels, selector)));
  return { clusters: scoped, ...(error ? { labelError: error } : {}) };
}

export type JudgedLine = VersionLine & { isBehind: boolean; newest: string | null; clusterName: string; configurationName: string; group: string | null };

/** Every line in scope, judged against the whole fleet (a newer version on a cluster outside the filter still makes a cell behind). */
function judgedLines(filter: VersionsFilter, clusterIds?: readonly string[]): { lines: JudgedLine[]; scope: ClusterRef[]; labelError?: string } {
  const kind: VersionKind = filter.kind === "charts" ? "chart" : "image";
  const all = kind === "image" ? imageLines(clusterIds) : chartLines(clusterIds);
  const { newest, points } = fleetVersions(kind);
  const { clusters: scope, labelError } = clustersInScope(filter);
  const byId = new Map(scope.map((c) => [c.id, c]));
  const names = new Map(getDb().select({ id: configurations.id, name: configurations.name }).from(configurations).all().map((c) => [c.id, c.name]));
  const needle = filter.image?.toLowerCase();
  const lines: JudgedLine[] = [];
  for (const line of all) {
    const cluster = byId.get(line.clusterId);
    if (!cluster || (filter.configuration && line.configurationId !== filter.configuration) || (needle && !line.name.toLowerCase().includes(needle))) continue;
    const top = newest.get(line.name);
    const behind = isBehind(points.get(`${line.name}\0${line.version}`) ?? { version: line.version, firstSeenAt: line.observedAt }, top);
    if (filter.only === "behind" && !behind) continue;
    if (filter.only === "not-in-git" && !line.isNotInGit) continue;
    lines.push({ ...line, isBehind: behind, newest: top?.label ?? null, clusterName: cluster.name, configurationName: names.get(line.configurationId) ?? line.configurationId, group: filter.group ? (cluster.labels[filter.group] ?? null) : null });
  }
  return { lines, scope, ...(labelError ? { labelError } : {}) };
}

/** What one cell shows: each distinct version the cluster runs for the row (usually one). */
export type VersionCell = { label: string; full: string; isBehind: boolean; isNotInGit: boolean; gitImage: string | null; workloads: string[] }[];

export type VersionRow = { configurationId: string; configurationName: string; name: string; newest: string | null; cells: Record<string, VersionCell> };
export type VersionColumn = { id: string; name: string; group: string | null };
/** "12 clusters run an older podinfo than the newest in the fleet (6.6.0)". */
export type VersionSummary = { name: string; shortName: string; newest: string | null; clustersBehind: number; clustersRunning: number; clustersNotInGit: number };

export type VersionsView = {
  rows: VersionRow[];
  columns: VersionColumn[];
  /** Clusters with a cell in the rows (all column pages). */
  totalColumns: number;
  page: number;
  pages: number;
  summary: VersionSummary[];
  clustersInScope: number;
  labelError?: string;
};

/** The last path component: "podinfo" for ghcr.io/stefanprodan/podinfo. */
export const shortName = (name: string): string => name.slice(name.lastIndexOf("/") + 1) || name;

function addToCell(cell: VersionCell, line: JudgedLine): void {
  const found = cell.find((v) => v.full === line.full);
  if (found) {
    if (found.workloads.length < 5 && !found.workloads.includes(line.workload)) found.workloads.push(line.workload);
    found.isNotInGit ||= line.isNotInGit;
    return;
  }
  cell.push({ label: line.label, full: line.full, isBehind: line.isBehind, isNotInGit: line.isNotInGit, gitImage: line.gitImage, workloads: [line.workload] });
}

/** Each (name, version) in the fleet with its first-seen time, from a small DISTINCT read: what "behind" needs, without every row. */
function fleetVersions(kind: VersionKind): FleetOrder {
  // Within a group the version is the tag, else the digest: max() picks the one value there is.
  const query =
    kind === "image"
      ? sql`select registry || '/' || repository as name, coalesce(tag, digest, '') as version, max(tag) as tag, max(digest) as digest, min(observed_at) as observed_at
          from workload_images group by registry || '/' || repository, coalesce(tag, digest, '')`
      : sql`select chart_name as name, chart_version as version, chart_version as tag, null as digest, min(observed_at) as observed_at from chart_versions group by chart_name, chart_version`;
  const rows = getDb().all<{ name: string; version: string; tag: string | null; digest: string | null; observed_at: number }>(query);
  const lines = rows.map(({ name, version, tag, digest, observed_at: observedAt }) => ({ name, version, label: tag ?? versionLabel({ tag, digest }), observedAt }) as VersionLine);
  return fleetOrder(kind, lines);
}

/**
 * The page: one pass over the stored rows reading five narrow columns (50,000 rows at 1,000
 * clusters x 50 images), counting the summary and collecting the row keys and the clusters shown;
 * the cells are then read in full for the page's clusters only.
 */
export function versionsView(filter: VersionsFilter): VersionsView {
  const kind: VersionKind = filter.kind === "charts" ? "chart" : "image";
  const { newest, points } = fleetVersions(kind);
  const { clusters: scope, labelError } = clustersInScope(filter);
  const inScope = new Map(scope.map((c) => [c.id, c]));
  const configurationNames = new Map(getDb().select({ id: configurations.id, name: configurations.name }).from(configurations).all().map((c) => [c.id, c.name]));
  const behind: [name: string, version: string][] = [];
  for (const [key, point] of points) {
    const name = key.slice(0, key.indexOf("\0"));
    if (isBehind(point, newest.get(name))) behind.push([name, key.slice(name.length + 1)]);
  }
  // The few rows whose image text differs from Git's, judged here ("nginx" and
  // "docker.io/library/nginx:latest" are one image); the rest is counted in SQL, never row by row in JS.
  const differing =
    kind === "image"
      ? getDb()
          .all<{ cluster_id: string; ordinal: number; image: string; git_image: string }>(sql`select cluster_id, ordinal, image, git_image from workload_images where git_image is not null and git_image != image`)
          .filter((r) => !sameImage(r.git_image, r.image))
          .map((r) => [r.cluster_id, r.ordinal])
      : [];
  // Pairs are bound as one JSON array each and compared as row values: no separator character that
  // a name could contain (and PostgreSQL text cannot hold the NUL the JS keys use).
  const pairs = (json: string, second: (value: SQL) => SQL) => sql`(select ${jsonText(sql`v.value`, 0)}, ${second(sql`v.value`)} from ${jsonArrayValues(sql`${json}`, "v")})`;
  const conditions: SQL[] = [];
  if (scope.length < allClusterCount()) conditions.push(sql`cluster_id in ${textList(scope.map((c) => c.id))}`);
  if (filter.configuration) conditions.push(sql`configuration_id = ${filter.configuration}`);
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const isBehindSql = sql`case when (name, version) in ${pairs(JSON.stringify(behind), (v) => jsonText(v, 1))} then 1 else 0 end`;
  const source =
    kind === "image"
      ? sql`select cluster_id as c, configuration_id as cfg, registry || '/' || repository as name, coalesce(tag, digest, '') as version,
          case when (cluster_id, ordinal) in ${pairs(JSON.stringify(differing), (v) => jsonInteger(v, 1))} then 1 else 0 end as nig from workload_images ${where}`
      : sql`select cluster_id as c, configuration_id as cfg, chart_name as name, chart_version as version, 0 as nig from chart_versions ${where}`;
  const only = [
    filter.image ? containsInsensitive(sql`name`, filter.image) : undefined,
    filter.only === "behind" ? sql`behind = 1` : filter.only === "not-in-git" ? sql`nig = 1` : undefined,
  ].filter((c) => c !== undefined);
  // Judged once (materialized), then counted three ways in the same statement.
  const counted = getDb().all<{ kind: "summary" | "row" | "column"; a: string; b: string | null; n: number | null; behind: number | null; nig: number | null }>(sql`
    with lines as materialized (
      select c, cfg, name, behind, nig from (select c, cfg, name, ${isBehindSql} as behind, nig from (${source}) src) judged
      ${only.length > 0 ? sql`where ${sql.join(only, sql` and `)}` : sql``}
    )
    select 'summary' as kind, name as a, null as b, count(*) as n, sum(b) as behind, sum(nn) as nig
      from (select name, c, max(behind) as b, max(nig) as nn from lines group by name, c) per_cluster group by name
    union all
    select 'row', cfg, name, null, null, null from (select distinct cfg, name from lines) row_keys
    union all
    select 'column', c, null, null, null, null from (select distinct c from lines) shown`);
  const summaries = counted.filter((r) => r.kind === "summary").map((r) => [r.a, r.n ?? 0, r.behind ?? 0, r.nig ?? 0] as const);
  const rowKeys = counted.filter((r) => r.kind === "row").map((r) => [r.a, r.b ?? ""] as const);
  const shown = counted.filter((r) => r.kind === "column" && inScope.has(r.a)).map((r) => r.a);
  const group = (c: ClusterRef) => (filter.group ? (c.labels[filter.group] ?? null) : null);
  const ordered = shown.map((id) => inScope.get(id)!).sort((a, b) => (group(a) ?? "\uffff").localeCompare(group(b) ?? "\uffff") || a.name.localeCompare(b.name));
  const pages = Math.max(1, Math.ceil(ordered.length / VERSIONS_COLUMN_PAGE_SIZE));
  const page = Math.min(filter.cols, pages);
  const columns = ordered.slice((page - 1) * VERSIONS_COLUMN_PAGE_SIZE, page * VERSIONS_COLUMN_PAGE_SIZE).map((c) => ({ id: c.id, name: c.name, group: group(c) }));
  const rows = new Map<string, VersionRow>();
  for (const [configurationId, name] of rowKeys) {
    rows.set(`${configurationId}\0${name}`, { configurationId, configurationName: configurationNames.get(configurationId) ?? configurationId, name, newest: newest.get(name)?.label ?? null, cells: {} });
  }
  // The page's clusters in full: a handful of columns, whatever the fleet's size.
  for (const line of columns.length > 0 ? judgedLines(filter, columns.map((c) => c.id)).lines : []) {
    const row = rows.get(`${line.configurationId}\0${line.name}`);
    if (row) addToCell((row.cells[line.clusterId] ??= []), line);
  }
  const summary = summaries
    .map(([name, running, behind, notInGit]) => ({ name, shortName: shortName(name), newest: newest.get(name)?.label ?? null, clustersBehind: behind, clustersRunning: running, clustersNotInGit: notInGit }))
    .sort((a, b) => b.clustersBehind - a.clustersBehind || b.clustersNotInGit - a.clustersNotInGit || a.name.localeCompare(b.name));
  return {
    rows: [...rows.values()].sort((a, b) => a.configurationName.localeCompare(b.configurationName) || a.name.localeCompare(b.name)),
    columns,
    totalColumns: ordered.length,
    page,
    pages,
    summary,
    clustersInScope: scope.length,
    ...(labelError ? { labelError } : {}),
  };
}

/** Every line the page's filters select, for export (all clusters, no column pages). */
export function versionsExportLines(filter: VersionsFilter): JudgedLine[] {
  const { lines } = judgedLines(filter);
  return lines.sort((a, b) => a.configurationName.localeCompare(b.configurationName) || a.name.localeCompare(b.name) || a.clusterName.localeCompare(b.clusterName) || a.workload.localeCompare(b.workload));
}

export type ClusterVersions = { images: JudgedLine[]; charts: JudgedLine[]; read: VersionReadRow | null };

/** One cluster's images and charts, each judged against the fleet, and its last read. */
export function clusterVersions(clusterId: string): ClusterVersions {
  const base = { kind: "images", cols: 1 } as VersionsFilter;
  const sort = (lines: JudgedLine[]) => lines.sort((a, b) => a.configurationName.localeCompare(b.configurationName) || a.workload.localeCompare(b.workload) || a.name.localeCompare(b.name));
  const read = getDb().select().from(versionReads).where(eq(versionReads.clusterId, clusterId)).get() ?? null;
  return { images: sort(judgedLines(base, [clusterId]).lines), charts: sort(judgedLines({ ...base, kind: "charts" }, [clusterId]).lines), read };
}
