import type { Metadata } from "next";
import Link from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { user } = await requirePageAccess("dashboard.read");
  const sections = [
    { href: "/settings/account", title: "Your account", body: "Change your password.", show: user.authSource === "local" },
    { href: "/settings/users", title: "Users and roles", body: "Create users, change roles, disable accounts.", show: can(user.role, "users.read") },
    { href: "/settings/credentials", title: "Git and registry credentials", body: "SSH keys, HTTPS tokens and CA certificates for sources.", show: can(user.role, "credentials.read") },
    { href: "/settings/windows", title: "Maintenance windows", body: "Freezes and allowed times for pushes, per cluster selector.", show: true },
    { href: "/settings/notifications", title: "Notifications", body: "Slack, Teams, Discord, Rocket.Chat and signed webhooks: channels, rules and the delivery log.", show: can(user.role, "settings.write") },
    { href: "/settings/tokens", title: "API tokens", body: "Personal tokens for pipelines and scripts calling /api/v1.", show: true },
  ].filter((s) => s.show);
  return (
    <>
      <PageHeader title="Settings" />
      <ul className="grid gap-3 sm:grid-cols-2">
        {sections.map((s) => (
          <li key={s.href}>
            <Link href={s.href} className="card block p-4 hover:border-sky-600">
              <h2 className="font-medium">{s.title}</h2>
              <p className="text-sm text-zinc-600 dark:text-zinc-400">{s.body}</p>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
