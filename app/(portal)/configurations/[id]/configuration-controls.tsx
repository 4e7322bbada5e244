"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { TypedDeleteForm } from "@/components/ui/typed-delete-form";
import { deleteConfigurationAction, pushConfigurationAction, rollbackConfigurationAction } from "../actions";

type RolloutStart = { status: "ok"; rolloutId?: string } | { status: "error"; message: string };

/** A button that starts a push of some kind and then shows its progress on the configuration page. */
function RolloutButton({ configurationId, start, label, pendingLabel, className }: { configurationId: string; start: () => Promise<RolloutStart>; label: string; pendingLabel: string; className: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className={className}
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await start();
            if (result.status === "ok") router.push(`/configurations/${configurationId}${result.rolloutId ? `?rollout=${result.rolloutId}` : ""}`);
            else setError(result.message);
          })
        }
      >
        {pending ? pendingLabel : label}
      </button>
      {error ? <span role="alert" className="text-sm text-red-700">{error}</span> : null}
    </span>
  );
}

export function PushButton({ configurationId, version }: { configurationId: string; version: number }) {
  return <RolloutButton configurationId={configurationId} start={() => pushConfigurationAction(configurationId)} label={`Push v${version}`} pendingLabel="Starting…" className="btn-primary" />;
}

/** The confirmation names the number of clusters the rollback pushes to; the action checks it again. */
export function RollbackButton({ configurationId, version, targets }: { configurationId: string; version: number; targets: number }) {
  return (
    <RolloutButton
      configurationId={configurationId}
      start={() => rollbackConfigurationAction(configurationId, version, targets)}
      label={`Roll back ${targets === 1 ? "1 cluster" : `${targets} clusters`} to v${version}`}
      pendingLabel="Rolling back…"
      className="btn-primary"
    />
  );
}

/** One click to re-push the current version to a drifted cluster. */
export function RepushButton({ configurationId, clusterId, clusterName }: { configurationId: string; clusterId: string; clusterName: string }) {
  return (
    <RolloutButton
      configurationId={configurationId}
      start={() => pushConfigurationAction(configurationId, [clusterId])}
      label={`Re-push to ${clusterName}`}
      pendingLabel="Re-pushing…"
      className="btn-primary"
    />
  );
}

export function DeleteConfigurationForm({ configurationId, name }: { configurationId: string; name: string }) {
  return (
    <TypedDeleteForm
      action={deleteConfigurationAction}
      hidden={{ configurationId }}
      name={name}
      legend="Objects on the clusters"
      choices={[
        { value: "remove", label: "Remove them from every cluster" },
        { value: "orphan", label: "Leave them running, unmanaged" },
      ]}
      button="Delete configuration"
    />
  );
}
