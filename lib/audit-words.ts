// Pure: an audit entry in words. The log stores ids and machine details (complete, for the
// export); the page shows names and one readable sentence per entry, details on demand.

export type AuditNames = { clusters: ReadonlyMap<string, string>; configurations: ReadonlyMap<string, string> };

export type AuditEntry = { action: string; targetType: string; targetId: string | null; outcome: string; details: string };

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

function parse(details: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(details);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : typeof v === "number" ? String(v) : undefined);
const count = (n: unknown, noun: string) => (typeof n === "number" ? `${n} ${noun}${n === 1 ? "" : "s"}` : `${noun}s`);

/** A cluster or configuration id as its name, when it is known. */
export function nameOf(id: string | null | undefined, names: AuditNames): string | undefined {
  if (!id) return undefined;
  return names.clusters.get(id) ?? names.configurations.get(id);
}

/** The entry's target as a person reads it: a name for a known cluster or configuration. */
export function auditTargetName(entry: Pick<AuditEntry, "targetId">, names: AuditNames): string {
  return nameOf(entry.targetId, names) ?? entry.targetId ?? "";
}

/** The details, pretty-printed, every known id followed by its name. */
export function readableDetails(details: string, names: AuditNames): string {
  const parsed = parse(details);
  const text = Object.keys(parsed).length ? JSON.stringify(parsed, null, 2) : details === "{}" ? "" : details;
  return text.replace(UUID, (id) => {
    const name = nameOf(id, names);
    return name ? `${name} (${id})` : id;
  });
}

const REASONS: Record<string, string> = { success: "", denied: " (refused: no permission)", invalid: " (refused: invalid input)", failed: " (failed)" };

/** One sentence per entry: "Pushed v3 of podinfo: 2 applied, 1 failed", "Reconcile on prod-1 (with the source)". */
export function auditSummary(entry: AuditEntry, names: AuditNames): string {
  const d = parse(entry.details);
  const target = auditTargetName(entry, names);
  const cluster = nameOf(str(d.clusterId), names) ?? str(d.clusterId);
  const onWhere = cluster === "all" || cluster === undefined ? "on every target" : `on ${cluster}`;
  const outcome = REASONS[entry.outcome] ?? ` (${entry.outcome})`;
  switch (entry.action) {
    case "configuration.push":
      if (typeof d.applied === "number") {
        return `Pushed v${str(d.version) ?? "?"} of ${str(d.configuration) ?? target} to ${count(d.clusters, "cluster")}: ${d.applied} applied${d.removed ? `, ${String(d.removed)} removed` : ""}${d.failed ? `, ${String(d.failed)} failed` : ""}${d.interrupted ? `, ${String(d.interrupted)} interrupted` : ""}`;
      }
      return `Push of ${target}${outcome}`;
    case "configuration.reconcile":
      return `Asked ${cluster ?? "the cluster"} to ${str(d.verb) ?? "reconcile"} ${target}${d.withSource ? " (with the source)" : ""}${outcome}`;
    case "configuration.suspend":
    case "configuration.resume":
      return `${entry.action.endsWith("suspend") ? "Suspended" : "Resumed"} ${target} ${onWhere}${outcome}`;
    case "configuration.rollback":
      return `Rolled ${target} back to v${str(d.to) ?? "?"}${d.newVersion ? ` (saved as v${String(d.newVersion)})` : ""}${outcome}`;
    case "configuration.create":
    case "configuration.update":
      return `${entry.action.endsWith("create") ? "Created" : "Saved"} ${target}${d.version ? ` v${String(d.version)}` : ""}${outcome}`;
    case "configuration.overrides":
      return `Changed the per-cluster overrides of ${target}${d.version ? ` (saved as v${String(d.version)}, ${String(d.overrides)} overrides)` : ""}${outcome}`;
    case "configuration.delete":
      return `Deleted ${target}${outcome}`;
    case "cluster.register":
      return `Registered cluster ${target}${d.reachable === false ? " (unreachable)" : ""}${outcome}`;
    case "cluster.set-reconciler":
      return `Set the reconciler of ${target} to ${d.reconciler === "argocd" ? "Argo CD" : d.reconciler === "flux" ? "Flux" : "automatic detection"}${outcome}`;
    case "cluster.update-labels":
      return `Changed the labels of ${target}${outcome}`;
    case "cluster.delete":
      return `Deleted cluster ${target}${outcome}`;
    case "auth.login":
      return `Signed in${outcome}`;
    case "token.create":
      return `Created API token ${target}${str(d.role) ? ` (${str(d.role)})` : ""}${outcome}`;
    case "token.revoke":
      return `Revoked API token ${target}${outcome}`;
    case "waiver.request":
    case "waiver.approve":
    case "waiver.reject":
    case "waiver.withdraw":
    case "waiver.expire": {
      const verb = { "waiver.request": "Asked to accept the risk of", "waiver.approve": "Approved the risk acceptance of", "waiver.reject": "Rejected the risk acceptance of", "waiver.withdraw": "Withdrew the risk acceptance of", "waiver.expire": "The risk acceptance expired for" }[entry.action];
      const scope = str(d.policy) ?? "a policy";
      const until = str(d.holdsThrough) ? ` until ${str(d.holdsThrough)} (inclusive)` : "";
      return `${verb} ${scope}${str(d.selector) ? ` on ${str(d.selector)}` : ""}${entry.action === "waiver.request" ? until : ""}${outcome}`;
    }
    default:
      if (entry.action.startsWith("api.")) return `API: ${entry.action.slice(4)}${str(d.via) ? ` with ${str(d.via)}` : ""}${outcome}`;
      return `${entry.action.replace(/[.-]/g, " ")} ${target}`.trim() + outcome;
  }
}
