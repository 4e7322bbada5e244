import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase as openTempDatabase } from "@/test-support/temp-db";
import type { ImageValues } from "./extract";

// The Versions queries and the writer on a real SQLite file: ordering by first-seen time for tags
// that are not semantic versions and for digests, Git comparison by image rather than by text,
// and a failed read keeping the last rows.
let temp: Awaited<ReturnType<typeof openTempDatabase>>;
let persist: typeof import("./persist");
let queries: typeof import("./queries");
let filters: typeof import("./filters");

const DIGEST = `sha256:${"cd".repeat(32)}`;
const T0 = Date.parse("2026-11-01T00:00:00Z");
const at = (days: number) => new Date(T0 + days * 86_400_000);

function image(configurationId: string, image: string, gitImage: string | null = image, container = "app"): ImageValues {
  const [, registry, repository, tag, digest] = /^(?:(ghcr\.io|docker\.io)\/)?([^:@]+)(?::([^@]+))?(?:@(.+))?$/.exec(image)!;
  return { configurationId, workloadKind: "Deployment", workloadNamespace: "apps", workloadName: "web", container, isInit: false, image, registry: registry ?? "docker.io", repository: registry ? repository! : `library/${repository}`, tag: tag ?? (digest ? null : "latest"), digest: digest ?? null, gitImage };
}
const read = (...images: ImageValues[]) => ({ ok: true as const, images, charts: [], truncated: false, gitNote: null });

beforeAll(async () => {
  temp = await openTempDatabase();
  [persist, queries, filters] = await Promise.all([import("./persist"), import("./queries"), import("./filters")]);
  const sqlite = temp.db.$client;
  const insertCluster = sqlite.prepare(
    "insert into clusters (id, name, display_name, labels, server, auth_method, credentials, credentials_fingerprint, credentials_rotated_at, updated_at, created_by) values (?, ?, ?, ?, 'https://10.0.0.1:6443', 'token', 'sealed', 'fp', 0, 0, 'test')",
  );
  for (const [id, env] of [["a", "prod"], ["b", "prod"], ["c", "dev"], ["d", "dev"]] as const) insertCluster.run(id, `cluster-${id}`, id, JSON.stringify({ env }));
  sqlite.prepare("insert into configurations (id, name, namespace, current_version, created_by, updated_at) values ('cfg', 'web', 'flux-system', 1, 'test', 0)").run();
});

afterAll(() => temp?.cleanup());

describe("versions stored and judged", () => {
  it("orders tags that are not semantic versions, and digests, by when the fleet first saw them", () => {
    persist.persistVersions("c", read(image("cfg", `ghcr.io/acme/app@${DIGEST}`)), at(0));
    persist.persistVersions("a", read(image("cfg", "ghcr.io/acme/app:main-zzz")), at(1));
    persist.persistVersions("b", read(image("cfg", "ghcr.io/acme/app:main-aaa")), at(2));
    // Read again later: first seen stays day 1, so main-zzz is still older than main-aaa.
    persist.persistVersions("a", read(image("cfg", "ghcr.io/acme/app:main-zzz")), at(3));
    const view = queries.versionsView(filters.parseVersionsFilter({}));
    expect(view.summary.find((s) => s.name === "ghcr.io/acme/app")).toMatchObject({ newest: "main-aaa", clustersBehind: 2, clustersRunning: 3 });
    const cells = view.rows[0]!.cells;
    expect(cells.a?.[0]).toMatchObject({ label: "main-zzz", isBehind: true });
    expect(cells.b?.[0]).toMatchObject({ label: "main-aaa", isBehind: false });
    expect(cells.c?.[0]).toMatchObject({ label: "sha256:cdcdcdcdcdcd", isBehind: true, full: `ghcr.io/acme/app@${DIGEST}` });
    expect(view.columns.map((c) => c.name)).toEqual(["cluster-a", "cluster-b", "cluster-c"]);
  });

  it("compares with Git by image, not by text", () => {
    persist.persistVersions("d", read(image("cfg", "nginx", "docker.io/library/nginx:latest", "proxy"), image("cfg", "redis:7.2", "redis:7.4", "cache")), at(4));
    const own = queries.clusterVersions("d").images;
    expect(own.find((l) => l.name === "docker.io/library/nginx")).toMatchObject({ isNotInGit: false });
    expect(own.find((l) => l.name === "docker.io/library/redis")).toMatchObject({ isNotInGit: true, gitImage: "redis:7.4" });
    const view = queries.versionsView(filters.parseVersionsFilter({ only: "not-in-git" }));
    expect(view.columns.map((c) => c.id)).toEqual(["d"]);
    expect(view.rows.map((r) => r.name)).toEqual(["docker.io/library/redis"]);
    expect(view.summary).toEqual([expect.objectContaining({ name: "docker.io/library/redis", clustersNotInGit: 1 })]);
  });

  it("groups and filters clusters by label and name; behind stays judged against the whole fleet", () => {
    const dev = queries.versionsView(filters.parseVersionsFilter({ labels: "env=dev", image: "acme", group: "env" }));
    expect(dev.columns).toEqual([{ id: "c", name: "cluster-c", group: "dev" }]);
    expect(dev.summary[0]).toMatchObject({ clustersBehind: 1, clustersRunning: 1, newest: "main-aaa" });
    expect(queries.versionsView(filters.parseVersionsFilter({ cluster: "CLUSTER-B" })).columns.map((c) => c.id)).toEqual(["b"]);
    expect(queries.versionsView(filters.parseVersionsFilter({ labels: "===" })).labelError).toBeTruthy();
    const lines = queries.versionsExportLines(filters.parseVersionsFilter({ only: "behind", group: "env" }));
    expect(lines.map((l) => [l.clusterName, l.label, l.group, l.newest])).toEqual([
      ["cluster-a", "main-zzz", "prod", "main-aaa"],
      ["cluster-c", "sha256:cdcdcdcdcdcd", "dev", "main-aaa"],
    ]);
  });

  it("keeps the last rows when a read fails, and says why", () => {
    persist.persistVersions("b", { ok: false, error: "listing deployments: 503" }, at(5));
    const own = queries.clusterVersions("b");
    expect(own.images.map((l) => l.label)).toEqual(["main-aaa"]);
    expect(own.read).toMatchObject({ error: "listing deployments: 503", okAt: at(2), readAt: at(5) });
    persist.persistVersions("b", read(), at(6));
    expect(queries.clusterVersions("b")).toMatchObject({ images: [], read: { error: null, okAt: at(6) } });
  });

  it("orders chart versions by semver", () => {
    const chart = (version: string) => ({ ok: true as const, images: [], charts: [{ configurationId: "cfg", releaseNamespace: "cache", releaseName: "redis", chartName: "redis", chartVersion: version, appVersion: "7.2" }], truncated: false, gitNote: null });
    persist.persistVersions("a", chart("18.10.0"), at(7));
    persist.persistVersions("c", chart("18.9.1"), at(8));
    const view = queries.versionsView(filters.parseVersionsFilter({ kind: "charts" }));
    expect(view.summary).toEqual([expect.objectContaining({ name: "redis", newest: "18.10.0", clustersBehind: 1, clustersRunning: 2 })]);
    expect(view.rows[0]?.cells.c?.[0]).toMatchObject({ label: "18.9.1", isBehind: true });
  });
});
