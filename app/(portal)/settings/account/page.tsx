import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/current";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const { user } = await requirePageAccess("dashboard.read");
  return (
    <>
      <PageHeader title="Your account" description={`${user.name} · ${user.email} · ${user.role}`} />
      {user.authSource === "local" ? (
        <section className="card max-w-md p-4" aria-labelledby="change-password">
          <h2 id="change-password" className="mb-3 font-semibold">Change password</h2>
          <ChangePasswordForm />
        </section>
      ) : (
        <p className="text-sm">Your account signs in through single sign-on; its password is managed there.</p>
      )}
    </>
  );
}
