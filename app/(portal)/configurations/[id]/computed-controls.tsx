"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { refreshTabAction } from "./refresh-actions";

/** Starts a fresh computation on the server and re-renders; the tab keeps showing the last result meanwhile. */
export function RefreshButton({ tab, configurationId, clusterId }: { tab: "drift" | "commits"; configurationId: string; clusterId?: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn-secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await refreshTabAction(tab, configurationId, clusterId).catch(() => ({ status: "invalid" as const, message: "The refresh could not be started; try again." }));
            setError(result.status === "ok" ? null : result.message);
            router.refresh();
          })
        }
      >
        {pending ? "Refreshing…" : "Refresh"}
      </button>
      {error ? <span role="alert" className="text-xs text-red-700">{error}</span> : null}
    </span>
  );
}

/** While a computation runs in the background, re-render every few seconds to pick up its result. */
export function RefreshWhileComputing({ everyMs = 2000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setTimeout(() => router.refresh(), everyMs);
    return () => clearTimeout(timer);
  }, [router, everyMs]);
  return null;
}
