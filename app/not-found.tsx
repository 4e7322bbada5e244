import Link from "@/components/ui/link";

export default function NotFound() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      <p className="text-sm font-semibold text-zinc-500">404</p>
      <h1 className="text-xl font-semibold">Nothing here</h1>
      <p className="max-w-md text-sm text-zinc-600 dark:text-zinc-400">The page does not exist, or you may not see it.</p>
      <Link href="/" className="btn-secondary">Back to the dashboard</Link>
    </main>
  );
}
