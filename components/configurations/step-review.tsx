"use client";

import { useState } from "react";
import { Badge, ReconcilerBadge } from "@/components/ui/badges";
import type { PreviewResult } from "@/app/(portal)/configurations/actions";
import type { DryRunAction } from "@/lib/push/dry-run";
import { fieldLabel, fieldMessage } from "@/lib/validation/field-labels";

const ACTION_BADGE: Record<DryRunAction, { tone: "green" | "amber" | "red" | "grey" | "blue"; icon: string; label: string }> = {
  create: { tone: "blue", icon: "+", label: "would create" },
  change: { tone: "amber", icon: "~", label: "would change" },
  unchanged: { tone: "grey", icon: "=", label: "unchanged" },
  delete: { tone: "amber", icon: "−", label: "would delete" },
  conflict: { tone: "red", icon: "!", label: "conflict" },
  invalid: { tone: "red", icon: "✕", label: "invalid" },
  error: { tone: "red", icon: "✕", label: "error" },
};

export function ReviewStep({ preview, pending }: { preview: PreviewResult | null; pending: boolean }) {
  if (pending && !preview) return <p role="status">Rendering and dry-running against the target clusters…</p>;
  if (!preview) return null;
  if (preview.status === "error") return <p role="alert" className="text-red-700">{preview.message}</p>;
  if (preview.status === "invalid") {
    return (
      <div role="alert" className="space-y-1 text-sm text-red-800 dark:text-red-300">
        <p className="font-medium">{preview.message}</p>
        <ul className="list-disc pl-5">
          {Object.entries(preview.fieldErrors).map(([path, message]) => (
            <li key={path}>{fieldMessage(fieldLabel(path), message)}</li>
          ))}
        </ul>
      </div>
    );
  }
  // Flux objects matter when no target is known yet or some target does not run Argo CD.
  const showFlux = preview.clusters.length === 0 || preview.clusters.some((c) => c.reconciler !== "argocd");
  return (
    <div className="space-y-4">
      {Object.entries(preview.warnings).map(([path, message]) => (
        <p key={path} role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {fieldMessage(fieldLabel(path), message)}
        </p>
      ))}
      <section aria-labelledby="dry-run">
        <h3 id="dry-run" className="mb-2 font-semibold">
          Server-side dry run ({preview.clusters.length} of {preview.targetCount} target cluster{preview.targetCount === 1 ? "" : "s"})
        </h3>
        {preview.clusters.length === 0 ? <p className="text-sm text-zinc-600">No cluster matches the targets yet; the configuration will be saved and pushed when one does.</p> : null}
        <div className="space-y-3">
          {preview.clusters.map((c) => (
            <div key={c.clusterId} className="card p-3">
              <p className="mb-1 flex flex-wrap items-center gap-2">
                <span className="font-mono text-sm font-medium">{c.clusterName}</span>
                <ReconcilerBadge reconciler={c.reconciler} />
              </p>
              {c.status === "failed" ? <p role="alert" className="text-sm text-red-700">{c.error}</p> : null}
              <ul className="space-y-1 text-sm">
                {c.objects.map((o) => {
                  const b = ACTION_BADGE[o.action];
                  return (
                    <li key={o.object} className="flex flex-wrap items-center gap-2">
                      <Badge tone={b.tone} icon={b.icon}>{b.label}</Badge>
                      <span className="font-mono text-xs">{o.object}</span>
                      {o.changedFields?.length ? <span className="text-xs text-zinc-500">{o.changedFields.join(", ")}</span> : null}
                      {o.message ? <span className="text-xs text-red-700 dark:text-red-300">{o.message}</span> : null}
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </div>
      </section>
      {preview.unsupported ? (
        <section aria-labelledby="unsupported">
          <h3 id="unsupported" className="mb-1 font-semibold">Not carried over to Argo CD targets</h3>
          <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">These fields have no Argo CD equivalent: Argo CD clusters do not get them.</p>
          <ul className="card space-y-1 p-3 text-sm" data-testid="unsupported-fields">
            {preview.unsupported.map((field) => (
              <li key={field.path}><span className="font-mono">{field.path}</span>: {field.reason}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {preview.renders.length > 0 ? <PerClusterRenders preview={preview} /> : null}
      {showFlux ? (
        <section aria-labelledby="yaml">
          <h3 id="yaml" className="mb-2 font-semibold">{preview.argoYaml ? "Flux YAML" : "YAML"} as written (cluster variables unresolved; Secret values masked)</h3>
          <pre tabIndex={0} className="card max-h-[28rem] overflow-auto p-3 font-mono text-xs" data-testid="rendered-yaml">{preview.yaml}</pre>
        </section>
      ) : null}
      {preview.argoYaml ? (
        <section aria-labelledby="argo-yaml">
          <h3 id="argo-yaml" className="mb-2 font-semibold">Argo CD Application YAML (Secret values masked)</h3>
          <pre tabIndex={0} className="card max-h-[28rem] overflow-auto p-3 font-mono text-xs" data-testid="argo-yaml">{preview.argoYaml}</pre>
        </section>
      ) : null}
    </div>
  );
}

type OkPreview = Extract<PreviewResult, { status: "ok" }>;

/** How many distinct renders the previewed targets get, and any one cluster's YAML (its own values applied). */
function PerClusterRenders({ preview }: { preview: OkPreview }) {
  const rendered = preview.clusters.filter((c) => c.render !== undefined);
  const [clusterId, setClusterId] = useState(rendered[0]?.clusterId ?? "");
  const chosen = rendered.find((c) => c.clusterId === clusterId) ?? rendered[0];
  const render = chosen?.render === undefined ? undefined : preview.renders[chosen.render];
  const count = preview.renders.length;
  return (
    <section aria-labelledby="per-cluster">
      <h3 id="per-cluster" className="mb-1 font-semibold">Per-cluster renders</h3>
      <p className="mb-2 text-sm" data-testid="distinct-renders">
        The {rendered.length} previewed cluster{rendered.length === 1 ? "" : "s"} get {count} distinct render{count === 1 ? "" : "s"}.
      </p>
      <label className="mb-2 flex items-center gap-2 text-sm">
        <span>Show the YAML for cluster</span>
        <select className="input w-auto" value={chosen?.clusterId ?? ""} onChange={(event) => setClusterId(event.target.value)}>
          {rendered.map((c) => (
            <option key={c.clusterId} value={c.clusterId}>
              {c.clusterName} (render {(c.render ?? 0) + 1})
            </option>
          ))}
        </select>
      </label>
      {render ? (
        <pre tabIndex={0} className="card max-h-[28rem] overflow-auto p-3 font-mono text-xs" data-testid="cluster-yaml">{render.yaml}</pre>
      ) : null}
    </section>
  );
}
