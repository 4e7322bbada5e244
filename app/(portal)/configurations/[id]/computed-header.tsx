import type { Computed } from "@/lib/queries/computed";
import { secondsSince } from "@/lib/queries/computed";
import { RefreshButton, RefreshWhileComputing } from "./computed-controls";

type Props = { computed: Computed<unknown>; tab: "drift" | "commits"; configurationId: string; clusterId?: string; what: string };

/** "Computed N s ago" (or "computing for N s") with the refresh button, above a tab's live result. */
export function ComputedHeader({ computed, tab, configurationId, clusterId, what }: Props) {
  const busy = computed.status === "computing" || computed.refreshing;
  return (
    <div className="flex flex-wrap items-center gap-3 text-xs text-zinc-600 dark:text-zinc-400">
      <span role="status" data-testid={`${tab}-computed`}>
        {computed.status === "ready" ? `Computed ${secondsSince(computed.computedAt)} s ago` : null}
        {computed.status === "failed" ? `Failed ${secondsSince(computed.failedAt)} s ago` : null}
        {computed.status === "computing" ? `${what}: started ${secondsSince(computed.startedAt)} s ago, still running…` : null}
        {computed.status !== "computing" && computed.refreshing ? " · refreshing…" : null}
      </span>
      <RefreshButton tab={tab} configurationId={configurationId} clusterId={clusterId} />
      {busy ? <RefreshWhileComputing /> : null}
    </div>
  );
}

/** The skeleton a streaming tab shows until its first render is ready. */
export function TabSkeleton({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="space-y-3" data-testid="tab-skeleton">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{label}</p>
      <div className="h-4 w-1/3 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-24 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-24 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
    </div>
  );
}
