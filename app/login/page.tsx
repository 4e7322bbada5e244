import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getActor } from "@/lib/auth/current";
import { countUsers } from "@/lib/queries/users";
import { env } from "@/lib/env";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (countUsers() === 0) redirect("/setup");
  if (await getActor()) redirect("/");
  const e = env();
  const sso = e.FLEETLINE_OIDC_ISSUER ? { name: e.FLEETLINE_OIDC_NAME } : null;
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card w-full max-w-sm p-6">
        <h1 className="mb-1 text-xl font-semibold">Sign in to Fleetline</h1>
        <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">Fleet-wide GitOps for your Kubernetes clusters.</p>
        <LoginForm sso={sso} />
      </div>
    </main>
  );
}
