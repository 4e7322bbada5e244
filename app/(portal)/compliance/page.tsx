import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Compliance" };

export default async function CompliancePage() {
  await requirePageAccess("compliance.read");
  return (
    <>
      <PageHeader title="Compliance" description="Is every cluster running what it should, and since when not?" />
      <EmptyState title="Nothing to report yet">
        Compliance appears once configurations are pushed to clusters: each (cluster, configuration) pair is Compliant,
        Non-Compliant, Pending, Suspended or Unknown.
      </EmptyState>
    </>
  );
}
