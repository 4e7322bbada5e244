import "server-only";
import { and, asc, eq, isNotNull, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import { configurationStatus, type ArgoDeployment } from "@/db/schema-status";
import { CredentialUnavailableError } from "@/lib/credentials/store";
import { GitError } from "@/lib/git/errors";
import { shaOfRevision } from "@/lib/git/policy";
import type { ChangedFile, Commit } from "@/lib/git/repository";
import { renderExpected } from "./expected";
import { isGitSource, repositoryFor } from "./revision";

// The Commits tab: the log of the tracked ref, filtered to the Kustomization paths, with each
// cluster's applied commit marked, and the files changed between a cluster's commit and the head.

export type CommitRow = Commit & { appliedOn: { clusterId: string; clusterName: string }[] };

export type CommitHistory =
  | {
      status: "ok";
      ref: string;
      headSha: string | null;
      commits: CommitRow[];
      /** Clusters whose applied commit is not in the list (older than the limit, or touching none of the paths). */
      appliedElsewhere: { clusterId: string; clusterName: string; sha: string }[];
      paths: string[];
      /** The last refresh failed: the list is from an earlier fetch. */
      error: string | null;
    }
  | { status: "not-found" }
  | { status: "not-git" }
  | { status: "error"; error: string };

export type ChangedSinceApplied =
  | { status: "ok"; appliedSha: string; headSha: string; files: ChangedFile[] }
  | { status: "not-found" }
  | { status: "not-git" }
  | { status: "nothing-applied" }
  | { status: "error"; error: string };

function gitSpec(configurationId: string) {
  const row = getDb().select().from(configurations).where(and(eq(configurations.id, configurationId), isNull(configurations.deletedAt))).get();
  if (!row) return { status: "not-found" as const };
  // What the clusters run: the version last pushed (the current draft may point elsewhere).
  const { spec } = renderExpected(configurationId, row.pushedVersion ?? row.currentVersion);
  if (!isGitSource(spec)) return { status: "not-git" as const };
  return { status: "ok" as const, spec, paths: spec.kustomizations.map((k) => k.path) };
}

function cleanError(error: unknown): string {
  if (error instanceof GitError || error instanceof CredentialUnavailableError) return error.message;
  return "the repository could not be read";
}

const FULL_LOG_LIMIT = 500;

/** Newest first, at most `limit` commits; a Git failure is returned as a clean message. */
export async function commitHistory(configurationId: string, { limit = 50 } = {}): Promise<CommitHistory> {
  const found = gitSpec(configurationId);
  if (found.status !== "ok") return found;
  const { spec, paths } = found;
  const ref = `${spec.source.ref.type} ${spec.source.ref.value}`;
  try {
    const repository = repositoryFor(spec.source);
    const state = await repository.refresh();
    const commits = await repository.log(spec.source.ref, paths, limit);
    const applied = getDb()
      .select({ clusterId: configurationStatus.clusterId, clusterName: clusters.name, appliedRevision: configurationStatus.appliedRevision })
      .from(configurationStatus)
      .innerJoin(clusters, eq(clusters.id, configurationStatus.clusterId))
      .where(eq(configurationStatus.configurationId, configurationId))
      .all();
    const bySha = new Map<string, { clusterId: string; clusterName: string }[]>();
    for (const row of applied) {
      const sha = shaOfRevision(row.appliedRevision);
      if (sha) bySha.set(sha, [...(bySha.get(sha) ?? []), { clusterId: row.clusterId, clusterName: row.clusterName }]);
    }
    // Flux applies the head of the ref, which often touches none of the paths: a cluster then runs
    // the newest listed commit at or below its applied one, found by position in the full log.
    const order = new Map((await repository.log(spec.source.ref, [], FULL_LOG_LIMIT)).map((c, i) => [c.sha, i]));
    const listed = new Set(commits.map((c) => c.sha));
    const appliedOn = new Map<string, { clusterId: string; clusterName: string }[]>();
    const appliedElsewhere: { clusterId: string; clusterName: string; sha: string }[] = [];
    for (const [sha, on] of bySha) {
      const position = order.get(sha);
      const runs = listed.has(sha) ? sha : position === undefined ? undefined : commits.find((c) => (order.get(c.sha) ?? -1) >= position)?.sha;
      if (runs) appliedOn.set(runs, [...(appliedOn.get(runs) ?? []), ...on]);
      else appliedElsewhere.push(...on.map((c) => ({ ...c, sha })));
    }
    const rows = commits.map((commit) => ({ ...commit, appliedOn: appliedOn.get(commit.sha) ?? [] }));
    const headSha = spec.source.ref.type === "semver" ? null : await repository.resolve(spec.source.ref);
    return { status: "ok", ref, headSha, commits: rows, appliedElsewhere, paths, error: state.error?.message ?? null };
  } catch (error) {
    return { status: "error", error: cleanError(error) };
  }
}

/** The files under the Kustomization paths that differ between a cluster's applied commit and the head of the ref. */
export async function changedSinceApplied(clusterId: string, configurationId: string): Promise<ChangedSinceApplied> {
  const found = gitSpec(configurationId);
  if (found.status !== "ok") return found;
  const row = getDb()
    .select({ appliedRevision: configurationStatus.appliedRevision })
    .from(configurationStatus)
    .where(and(eq(configurationStatus.configurationId, configurationId), eq(configurationStatus.clusterId, clusterId)))
    .get();
  const appliedSha = shaOfRevision(row?.appliedRevision);
  if (!appliedSha) return { status: "nothing-applied" };
  try {
    const repository = repositoryFor(found.spec.source);
    const headSha = await repository.resolve(found.spec.source.ref);
    return { status: "ok", appliedSha, headSha, files: appliedSha === headSha ? [] : await repository.changedFiles(appliedSha, headSha, found.paths) };
  } catch (error) {
    return { status: "error", error: cleanError(error) };
  }
}

export type ArgoDeployments = { clusterId: string; clusterName: string; deployments: ArgoDeployment[] };

/**
 * What each Argo CD cluster deployed of the configuration, newest first: Argo CD's own
 * status.history as the collector last read it (of the configuration's first Application).
 */
export function argoDeployments(configurationId: string): ArgoDeployments[] {
  return getDb()
    .select({ clusterId: configurationStatus.clusterId, clusterName: clusters.name, history: configurationStatus.argoHistory })
    .from(configurationStatus)
    .innerJoin(clusters, eq(clusters.id, configurationStatus.clusterId))
    .where(and(eq(configurationStatus.configurationId, configurationId), isNotNull(configurationStatus.argoHistory)))
    .orderBy(asc(clusters.name))
    .all()
    .map(({ history, ...cluster }) => ({ ...cluster, deployments: [...(history ?? [])].reverse() }));
}
