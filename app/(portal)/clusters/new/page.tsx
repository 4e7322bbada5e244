import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";
import { RegisterClusterForm } from "./register-form";

export const metadata: Metadata = { title: "Register a cluster" };

export default async function NewClusterPage() {
  await requirePageAccess("clusters.register");
  return (
    <>
      <PageHeader
        title="Register a cluster"
        description="Fleetline reads the cluster's version before saving. Credentials are encrypted at rest and never shown again."
      />
      <div className="card max-w-3xl p-5">
        <RegisterClusterForm />
      </div>
    </>
  );
}
