import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage() {
  await requirePageAccess("clusters.read");
  return (
    <>
      <PageHeader title="Clusters" description="Every Kubernetes cluster Fleetline pushes configurations to." />
      <EmptyState title="No clusters registered yet">
        An administrator registers a cluster with a kubeconfig, or an API server URL and a token. Fleetline then checks its
        health every minute and finds its reconciler (Flux or Argo CD).
      </EmptyState>
    </>
  );
}
