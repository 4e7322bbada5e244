/** Shown by the portal's pages while their server render streams in (navigation feedback at once). */
export default function Loading() {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="space-y-4">
      <p className="sr-only">Loading…</p>
      <div className="h-7 w-64 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-4 w-96 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-40 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
    </div>
  );
}
