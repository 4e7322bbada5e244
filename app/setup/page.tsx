import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { countUsers } from "@/lib/queries/users";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "First-run setup" };
export const dynamic = "force-dynamic";

/** Exists only while the portal has no user at all; afterwards it is a 404. */
export default function SetupPage() {
  if (countUsers() > 0) notFound();
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card w-full max-w-md p-6">
        <h1 className="mb-1 text-xl font-semibold">Welcome to Fleetline</h1>
        <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">
          Create the first administrator. This page disappears once an account exists.
        </p>
        <SetupForm />
      </div>
    </main>
  );
}
