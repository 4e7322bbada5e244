import Link from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { countClusters } from "@/lib/queries/clusters";
import { dashboardSummary, type DriftKind } from "@/lib/queries/dashboard";
import { DashboardLive } from "@/components/dashboard/dashboard-live";
import { expiringWaivers, pendingWaiverCount, waiverScope, WAIVER_EXPIRY_WARNING_DAYS } from "@/lib/policy/waivers";
import { formatSelector } from "@/lib/compliance/selector-text";
import { toDashboardData } from "@/components/dashboard/types";

const DRIFT_KINDS: readonly DriftKind[] = ["config", "revision", "resource", "any"];

/** Risk acceptances about to end (their results return to failing) and requests waiting for a second person. */
function WaiverNotices() {
  const expiring = expiringWaivers();
  const pending = pendingWaiverCount();
  if (expiring.length === 0 && pending === 0) return null;
  return (
    <section aria-labelledby="waiver-notices" className="card mb-4 space-y-1 p-3 text-sm" data-testid="waiver-notices">
      <h2 id="waiver-notices" className="font-semibold">
        Risk acceptances
      </h2>
      {expiring.length > 0 ? (
        <>
          <p>
            {expiring.length} end{expiring.length === 1 ? "s" : ""} within {WAIVER_EXPIRY_WARNING_DAYS} days; what they cover returns to failing then:
          </p>
          <ul className="list-inside list-disc">
            {expiring.map((w) => (
              <li key={w.id}>
                <span className="font-mono [overflow-wrap:anywhere]">{waiverScope(w).slice(0, 200)}</span> on <span className="font-mono">{formatSelector(w.selector)}</span>, until {new Date(w.expiresAt.getTime() - 1).toISOString().slice(0, 10)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {pending > 0 ? <p>{pending} request{pending === 1 ? "" : "s"} wait for approval.</p> : null}
      <Link href="/compliance?tab=waivers" className="underline">
        Review risk acceptances
      </Link>
    </section>
  );
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ drift?: string }> }) {
  const { user } = await requirePageAccess("dashboard.read");
  const { drift: driftParam } = await searchParams;
  const drift = DRIFT_KINDS.includes(driftParam as DriftKind) ? (driftParam as DriftKind) : undefined;
  const summary = dashboardSummary(drift ? { drift } : {});
  // Once a cluster exists the live view takes over: it fills in as the collector reports.
  if (summary.totals.total > 0 || drift || countClusters() > 0) {
    return (
      <>
        <PageHeader
          title="Fleet dashboard"
          description="Compliance of every configuration on every cluster, updated live."
          actions={
            <form method="get" className="flex items-end gap-2" aria-label="Filter by drift">
              <div>
                <label htmlFor="drift" className="block text-xs font-medium">Drift</label>
                <select id="drift" name="drift" defaultValue={drift ?? ""} className="input">
                  <option value="">All pairs</option>
                  <option value="any">Any drift</option>
                  <option value="config">Configuration drift</option>
                  <option value="revision">Revision drift</option>
                  <option value="resource">Resource drift</option>
                </select>
              </div>
              <button type="submit" className="btn-secondary">Filter</button>
            </form>
          }
        />
        <WaiverNotices />
        <DashboardLive initial={toDashboardData(summary)} drift={drift} />
      </>
    );
  }
  const steps = [
    { title: "Register a cluster", body: "Paste a kubeconfig or an API server URL and token. Fleetline checks the connection and finds Flux or Argo CD.", href: "/clusters", allowed: can(user.role, "clusters.register") },
    { title: "Write a configuration", body: "A Git, OCI or Bucket source plus the Kustomizations or Helm releases to apply, once for the whole fleet.", href: "/configurations", allowed: can(user.role, "configurations.write") },
    { title: "Watch compliance", body: "Every cluster's sync state, drift and applied commit, and who changed what in the audit log.", href: "/compliance", allowed: true },
  ];
  return (
    <>
      <PageHeader title="Fleet dashboard" description="Nothing pushed yet: compliance appears here once configurations reach clusters." />
      <section aria-labelledby="getting-started" className="card p-6">
        <h2 id="getting-started" className="mb-4 text-base font-semibold">Get started</h2>
        <ol className="grid gap-4 md:grid-cols-3">
          {steps.map((s, i) => (
            <li key={s.title} className="rounded-md border border-zinc-200 p-4 dark:border-zinc-800">
              <p className="text-xs font-semibold text-zinc-500">Step {i + 1}</p>
              <h3 className="mt-1 font-medium">
                <Link href={s.href} className="hover:underline">{s.title}</Link>
              </h3>
              <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{s.body}</p>
              {!s.allowed ? <p className="mt-2 text-xs text-zinc-500">Your role ({user.role}) can view this but not change it.</p> : null}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
