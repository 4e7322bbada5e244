import Link from "@/components/ui/link";

export default function Unauthorized() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      <p className="text-sm font-semibold text-red-700 dark:text-red-400">401 Unauthorized</p>
      <h1 className="text-xl font-semibold">Sign in first</h1>
      <p className="max-w-md text-sm text-zinc-600 dark:text-zinc-400">Your session is missing or has ended.</p>
      <Link href="/login" className="btn-primary">Sign in</Link>
    </main>
  );
}
