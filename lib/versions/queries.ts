import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import { versionReads, type VersionReadRow } from "@/db/schema-versions";
import { matchesSelector } from "@/lib/validation/label-selector";
import { labelSelectorOf, VERSIONS_COLUMN_PAGE_SIZE, type VersionsFilter } from "./filters";
import { imageName, parseImageRef, versionKey, versionLabel } from "./image-ref";
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
  observedAt: Date;
};

type RawImage = [string, string, string, string, string | null, string | null, string, string | null, string, string, string, string, number, number];
type RawChart = [string, string, string, string, string, string, string | null, number];

const sameImage = (a: string, b: string): boolean => {
  const x = parseImageRef(a);
  const y = parseImageRef(b);
  return x.registry === y.registry && x.repository === y.repository && x.tag === y.tag && (x.digest === null || y.digest === null || x.digest === y.digest);
};

function imageLines(): VersionLine[] {
  const rows = getDb()
    .$client.prepare(
      "SELECT cluster_id, configuration_id, registry, repository, tag, digest, image, git_image, workload_kind, workload_namespace, workload_name, container, is_init, observed_at FROM workload_images",
    )
    .raw()
    .all() as RawImage[];
  return rows.map(([clusterId, configurationId, registry, repository, tag, digest, image, gitImage, kind, namespace, name, container, isInit, observedAt]) => ({
    clusterId,
    configurationId,
    kind: "image",
    name: imageName({ registry, repository }),
    version: versionKey({ tag, digest }),
    label: versionLabel({ tag, digest }),
    full: image,
    workload: `${kind} ${namespace ? `${namespace}/` : ""}${name}${container ? ` (${isInit ? "init " : ""}${container})` : ""}`,
    gitImage,
    isNotInGit: gitImage !== null && !sameImage(gitImage, image),
    appVersion: null,
    observedAt: new Date(observedAt),
  }));
}

function chartLines(): VersionLine[] {
  const rows = getDb()
    .$client.prepare("SELECT cluster_id, configuration_id, release_namespace, release_name, chart_name, chart_version, app_version, observed_at FROM chart_versions")
    .raw()
    .all() as RawChart[];
  return rows.map(([clusterId, configurationId, namespace, release, chart, version, appVersion, observedAt]) => ({
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
    observedAt: new Date(observedAt),
  }));
}

type FleetOrder = { newest: Map<string, VersionPoint & { label: string }>; points: Map<string, VersionPoint> };

/** Every version of every image (or chart) in the fleet with its first-seen time, and the newest of each: semver, else first-seen time. */
function fleetOrder(kind: VersionKind, lines: readonly VersionLine[]): FleetOrder {
  const firstSeen = new Map<string, number>();
  const seen = getDb().$client.prepare("SELECT name, version, first_seen_at FROM version_first_seen WHERE kind = ?").raw().all(kind) as [string, string, number][];
  for (const [name, version, at] of seen) firstSeen.set(`${name}\0${version}`, at);
  const points = new Map<string, VersionPoint>();
  const byName = new Map<string, (VersionPoint & { label: string })[]>();
  for (const line of lines) {
    const key = `${line.name}\0${line.version}`;
    if (points.has(key)) continue;
    const point = { version: line.version, firstSeenAt: firstSeen.get(key) ?? line.observedAt.getTime(), label: line.label };
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
function judgedLines(filter: VersionsFilter, onlyCluster?: string): { lines: JudgedLine[]; scope: ClusterRef[]; labelError?: string } {
  const kind: VersionKind = filter.kind === "charts" ? "chart" : "image";
  const all = kind === "image" ? imageLines() : chartLines();
  const { newest, points } = fleetOrder(kind, all);
  const { clusters: scope, labelError } = clustersInScope(filter);
  const byId = new Map(scope.map((c) => [c.id, c]));
  const names = new Map(getDb().select({ id: configurations.id, name: configurations.name }).from(configurations).all().map((c) => [c.id, c.name]));
  const needle = filter.image?.toLowerCase();
  const lines: JudgedLine[] = [];
  for (const line of all) {
    if (onlyCluster && line.clusterId !== onlyCluster) continue;
    const cluster = byId.get(line.clusterId);
    if (!cluster || (filter.configuration && line.configurationId !== filter.configuration) || (needle && !line.name.toLowerCase().includes(needle))) continue;
    const top = newest.get(line.name);
    const behind = isBehind(points.get(`${line.name}\0${line.version}`)!, top);
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

export function versionsView(filter: VersionsFilter): VersionsView {
  const { lines, scope, labelError } = judgedLines(filter);
  const clusterOf = new Map(scope.map((c) => [c.id, c]));
  const summaries = new Map<string, { running: Set<string>; behind: Set<string>; notInGit: Set<string>; newest: string | null }>();
  const rowCells = new Map<string, { row: Omit<VersionRow, "cells">; lines: JudgedLine[] }>();
  const shown = new Set<string>();
  for (const line of lines) {
    let s = summaries.get(line.name);
    if (!s) summaries.set(line.name, (s = { running: new Set(), behind: new Set(), notInGit: new Set(), newest: line.newest }));
    s.running.add(line.clusterId);
    if (line.isBehind) s.behind.add(line.clusterId);
    if (line.isNotInGit) s.notInGit.add(line.clusterId);
    const key = `${line.configurationId}\0${line.name}`;
    let entry = rowCells.get(key);
    if (!entry) rowCells.set(key, (entry = { row: { configurationId: line.configurationId, configurationName: line.configurationName, name: line.name, newest: line.newest }, lines: [] }));
    entry.lines.push(line);
    shown.add(line.clusterId);
  }
  const group = (c: ClusterRef) => (filter.group ? (c.labels[filter.group] ?? null) : null);
  const ordered = [...shown]
    .map((id) => clusterOf.get(id)!)
    .sort((a, b) => (group(a) ?? "\uffff").localeCompare(group(b) ?? "\uffff") || a.name.localeCompare(b.name));
  const pages = Math.max(1, Math.ceil(ordered.length / VERSIONS_COLUMN_PAGE_SIZE));
  const page = Math.min(filter.cols, pages);
  const columns = ordered.slice((page - 1) * VERSIONS_COLUMN_PAGE_SIZE, page * VERSIONS_COLUMN_PAGE_SIZE).map((c) => ({ id: c.id, name: c.name, group: group(c) }));
  const onPage = new Set(columns.map((c) => c.id));
  const rows = [...rowCells.values()]
    .map(({ row, lines: of }) => {
      const cells: Record<string, VersionCell> = {};
      for (const line of of) if (onPage.has(line.clusterId)) addToCell((cells[line.clusterId] ??= []), line);
      return { ...row, cells };
    })
    .sort((a, b) => a.configurationName.localeCompare(b.configurationName) || a.name.localeCompare(b.name));
  const summary = [...summaries.entries()]
    .map(([name, s]) => ({ name, shortName: shortName(name), newest: s.newest, clustersBehind: s.behind.size, clustersRunning: s.running.size, clustersNotInGit: s.notInGit.size }))
    .sort((a, b) => b.clustersBehind - a.clustersBehind || b.clustersNotInGit - a.clustersNotInGit || a.name.localeCompare(b.name));
  return { rows, columns, totalColumns: ordered.length, page, pages, summary, clustersInScope: scope.length, ...(labelError ? { labelError } : {}) };
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
  return { images: sort(judgedLines(base, clusterId).lines), charts: sort(judgedLines({ ...base, kind: "charts" }, clusterId).lines), read };
}
