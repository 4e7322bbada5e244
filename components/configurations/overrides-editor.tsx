"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { OverridesResult } from "@/app/(portal)/configurations/actions";
import { parseLabelsText } from "@/lib/inventory/cluster-input";
import type { OverrideSpec } from "@/lib/validation/configuration-overrides";
import { fieldLabel, fieldMessage } from "@/lib/validation/field-labels";
import { parseSubstitutions } from "./draft";

type FleetCluster = { id: string; name: string };
type OverrideDraft = {
  key: number;
  mode: "selector" | "cluster";
  labels: string;
  /** Expressions of a stored selector: kept as they are (this form edits match labels). */
  expressions: NonNullable<OverrideSpec["selector"]>["matchExpressions"];
  clusterId: string;
  substitute: string;
  helmValues: Record<string, string>;
};

let nextKey = 1;

function toDraft(override: OverrideSpec): OverrideDraft {
  return {
    key: nextKey++,
    mode: override.clusterId !== undefined ? "cluster" : "selector",
    labels: Object.entries(override.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(", "),
    expressions: override.selector?.matchExpressions,
    clusterId: override.clusterId ?? "",
    substitute: Object.entries(override.substitute).map(([k, v]) => `${k}=${v}`).join("\n"),
    helmValues: { ...override.helmValues },
  };
}

function toInput(draft: OverrideDraft): unknown {
  const helmValues = Object.fromEntries(Object.entries(draft.helmValues).filter(([, text]) => text.trim() !== ""));
  const substitute = parseSubstitutions(draft.substitute);
  if (draft.mode === "cluster") return { clusterId: draft.clusterId, substitute, helmValues };
  const parsed = parseLabelsText(draft.labels);
  // An unparsable label list is passed as an impossible key so the schema names the field.
  const matchLabels = parsed.ok ? parsed.labels : { [draft.labels]: "" };
  return { selector: { matchLabels, ...(draft.expressions?.length ? { matchExpressions: draft.expressions } : {}) }, substitute, helmValues };
}

type Props = {
  configurationId: string;
  overrides: OverrideSpec[];
  fleet: FleetCluster[];
  helmReleases: string[];
  canWrite: boolean;
  save: (configurationId: string, overrides: unknown, message?: string) => Promise<OverridesResult>;
};

/** The configuration's Overrides tab: the ordered list, applied top to bottom (cluster-specific ones last). */
export function OverridesEditor({ configurationId, overrides, fleet, helmReleases, canWrite, save }: Props) {
  const router = useRouter();
  const [drafts, setDrafts] = useState<OverrideDraft[]>(() => overrides.map(toDraft));
  const [message, setMessage] = useState("");
  const [result, setResult] = useState<OverridesResult | null>(null);
  const [pending, startTransition] = useTransition();
  const errors = result?.status === "invalid" ? result.fieldErrors : {};
  const update = (key: number, change: Partial<OverrideDraft>) => setDrafts((all) => all.map((d) => (d.key === key ? { ...d, ...change } : d)));
  const move = (index: number, by: number) =>
    setDrafts((all) => {
      const next = [...all];
      const [item] = next.splice(index, 1);
      if (item) next.splice(index + by, 0, item);
      return next;
    });
  const onSave = () =>
    startTransition(async () => {
      const saved = await save(configurationId, drafts.map(toInput), message);
      setResult(saved);
      if (saved.status === "ok") router.refresh();
    });
  const errorsFor = (index: number) => Object.entries(errors).filter(([path]) => path === `overrides.${index}` || path.startsWith(`overrides.${index}.`));
  const otherErrors = Object.entries(errors).filter(([path]) => !/^overrides\.\d+(\.|$)/.test(path));
  return (
    <section className="space-y-4" aria-labelledby="overrides-heading">
      <div>
        <h2 id="overrides-heading" className="font-semibold">Per-cluster overrides</h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Applied in order to every target they match: label-selector overrides top to bottom, then single-cluster overrides top to bottom; a later one wins.
          Substitutions are added to (or replace) every Kustomization&apos;s; Helm values are deep-merged (a null removes a key). Values may use
          {" "}<code>${"{cluster_name}"}</code>, <code>${"{cluster_reconciler}"}</code> and <code>${"{cluster_label_<key>}"}</code>. Saving makes a new version; push it to apply.
        </p>
      </div>
      {result?.status === "error" ? <p role="alert" className="text-red-700">{result.message}</p> : null}
      {result?.status === "invalid" ? (
        <div role="alert" className="text-sm text-red-800 dark:text-red-300">
          <p className="font-medium">{result.message}</p>
          <ul className="list-disc pl-5">
            {otherErrors.map(([path, text]) => <li key={path}>{fieldMessage(fieldLabel(path), text)}</li>)}
          </ul>
        </div>
      ) : null}
      {result?.status === "ok" ? (
        <div role="status" className="text-sm text-green-800 dark:text-green-300">
          <p>Saved as v{result.version}.</p>
          {Object.entries(result.warnings).map(([path, text]) => <p key={path} className="text-amber-800 dark:text-amber-200">{fieldMessage(fieldLabel(path), text)}</p>)}
        </div>
      ) : null}
      {drafts.length === 0 ? <p className="text-sm text-zinc-600">No overrides: every target gets the configuration&apos;s own values.</p> : null}
      <ol className="space-y-3">
        {drafts.map((draft, index) => (
          <li key={draft.key} className="card space-y-2 p-3" aria-label={`Override ${index + 1}`}>
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">Override {index + 1}</span>
              <label className="flex items-center gap-1 text-sm">
                <span>Applies to</span>
                <select className="input w-auto" disabled={!canWrite} value={draft.mode} onChange={(e) => update(draft.key, { mode: e.target.value === "cluster" ? "cluster" : "selector" })}>
                  <option value="selector">clusters matching labels</option>
                  <option value="cluster">one cluster</option>
                </select>
              </label>
              {canWrite ? (
                <span className="ml-auto flex gap-1 text-sm">
                  <button type="button" className="btn-secondary" disabled={index === 0} onClick={() => move(index, -1)}>Move up</button>
                  <button type="button" className="btn-secondary" disabled={index === drafts.length - 1} onClick={() => move(index, 1)}>Move down</button>
                  <button type="button" className="btn-secondary" onClick={() => setDrafts((all) => all.filter((d) => d.key !== draft.key))}>Remove</button>
                </span>
              ) : null}
            </div>
            {draft.mode === "selector" ? (
              <label className="block text-sm">
                <span>Match labels (key=value, comma-separated)</span>
                <input className="input font-mono" disabled={!canWrite} value={draft.labels} onChange={(e) => update(draft.key, { labels: e.target.value })} />
              </label>
            ) : (
              <label className="block text-sm">
                <span>Cluster</span>
                <select className="input" disabled={!canWrite} value={draft.clusterId} onChange={(e) => update(draft.key, { clusterId: e.target.value })}>
                  <option value="">Choose a cluster…</option>
                  {fleet.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                </select>
              </label>
            )}
            <label className="block text-sm">
              <span>Substitutions (KEY=value, one per line)</span>
              <textarea className="input font-mono" rows={3} disabled={!canWrite} value={draft.substitute} onChange={(e) => update(draft.key, { substitute: e.target.value })} />
            </label>
            {helmReleases.map((release) => (
              <label key={release} className="block text-sm">
                <span>Helm values for {release} (YAML, deep-merged)</span>
                <textarea
                  className="input font-mono"
                  rows={3}
                  disabled={!canWrite}
                  value={draft.helmValues[release] ?? ""}
                  onChange={(e) => update(draft.key, { helmValues: { ...draft.helmValues, [release]: e.target.value } })}
                />
              </label>
            ))}
            {errorsFor(index).length > 0 ? (
              <ul role="alert" className="list-disc pl-5 text-sm text-red-800 dark:text-red-300">
                {errorsFor(index).map(([path, text]) => <li key={path}>{fieldMessage(fieldLabel(path), text)}</li>)}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      {canWrite ? (
        <div className="space-y-2">
          <button
            type="button"
            className="btn-secondary"
            onClick={() => setDrafts((all) => [...all, { key: nextKey++, mode: "selector", labels: "", expressions: undefined, clusterId: "", substitute: "", helmValues: {} }])}
          >
            Add override
          </button>
          <label className="block text-sm">
            <span>Change message (optional)</span>
            <input className="input" value={message} onChange={(e) => setMessage(e.target.value)} />
          </label>
          <button type="button" className="btn-primary" disabled={pending} onClick={onSave}>{pending ? "Saving…" : "Save overrides"}</button>
        </div>
      ) : null}
    </section>
  );
}
