import type { ReactNode } from "react";
import { relativeTime } from "./time";

type Tone = "green" | "red" | "amber" | "grey" | "neutral" | "blue";

// Utilities in app/globals.css (badge, badge-<tone>): a status table repeats a badge a few times per
// row, and the spelled-out Tailwind classes were a sixth of a 20-row page's HTML and RSC payload.
const TONES: Record<Tone, string> = {
  green: "badge-green",
  red: "badge-red",
  amber: "badge-amber",
  grey: "badge-grey",
  neutral: "badge-neutral",
  blue: "badge-blue",
};

/** Always icon + word: state is never carried by colour alone. */
export function Badge({ tone, icon, children, title }: { tone: Tone; icon: string; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`badge ${TONES[tone]}`}>
      <span aria-hidden="true">{icon}</span>
      {children}
    </span>
  );
}

/** A cluster whose last answer is older than this is marked stale (case 17: offline for days). */
export const STALE_AFTER_MS = 10 * 60_000;

export function HealthBadge({ state, reason, lastSeenAt }: { state: string | null | undefined; reason?: string | null; lastSeenAt?: Date | null }) {
  if (state === "reachable") return <Badge tone="green" icon="✓">Reachable</Badge>;
  if (state === "unreachable") {
    return (
      <Badge tone="red" icon="✕" title={reason ?? undefined}>
        Unreachable
      </Badge>
    );
  }
  return (
    <Badge tone="neutral" icon="?" title={lastSeenAt ? undefined : "Not checked yet"}>
      Unknown
    </Badge>
  );
}

/**
 * Whether a cluster's picture is out of date, by the clock rather than by the last attempt, so a
 * stalled observation loop makes its clusters stale too: "stale" when its last answer is older than
 * STALE_AFTER_MS, "never" when it was tried and has never answered, else null.
 */
export function staleness(lastSeenAt: Date | null | undefined, checkedAt: Date | null | undefined, now = Date.now()): "stale" | "never" | null {
  if (!lastSeenAt) return checkedAt ? "never" : null;
  return now - lastSeenAt.getTime() >= STALE_AFTER_MS ? "stale" : null;
}

/** Shown beside the health badge when what Fleetline shows of a cluster is old: with the last-seen time in words. */
export function StaleBadge({ lastSeenAt, checkedAt }: { lastSeenAt: Date | null | undefined; checkedAt: Date | null | undefined }) {
  const state = staleness(lastSeenAt, checkedAt);
  if (state === "never") {
    return (
      <Badge tone="amber" icon="◷" title={checkedAt ? `Tried since ${checkedAt.toISOString()}; no answer yet` : undefined}>
        Never reached
      </Badge>
    );
  }
  if (state !== "stale" || !lastSeenAt) return null;
  return (
    <Badge tone="amber" icon="◷" title={`Last seen ${lastSeenAt.toISOString()}`}>
      Stale: last seen {relativeTime(lastSeenAt)}
    </Badge>
  );
}

/** Reachable, but the credentials may not read everything (nodes, Flux objects...). */
export function LimitedAccessBadge({ reasonKind, reason }: { reasonKind: string | null | undefined; reason: string | null | undefined }) {
  if (reasonKind !== "forbidden") return null;
  return (
    <Badge tone="amber" icon="⚠" title={reason ?? undefined}>
      Limited access
    </Badge>
  );
}

export function FluxBadge({ installed, version }: { installed: boolean | null | undefined; version?: string | null }) {
  if (installed === true) return <Badge tone="blue" icon="✓">Flux {version ?? "installed"}</Badge>;
  if (installed === false) return <Badge tone="grey" icon="–">Flux not installed</Badge>;
  return <Badge tone="neutral" icon="?">Flux unknown</Badge>;
}

/** The reconciler in force, with the version the cluster runs when it is known. */
export function ReconcilerBadge({ reconciler, version }: { reconciler: string | null | undefined; version?: string | null }) {
  const suffix = version ? ` ${version}` : "";
  if (reconciler === "flux") return <Badge tone="blue" icon="⟳">Flux{suffix}</Badge>;
  if (reconciler === "argocd") return <Badge tone="blue" icon="⟳">Argo CD{suffix}</Badge>;
  return <Badge tone="grey" icon="–">No reconciler</Badge>;
}

export function LabelChips({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="text-xs text-zinc-400">no labels</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Labels">
      {entries.map(([k, v]) => (
        <li key={k} className="rounded border border-zinc-200 bg-zinc-50 px-1.5 py-0.5 font-mono text-[11px] dark:border-zinc-700 dark:bg-zinc-800">
          {k}={v}
        </li>
      ))}
    </ul>
  );
}
