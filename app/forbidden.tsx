import Link from "@/components/ui/link";

export default function Forbidden() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      <p className="text-sm font-semibold text-red-700 dark:text-red-400">403 Forbidden</p>
      <h1 className="text-xl font-semibold">Your role does not allow this</h1>
      <p className="max-w-md text-sm text-zinc-600 dark:text-zinc-400">
        Ask an administrator for a role with more rights. The attempt has been recorded in the audit log.
      </p>
      <Link href="/" className="btn-secondary">Back to the dashboard</Link>
    </main>
  );
}
