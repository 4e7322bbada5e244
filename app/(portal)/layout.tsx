import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { ObservationBanner } from "@/components/shell/observation-banner";
import { getActor } from "@/lib/auth/current";
import { observationBanner } from "@/lib/queries/observation";
import { countUsers } from "@/lib/queries/users";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const actor = await getActor();
  if (!actor) redirect(countUsers() === 0 ? "/setup" : "/login");
  const { name, email, role } = actor.user;
  return (
    <AppShell user={{ name, email, role }}>
      <ObservationBanner banner={observationBanner()} />
      {children}
    </AppShell>
  );
}
