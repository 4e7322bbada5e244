"use client";

import { useMemo, useState } from "react";
import { parseLabelsText } from "@/lib/inventory/cluster-input";
import { matchesSelector, type LabelSelector } from "@/lib/validation/label-selector";
import type { Draft, ExpressionDraft } from "./draft";
import { SectionError, TextInput } from "./fields";
import { plural } from "@/lib/words";

export type FleetCluster = { id: string; name: string; labels: Record<string, string>; reconciler: string | null };

type StepProps = { draft: Draft; update: (d: Draft) => void; errors: Record<string, string>; fleet: FleetCluster[]; lockedClusterId?: string };

/** The selector as typed, or null when it is empty or does not parse yet. */
function draftSelector(t: Draft["targets"]): LabelSelector | null {
  const labels = parseLabelsText(t.matchLabels);
  if (!labels.ok) return null;
  const expressions = t.expressions.filter((e) => e.key.trim());
  if (Object.keys(labels.labels).length === 0 && expressions.length === 0) return null;
  return {
    matchLabels: labels.labels,
    matchExpressions: expressions.map((e) => ({ key: e.key.trim(), operator: e.operator, values: e.values.split(",").map((v) => v.trim()).filter(Boolean) })),
  };
}

/** Which clusters the draft targets right now: explicit ones plus the selector's matches. */
export function matchedClusters(t: Draft["targets"], fleet: FleetCluster[]): { cluster: FleetCluster; reason: string }[] {
  const selector = draftSelector(t);
  return fleet
    .map((cluster) => ({ cluster, explicit: t.clusterIds.includes(cluster.id), selected: selector ? matchesSelector(cluster.labels, selector) : false }))
    .filter((m) => m.explicit || m.selected)
    .map((m) => ({ cluster: m.cluster, reason: m.explicit ? (m.selected ? "picked + selector" : "picked") : "selector" }));
}

export function TargetsStep({ draft, update, errors, fleet, lockedClusterId }: StepProps) {
  const [search, setSearch] = useState("");
  const t = draft.targets;
  const set = (patch: Partial<Draft["targets"]>) => update({ ...draft, targets: { ...t, ...patch } });
  const setExpression = (index: number, patch: Partial<ExpressionDraft>) => set({ expressions: t.expressions.map((e, i) => (i === index ? { ...e, ...patch } : e)) });
  const matched = useMemo(() => matchedClusters(t, fleet), [t, fleet]);
  const visible = fleet.filter((c) => c.name.includes(search.trim().toLowerCase())).slice(0, 200);

  if (lockedClusterId) {
    const cluster = fleet.find((c) => c.id === lockedClusterId);
    return <p className="text-sm">This configuration targets only <strong>{cluster?.name ?? "this cluster"}</strong>.</p>;
  }
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <div className="space-y-4">
        <SectionError errors={errors} path="targets" />
        <fieldset className="space-y-2">
          <legend className="text-sm font-semibold">Pick clusters</legend>
          <label htmlFor="cluster-search" className="sr-only">Search clusters</label>
          <input id="cluster-search" className="input" placeholder="Search clusters" value={search} onChange={(e) => setSearch(e.target.value)} />
          <ul className="max-h-56 space-y-1 overflow-auto rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
            {visible.map((c) => (
              <li key={c.id}>
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={t.clusterIds.includes(c.id)}
                    onChange={(e) => set({ clusterIds: e.target.checked ? [...t.clusterIds, c.id] : t.clusterIds.filter((id) => id !== c.id) })}
                  />
                  <span className="font-mono">{c.name}</span>
                  <span className="text-xs text-zinc-500">{Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(", ")}</span>
                </label>
              </li>
            ))}
            {visible.length === 0 ? <li className="text-sm text-zinc-500">No clusters match the search.</li> : null}
          </ul>
          <SectionError errors={errors} path="targets.clusterIds" />
        </fieldset>
        <fieldset className="space-y-3">
          <legend className="text-sm font-semibold">Or a label selector</legend>
          <TextInput path="targets.selector.matchLabels" label="Match labels" value={t.matchLabels} onChange={(matchLabels) => set({ matchLabels })} errors={errors} mono placeholder="env=prod, region=eu-west" hint="Clusters registered or relabelled later follow the selector automatically." />
          <SectionError errors={errors} path="targets.selector" />
          {t.expressions.map((e, i) => (
            <div key={i} className="grid grid-cols-[1fr_9rem_1fr_auto] items-end gap-2">
              <TextInput path={`targets.selector.matchExpressions.${i}.key`} label="Key" value={e.key} onChange={(key) => setExpression(i, { key })} errors={errors} mono />
              <div>
                <label htmlFor={`op-${i}`} className="block text-sm font-medium">Operator</label>
                <select id={`op-${i}`} className="input" value={e.operator} onChange={(ev) => setExpression(i, { operator: ev.target.value as ExpressionDraft["operator"] })}>
                  {["In", "NotIn", "Exists", "DoesNotExist"].map((op) => (
                    <option key={op} value={op}>{op}</option>
                  ))}
                </select>
              </div>
              <TextInput path={`targets.selector.matchExpressions.${i}.values`} label="Values" value={e.values} onChange={(values) => setExpression(i, { values })} errors={errors} mono placeholder="a, b" />
              <button type="button" className="btn-secondary" onClick={() => set({ expressions: t.expressions.filter((_, j) => j !== i) })} aria-label={`Remove expression ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" className="btn-secondary" onClick={() => set({ expressions: [...t.expressions, { key: "", operator: "In", values: "" }] })}>
            Add expression
          </button>
        </fieldset>
      </div>
      <section aria-labelledby="matched" className="card p-4">
        <h3 id="matched" className="mb-2 font-semibold">Targets right now: {plural(matched.length, "cluster")}</h3>
        <ul className="max-h-96 space-y-1 overflow-auto text-sm" aria-label="Matched clusters">
          {matched.map(({ cluster, reason }) => (
            <li key={cluster.id} className="flex items-center justify-between gap-2">
              <span className="font-mono">{cluster.name}</span>
              <span className="text-xs text-zinc-500">{reason} · {cluster.reconciler ?? "no reconciler"}</span>
            </li>
          ))}
          {matched.length === 0 ? <li className="text-zinc-500">No cluster matches yet.</li> : null}
        </ul>
      </section>
    </div>
  );
}
