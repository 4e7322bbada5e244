import "server-only";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { backgroundWrite } from "@/db/busy";
import { preparedOnce, rawPlaceholder } from "@/db/prepared";
import { configurationStatus, sourceStatus } from "@/db/schema-status";
import { CredentialUnavailableError, toRenderCredential } from "@/lib/credentials/store";
import { GitError } from "@/lib/git/errors";
import { shaOfRevision, type GitRef } from "@/lib/git/policy";
import { openRepository, type GitRepository } from "@/lib/git/repository";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { errorMessage, log } from "@/lib/log";
import type { ConfigurationSpec } from "@/lib/validation/configuration";

/** A configuration's Git source as Fleetline's own cache sees it. */
export type SourceHead = { configurationId: string; repository: GitRepository; ref: GitRef; headSha: string | null; error: GitError | null; paths: readonly string[] };

const GIT_CONCURRENCY = 4;

type GitSourceSpec = Extract<ConfigurationSpec["source"], { kind: "GitRepository" }>;

export function isGitSource(spec: ConfigurationSpec | undefined): spec is ConfigurationSpec & { source: GitSourceSpec } {
  return spec?.source.kind === "GitRepository";
}

/**
 * The repository of a Git source, authenticated with its stored credential. The credential is
 * decrypted only here, on the server, and only for the host it is bound to.
 */
export function repositoryFor(source: GitSourceSpec, maxAgeMs?: number): GitRepository {
  const auth = source.credentialId ? toRenderCredential(source.credentialId, source) : undefined;
  return openRepository({ url: source.url, ...(auth ? { auth } : {}), ...(source.ignore !== undefined ? { ignore: source.ignore } : {}) }, maxAgeMs === undefined ? {} : { maxAgeMs });
}

async function headOf(configurationId: string, source: GitSourceSpec, paths: readonly string[], maxAgeMs: number): Promise<SourceHead | undefined> {
  const ref: GitRef = source.ref;
  let repository: GitRepository;
  try {
    repository = repositoryFor(source, maxAgeMs);
  } catch (error) {
    const message = error instanceof GitError || error instanceof CredentialUnavailableError ? error.message : "the source could not be opened";
    await saveSource(configurationId, source, null, new GitError("invalid", message));
    return undefined;
  }
  const state = await repository.refresh();
  let headSha: string | null = null;
  let error = state.error;
  if (ref.type !== "semver") {
    try {
      headSha = await repository.resolve(ref);
    } catch (resolveError) {
      error ??= resolveError instanceof GitError ? resolveError : new GitError("failed", "the ref could not be resolved");
    }
  }
  await saveSource(configurationId, source, headSha, error);
  return { configurationId, repository, ref, headSha, error, paths };
}

function saveSource(configurationId: string, source: GitSourceSpec, headSha: string | null, error: GitError | null): Promise<void> {
  const row = { configurationId, url: source.url, ref: `${source.ref.type} ${source.ref.value}`, headSha, checkedAt: new Date(), error: error?.message ?? null, errorKind: error?.kind ?? null };
  return backgroundWrite(getDb(), () => void getDb().insert(sourceStatus).values(row).onConflictDoUpdate({ target: sourceStatus.configurationId, set: row }).run());
}

/**
 * Refreshes (when due) the cache of every Git source among `specs` and records each head,
 * or the clean reason it could not be read. One failing source never stops the others.
 */
export async function refreshSourceHeads(specs: ReadonlyMap<string, ConfigurationSpec>, maxAgeMs: number): Promise<Map<string, SourceHead>> {
  const git = [...specs].filter(([, spec]) => isGitSource(spec)) as [string, ConfigurationSpec & { source: GitSourceSpec }][];
  const settled = await mapWithConcurrency(git, GIT_CONCURRENCY, ([id, spec]) => headOf(id, spec.source, spec.kustomizations.map((k) => k.path), maxAgeMs));
  const heads = new Map<string, SourceHead>();
  settled.forEach((outcome, index) => {
    if (outcome.status === "fulfilled" && outcome.value) heads.set(outcome.value.configurationId, outcome.value);
    if (outcome.status === "rejected") log.warn("status: source refresh failed", { configurationId: git[index]?.[0], error: errorMessage(outcome.reason) });
  });
  return heads;
}

