import type { Metadata } from "next";
import { ConfigurationWizard } from "@/components/configurations/configuration-wizard";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { credentialOptions } from "@/lib/queries/credentials";
import { env } from "@/lib/env";
import { listFleetForTargeting } from "@/lib/queries/fleet";
import { previewConfigurationAction, saveConfigurationAction } from "../actions";

export const metadata: Metadata = { title: "Add configuration" };

export default async function NewConfigurationPage({ searchParams }: { searchParams: Promise<{ cluster?: string }> }) {
  const { user } = await requirePageAccess("configurations.write");
  const { cluster } = await searchParams;
  const fleet = listFleetForTargeting();
  const lockedClusterId = cluster && fleet.some((c) => c.id === cluster) ? cluster : undefined;
  const credentials = credentialOptions();
  return (
    <>
      <PageHeader
        title={lockedClusterId ? `Add a configuration to ${fleet.find((c) => c.id === lockedClusterId)?.name}` : "Add a configuration"}
        description="Write it once: a source, the Kustomizations or Helm releases that apply it, and the clusters it goes to. Nothing is saved until the last step."
      />
      <ConfigurationWizard
        actions={{ preview: previewConfigurationAction, save: saveConfigurationAction }}
        fleet={fleet}
        credentials={credentials}
        allowLocalSources={env().FLEETLINE_ALLOW_LOCAL_SOURCES}
        canPush={can(user.role, "configurations.push")}
        lockedClusterId={lockedClusterId}
      />
    </>
  );
}
