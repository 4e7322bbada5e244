import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters, type Cluster } from "@/db/schema";
import { decrypt, encrypt, fingerprint, FINGERPRINT_PREFIX, openOrSkip } from "@/lib/crypto";
import { checkCredentials } from "@/lib/k8s/credentials";
import { extractCredentials, parseKubeconfig } from "@/lib/k8s/kubeconfig";
import type { ClusterCredentials } from "@/lib/k8s/types";
import type { CredentialsInput } from "./cluster-input";

export type ResolvedCredentials =
  | { ok: true; credentials: ClusterCredentials; contexts: string[] }
  | { ok: false; field: string; message: string; contexts?: string[] };

/**
 * Turns form input into validated credentials, before any client exists. Errors name the form
 * field (and, for a kubeconfig, the path inside it) and never carry a secret value.
 */
export function resolveCredentials(input: CredentialsInput): ResolvedCredentials {
  if (input.credentialMode === "kubeconfig") {
    const parsed = parseKubeconfig(input.kubeconfig);
    if (!parsed.ok) return { ok: false, field: "kubeconfig", message: parsed.message };
    const contexts = parsed.contexts.map((c) => c.name);
    if (!input.context && !parsed.currentContext && contexts.length > 1) {
      return { ok: false, field: "context", message: "choose one of the kubeconfig's contexts", contexts };
    }
    const extracted = extractCredentials(input.kubeconfig, input.context ?? parsed.currentContext ?? contexts[0]);
    if (!extracted.ok) {
      const field = extracted.field === "context" ? "context" : "kubeconfig";
      return { ok: false, field, message: extracted.message, contexts };
    }
    const checked = checkCredentials(extracted.credentials);
    if (!checked.ok) return { ok: false, field: "kubeconfig", message: `${checked.field} ${checked.reason}`, contexts };
    return { ok: true, credentials: checked.credentials, contexts };
  }
  const checked = checkCredentials({ server: input.server, token: input.token, caData: input.caData });
  if (!checked.ok) return { ok: false, field: checked.field, message: checked.reason };
  return { ok: true, credentials: checked.credentials, contexts: [] };
}

const context = (clusterId: string) => `cluster:${clusterId}:credentials`;

export function sealCredentials(clusterId: string, credentials: ClusterCredentials) {
  const json = JSON.stringify(credentials);
  return { sealed: encrypt(json, context(clusterId)), fingerprint: fingerprint(json) };
}

export function openCredentials(cluster: Pick<Cluster, "id" | "credentials">): ClusterCredentials {
  return JSON.parse(decrypt(cluster.credentials, context(cluster.id))) as ClusterCredentials;
}

/** Replaces cluster credential fingerprints stored before they were keyed (see lib/crypto fingerprint). Runs at boot. */
export function recomputeClusterFingerprints(): number {
  const db = getDb();
  let changed = 0;
  for (const cluster of db.select({ id: clusters.id, credentials: clusters.credentials, credentialsFingerprint: clusters.credentialsFingerprint }).from(clusters).all()) {
    if (cluster.credentialsFingerprint.startsWith(FINGERPRINT_PREFIX)) continue;
    const opened = openOrSkip(() => JSON.stringify(openCredentials(cluster)), "cluster", cluster.id);
    if (opened === undefined) continue;
    const next = fingerprint(opened);
    db.update(clusters).set({ credentialsFingerprint: next }).where(eq(clusters.id, cluster.id)).run();
    changed++;
  }
  return changed;
}
