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

export function ClusterVerbs({ configurationId, clusterId, clusterName, isSuspended }: { configurationId: string; clusterId: string; clusterName: string; isSuspended: boolean }) {
  const { result, pending, run } = useVerb();
  return (
    <div className="flex flex-wrap items-center gap-1">
      <button type="button" className="btn-secondary py-0.5 text-xs" disabled={pending} onClick={() => run(() => reconcileNowAction(configurationId, clusterId, false))} aria-label={`Reconcile now on ${clusterName}`}>
        Reconcile
      </button>
      <button type="button" className="btn-secondary py-0.5 text-xs" disabled={pending} onClick={() => run(() => reconcileNowAction(configurationId, clusterId, true))} aria-label={`Reconcile with source on ${clusterName}`}>
        + source
      </button>
      <button type="button" className="btn-secondary py-0.5 text-xs" disabled={pending} onClick={() => run(() => setSuspendedAction(configurationId, !isSuspended, clusterId))} aria-label={`${isSuspended ? "Resume" : "Suspend"} on ${clusterName}`}>
        {isSuspended ? "Resume" : "Suspend"}
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
