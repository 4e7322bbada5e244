import "server-only";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { fingerprint } from "@/lib/crypto";
import { checkCredentials } from "@/lib/k8s/credentials";
import type { ClusterCredentials } from "@/lib/k8s/types";
import { log } from "@/lib/log";
import { insertCluster, replaceClusterCredentials } from "./registry";

// In-cluster mode (FLEETLINE_IN_CLUSTER=true): the cluster Fleetline runs in is registered through
// the pod's ServiceAccount, with the RBAC in deploy/base/rbac.yaml. The kubelet rotates the
// projected token (it is valid for an hour and replaced well before), so the stored credentials
// are compared with the mounted ones on a timer and replaced when they differ; the client cache
// keys on the credentials' fingerprint and so picks the new token up by itself.

/** Where the kubelet mounts a pod's ServiceAccount token and the cluster's CA. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** Who registered the row: an in-cluster sync replaces only its own row's credentials. */
export const IN_CLUSTER_AUTHOR = "in-cluster";
const RESYNC_MS = 60_000;

export type InClusterSource = {
  /** Holds `token` and `ca.crt` (SERVICE_ACCOUNT_DIR in a pod). */
  dir: string;
  /** The API server's address as the pod sees it (see serverFromEnvironment). */
  server: string;
};

export type InClusterSync =
  | { status: "registered" | "updated" | "unchanged"; clusterId: string }
  | { status: "refused"; message: string };

/** https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT, the address every pod is given. */
export function serverFromEnvironment(environment: Record<string, string | undefined>): string | null {
  const host = environment.KUBERNETES_SERVICE_HOST?.trim();
  const port = environment.KUBERNETES_SERVICE_PORT?.trim() || "443";
  if (!host) return null;
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The mounted token and CA as credentials, validated like any registration's. */
export function readServiceAccount(source: InClusterSource): { ok: true; credentials: ClusterCredentials } | { ok: false; message: string } {
  let token: string;
  let caData: string;
  try {
    token = fs.readFileSync(path.join(source.dir, "token"), "utf8").trim();
    caData = fs.readFileSync(path.join(source.dir, "ca.crt"), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    return { ok: false, message: `cannot read the ServiceAccount token and CA in ${source.dir} (${code}): is automountServiceAccountToken off?` };
  }
  const checked = checkCredentials({ server: source.server, token, caData });
  if (!checked.ok) return { ok: false, message: `the in-cluster ${checked.field} ${checked.reason}` };
  return { ok: true, credentials: checked.credentials };
}

/**
 * Registers the cluster Fleetline runs in under `name`, or brings its stored credentials up to
 * date. A cluster of that name that someone registered by hand is left alone (refused): the
 * setting must not take over a registration it did not make.
 */
export function syncInClusterCluster(name: string, source: InClusterSource): InClusterSync {
  const read = readServiceAccount(source);
  if (!read.ok) return { status: "refused", message: read.message };
  const existing = getDb().select({ id: clusters.id, createdBy: clusters.createdBy, credentialsFingerprint: clusters.credentialsFingerprint }).from(clusters).where(eq(clusters.name, name)).get();
  const actor = { id: null, email: "system", role: null };
  if (!existing) {
    const cluster = insertCluster({ name, displayName: name, labels: { "fleetline.io/in-cluster": "true" }, authMethod: "token", credentials: read.credentials, createdBy: IN_CLUSTER_AUTHOR }, null);
    recordAudit({ actor, action: "cluster.register", targetType: "cluster", targetId: cluster.id, outcome: "success", details: { name, source: "FLEETLINE_IN_CLUSTER", server: source.server } });
    return { status: "registered", clusterId: cluster.id };
  }
  if (existing.createdBy !== IN_CLUSTER_AUTHOR) {
    return { status: "refused", message: `a cluster named ${name} was registered by ${existing.createdBy}, not by in-cluster mode: set FLEETLINE_IN_CLUSTER_NAME to another name` };
  }
  if (fingerprint(JSON.stringify(read.credentials)) === existing.credentialsFingerprint) return { status: "unchanged", clusterId: existing.id };
  replaceClusterCredentials(existing.id, "token", read.credentials);
  return { status: "updated", clusterId: existing.id };
}

let timer: NodeJS.Timeout | undefined;

/** At boot (FLEETLINE_IN_CLUSTER=true): sync now, then every minute. */
export function startInClusterSync(name: string, environment: Record<string, string | undefined> = process.env): void {
  const server = serverFromEnvironment(environment);
  if (!server) {
    log.error("FLEETLINE_IN_CLUSTER is set but KUBERNETES_SERVICE_HOST is not: Fleetline is not running in a pod", {});
    return;
  }
  let last = "";
  const sync = () => {
    const result = syncInClusterCluster(name, { dir: SERVICE_ACCOUNT_DIR, server });
    const said = result.status === "refused" ? result.message : result.status;
    // Only changes are logged: an unchanged token every minute is not news.
    if (result.status === "refused" && said !== last) log.error("in-cluster registration refused", { name, reason: result.message });
    else if (result.status === "registered" || result.status === "updated") log.info(`in-cluster cluster ${result.status}`, { name });
    last = said;
  };
  sync();
  timer ??= setInterval(sync, RESYNC_MS);
  timer.unref();
}
