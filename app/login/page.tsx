import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getActor } from "@/lib/auth/current";
import { countUsers } from "@/lib/queries/users";
import { env } from "@/lib/env";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

// next-auth sends a refused single sign-on back here with ?error=AccessDenied (the reason is in the audit log).
const SSO_ERRORS: Record<string, string> = {
  AccessDenied: "Single sign-on refused: your identity provider account is not allowed here (unverified email, or not in an allowed group or domain). Ask an administrator.",
  OAuthCallback: "Single sign-on failed: the identity provider's answer could not be verified. Try again.",
  OAuthSignin: "Single sign-on could not start: the identity provider did not answer. Try again later.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const { error } = await searchParams;
  const ssoError = typeof error === "string" ? SSO_ERRORS[error] : undefined;
  if (countUsers() === 0) redirect("/setup");
  if (await getActor()) redirect("/");
  const e = env();
  const sso = e.FLEETLINE_OIDC_ISSUER ? { name: e.FLEETLINE_OIDC_NAME } : null;
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card w-full max-w-sm p-6">
        <h1 className="mb-1 text-xl font-semibold">Sign in to Fleetline</h1>
        <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">Fleet-wide GitOps for your Kubernetes clusters.</p>
        {ssoError ? (
          <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
            {ssoError}
          </p>
        ) : null}
        <LoginForm sso={sso} />
      </div>
    </main>
  );
}
