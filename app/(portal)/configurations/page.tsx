import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Configurations" };

export default async function ConfigurationsPage() {
  await requirePageAccess("configurations.read");
  return (
    <>
      <PageHeader title="Configurations" description="GitOps configurations: a source plus the Kustomizations and Helm releases it applies." />
      <EmptyState title="No configurations yet">
        A configuration is written once and pushed to one cluster or to every cluster whose labels match. Register a
        cluster first; operators and administrators can then add configurations.
      </EmptyState>
    </>
  );
}
