import type { RegisterResult } from "@/app/(portal)/clusters/actions";
import { plural } from "@/lib/words";

/** What the connection check found, or why it failed, with the way out for an unreachable cluster. */
export function ConnectionResult({ state, onSaveAnyway, pending }: { state: RegisterResult; onSaveAnyway?: () => void; pending: boolean }) {
  if (state.status === "checked") {
    const s = state.summary;
    return (
      <div role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
        <p className="font-medium">Connected: Kubernetes {s.kubernetesVersion} in {s.latencyMs} ms.</p>
        <p>
          {s.fluxInstalled ? `Flux installed${s.fluxVersion ? ` (${s.fluxVersion})` : ""}` : "Flux not installed"}
          {s.argoInstalled ? ` · Argo CD installed${s.argoVersion ? ` (${s.argoVersion})` : ""}` : ""}
          {s.nodeCount !== null ? ` · ${plural(s.nodeCount, "node")}` : " · nodes not readable with these credentials"}
        </p>
      </div>
    );
  }
  if (state.status === "unreachable") {
    return (
      <div role="alert" className="space-y-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
        <p className="font-medium">Connection failed ({state.kind}): {state.message}</p>
        {onSaveAnyway ? (
          <button type="button" className="btn-secondary" onClick={onSaveAnyway} disabled={pending}>
            Save anyway as unreachable
          </button>
        ) : null}
      </div>
    );
  }
  if (state.status === "invalid" && state.message) {
    return (
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
        {state.message}
      </p>
    );
  }
  return null;
}
