"use client";

import Link from "@/components/ui/link";

/** A configuration page that failed to render: say so inside the portal, with a way back and a retry. */
export default function ConfigurationError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section role="alert" className="card max-w-xl space-y-3 p-4">
      <h1 className="text-lg font-semibold">This configuration could not be shown</h1>
      <p className="text-sm">Reading it failed{error.digest ? ` (reference ${error.digest})` : ""}. Try again; if it keeps failing, the server log has the details.</p>
      <p className="flex gap-2">
        <button type="button" className="btn-secondary" onClick={() => reset()}>Try again</button>
        <Link href="/configurations" className="btn-secondary">All configurations</Link>
      </p>
    </section>
  );
}