// Only while still at the revision counted: a row that moved on meanwhile is counted on the next pass.
const setCounts = preparedOnce((db) =>
  db
    .update(configurationStatus)
    .set({
      behindBy: rawPlaceholder("behindBy"),
      aheadBy: rawPlaceholder("aheadBy"),
      hasRevisionDrift: sql`case when ${configurationStatus.revisionMessage} is not null or ${sql.placeholder("away")} = 1 then 1 else 0 end`,
    })
    .where(and(eq(configurationStatus.configurationId, sql.placeholder("configurationId")), eq(configurationStatus.clusterId, sql.placeholder("clusterId")), eq(configurationStatus.appliedRevision, sql.placeholder("appliedRevision"))))
    .prepare(),
);

const isAway = (counts: { behind: number; ahead: number } | null): boolean => (counts?.behind ?? 0) > 0 || (counts?.ahead ?? 0) > 0;

/**
 * "Behind by N" and "diverged": for each row of these clusters whose applied revision names a
 * commit, the commits the head of the tracked ref has beyond it among those the Commits tab
 * lists (touching the Kustomization paths), and the commits it has that the head lacks (a
 * revision from another branch). Counted once per distinct commit.
 */
export async function applyBehindBy(heads: ReadonlyMap<string, SourceHead>, clusterIds: readonly string[]): Promise<void> {
  const withHead = [...heads.values()].filter((h) => h.headSha !== null);
  if (withHead.length === 0 || clusterIds.length === 0) return;
  const db = getDb();
  const rows = db
    .select({
      configurationId: configurationStatus.configurationId,
      clusterId: configurationStatus.clusterId,
      appliedRevision: configurationStatus.appliedRevision,
      behindBy: configurationStatus.behindBy,
      aheadBy: configurationStatus.aheadBy,
      hasRevisionDrift: configurationStatus.hasRevisionDrift,
      revisionMessage: configurationStatus.revisionMessage,
    })
    .from(configurationStatus)
    .where(and(inArray(configurationStatus.configurationId, withHead.map((h) => h.configurationId)), inArray(configurationStatus.clusterId, [...clusterIds]), isNotNull(configurationStatus.appliedRevision)))
    .all();
  const keyOf = (row: (typeof rows)[number]) => {
    const sha = shaOfRevision(row.appliedRevision);
    return sha ? `${row.configurationId}:${sha}` : undefined;
  };
  const distinct = [...new Set(rows.flatMap((row) => keyOf(row) ?? []))];
  const settled = await mapWithConcurrency(distinct, GIT_CONCURRENCY, (key) => {
    const [configurationId = "", sha = ""] = key.split(":");
    const head = heads.get(configurationId)!;
    return head.repository.compare(sha, head.ref, head.paths);
  });
  const counts = new Map(distinct.map((key, index) => [key, settled[index]?.status === "fulfilled" ? settled[index].value : null]));
  // Only rows whose counts or flag move are written: at rest (every pass of a fleet that is up
  // to date) nothing is, where every due row was updated on every pass.
  const compared = rows
    .map((row) => ({ row, counts: counts.get(keyOf(row) ?? "") ?? null }))
    .filter(({ row, counts }) => row.behindBy !== (counts?.behind ?? null) || row.aheadBy !== (counts?.ahead ?? null) || row.hasRevisionDrift !== (row.revisionMessage !== null || isAway(counts)));
  if (compared.length === 0) return;
  // After a commit lands fleet-wide every row moves once: a prepared statement, not one built per row.
  const update = setCounts();
  // On PostgreSQL, 2,000 updates in one round trip, not 2,000.
  await backgroundWrite(
    db,
    () =>
      db.transaction(() => {
        for (const { row, counts } of compared) {
          update.run({ behindBy: counts?.behind ?? null, aheadBy: counts?.ahead ?? null, away: isAway(counts) ? 1 : 0, configurationId: row.configurationId, clusterId: row.clusterId, appliedRevision: row.appliedRevision ?? "" });
        }
      }),
    { deferWrites: true },
  );
}
