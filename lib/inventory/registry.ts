import "server-only";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusterHealthEvents, clusters, type Cluster } from "@/db/schema";
import { createClusterClient } from "@/lib/k8s/client";
import { classifyError, probeCluster, type ClusterProbe } from "@/lib/k8s/discovery";
import type { ClusterCredentials } from "@/lib/k8s/types";
import { sealCredentials } from "./credentials";
import { detectReconciler, forbiddenReason, healthSettings, nextCheckDelay, replaceFluxObjects } from "@/lib/observe/inventory";
import { isUniqueViolation } from "@/db/errors";

export type ConnectionCheck = { ok: true; probe: ClusterProbe } | { ok: false; kind: string; message: string };

/** Reads the version (and what runs there) before anything is saved; failures say why. */
export async function checkConnection(credentials: ClusterCredentials, timeoutMs = healthSettings().timeoutMs): Promise<ConnectionCheck> {
  try {
    const probe = await probeCluster(createClusterClient(credentials, { timeoutMs }));
    return { ok: true, probe };
  } catch (error) {
    return { ok: false, ...classifyError(error) };
  }
}

export class DuplicateClusterNameError extends Error {
  constructor(name: string) {
    super(`a cluster named "${name}" is already registered`);
  }
}

type NewCluster = {
  name: string;
  displayName: string;
  labels: Record<string, string>;
  authMethod: Cluster["authMethod"];
  credentials: ClusterCredentials;
  createdBy: string;
};

/** Stores the cluster with sealed credentials and, when a check ran, its first health row. */
export function insertCluster(input: NewCluster, check: ConnectionCheck | null): Cluster {
  const id = crypto.randomUUID();
  const now = new Date();
  const { sealed, fingerprint } = sealCredentials(id, input.credentials);
  const { intervalMs } = healthSettings();
  const db = getDb();
  try {
    return db.transaction((tx) => {
      const cluster = tx
        .insert(clusters)
        .values({
          id,
          name: input.name,
          displayName: input.displayName || input.name,
          labels: input.labels,
          server: input.credentials.server,
          authMethod: input.authMethod,
          credentials: sealed,
          credentialsFingerprint: fingerprint,
          credentialsRotatedAt: now,
          createdAt: now,
          updatedAt: now,
          createdBy: input.createdBy,
        })
        .returning()
        .get();
      const probe = check?.ok ? check.probe : null;
      const state = check === null ? "unknown" : probe ? "reachable" : "unreachable";
      const reason = check && !check.ok ? check.message : probe?.forbidden.length ? forbiddenReason(probe.forbidden) : null;
      tx.insert(clusterHealth)
        .values({
          clusterId: id,
          state,
          reasonKind: check && !check.ok ? check.kind : reason ? "forbidden" : null,
          reason,
          checkedAt: check ? now : null,
          lastSeenAt: probe ? now : null,
          latencyMs: probe?.latencyMs ?? null,
          kubernetesVersion: probe?.kubernetesVersion ?? null,
          nodeCount: probe?.nodeCount ?? null,
          fluxInstalled: probe?.flux.installed ?? null,
          fluxVersion: probe?.flux.version ?? null,
          fluxControllers: probe?.flux.controllers ?? [],
          argoInstalled: probe?.argo.installed ?? null,
          argoVersion: probe?.argo.version ?? null,
          argoControllers: probe?.argo.controllers ?? [],
          detectedReconciler: probe ? detectReconciler(probe) : null,
          fluxObjectCounts: probe?.fluxObjects ?? [],
          consecutiveFailures: probe || check === null ? 0 : 1,
          nextCheckAt: new Date(now.getTime() + (probe ? intervalMs : nextCheckDelay(1, intervalMs))),
        })
        .run();
      if (probe) replaceFluxObjects(tx, id, probe.fluxObjectList, now);
      tx.insert(clusterHealthEvents).values({ clusterId: id, at: now, state, reason, kubernetesVersion: probe?.kubernetesVersion ?? null }).run();
      return cluster;
    });
  } catch (e) {
    if (isUniqueViolation(e, "clusters", "name")) throw new DuplicateClusterNameError(input.name);
    throw e;
  }
}

export function updateClusterLabels(clusterId: string, labels: Record<string, string>) {
  getDb().update(clusters).set({ labels, updatedAt: new Date() }).where(eq(clusters.id, clusterId)).run();
}

export function replaceClusterCredentials(clusterId: string, authMethod: Cluster["authMethod"], credentials: ClusterCredentials) {
  const { sealed, fingerprint } = sealCredentials(clusterId, credentials);
  const now = new Date();
  getDb()
    .update(clusters)
    .set({ credentials: sealed, credentialsFingerprint: fingerprint, credentialsRotatedAt: now, authMethod, server: credentials.server, updatedAt: now })
    .where(eq(clusters.id, clusterId))
    .run();
  // Check the new credentials on the next sweep rather than waiting out a backoff.
  getDb().update(clusterHealth).set({ nextCheckAt: now, consecutiveFailures: 0 }).where(eq(clusterHealth.clusterId, clusterId)).run();
}

export function setReconcilerOverride(clusterId: string, reconciler: Cluster["reconcilerOverride"]) {
  getDb().update(clusters).set({ reconcilerOverride: reconciler, updatedAt: new Date() }).where(eq(clusters.id, clusterId)).run();
}

export function deleteClusterRow(clusterId: string) {
  getDb().delete(clusters).where(eq(clusters.id, clusterId)).run();
}

export function findCluster(clusterId: string): Cluster | undefined {
  return getDb().select().from(clusters).where(eq(clusters.id, clusterId)).get();
}
