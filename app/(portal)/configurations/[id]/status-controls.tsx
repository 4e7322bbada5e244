"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { reconcileNowAction, setSuspendedAction, type VerbResult } from "../actions";

function useVerb() {
  const router = useRouter();
  const [result, setResult] = useState<VerbResult | null>(null);
  const [pending, startTransition] = useTransition();
  const run = (fn: () => Promise<VerbResult>) =>
    startTransition(async () => {
      setResult(await fn());
      router.refresh();
    });
  return { result, pending, run };
}

function Outcome({ result }: { result: VerbResult | null }) {
  if (!result) return null;
  return (
    <span role={result.status === "ok" ? "status" : "alert"} className={`text-xs ${result.status === "ok" ? "text-emerald-800 dark:text-emerald-300" : "text-red-700"}`}>
      {result.message}
    </span>
  );
}

/**
 * A row's verbs (shown in its Actions menu). Argo CD rows get Argo CD's: refresh (compare with Git
 * again) and sync now; Flux rows reconcile, with or without the source.
 */
export function ClusterVerbs({ configurationId, clusterId, clusterName, isArgo, isSuspended }: { configurationId: string; clusterId: string; clusterName: string; isArgo: boolean; isSuspended: boolean }) {
  const { result, pending, run } = useVerb();
  const [plain, withSource] = isArgo ? (["Refresh", "Sync now"] as const) : (["Reconcile now", "Reconcile with source"] as const);
  return (
    <div className="flex flex-col items-stretch gap-1">
      <button type="button" className="btn-secondary justify-start py-0.5 text-xs" disabled={pending} onClick={() => run(() => reconcileNowAction(configurationId, clusterId, false))}>
        {plain}<span className="sr-only"> on {clusterName}</span>
      </button>
      <button type="button" className="btn-secondary justify-start py-0.5 text-xs" disabled={pending} onClick={() => run(() => reconcileNowAction(configurationId, clusterId, true))}>
        {withSource}<span className="sr-only"> on {clusterName}</span>
      </button>
      <button type="button" className="btn-secondary justify-start py-0.5 text-xs" disabled={pending} onClick={() => run(() => setSuspendedAction(configurationId, !isSuspended, clusterId))}>
        {isSuspended ? "Resume" : "Suspend"}<span className="sr-only"> on {clusterName}</span>
      </button>
      <Outcome result={result} />
    </div>
  );
}

export function FleetVerbs({ configurationId }: { configurationId: string }) {
  const { result, pending, run } = useVerb();
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className="btn-secondary" disabled={pending} onClick={() => run(() => setSuspendedAction(configurationId, true))}>Suspend everywhere</button>
      <button type="button" className="btn-secondary" disabled={pending} onClick={() => run(() => setSuspendedAction(configurationId, false))}>Resume everywhere</button>
      <Outcome result={result} />
    </div>
  );
}

/** Re-renders the server page every few seconds while it is visible, so collected status shows up live. */
export function AutoRefresh({ seconds = 5 }: { seconds?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [router, seconds]);
  return null;
}
