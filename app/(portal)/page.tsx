import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";

export default async function DashboardPage() {
  const { user } = await requirePageAccess("dashboard.read");
  const steps = [
    { title: "Register a cluster", body: "Paste a kubeconfig or an API server URL and token. Fleetline checks the connection and finds Flux or Argo CD.", href: "/clusters", allowed: can(user.role, "clusters.register") },
    { title: "Write a configuration", body: "A Git, OCI or Bucket source plus the Kustomizations or Helm releases to apply, once for the whole fleet.", href: "/configurations", allowed: can(user.role, "configurations.write") },
    { title: "Watch compliance", body: "Every cluster's sync state, drift and applied commit, and who changed what in the audit log.", href: "/compliance", allowed: true },
  ];
  return (
    <>
      <PageHeader title="Fleet dashboard" description="Sync state and drift across every registered cluster." />
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
