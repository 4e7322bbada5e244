"use client";

import { useEffect } from "react";

/**
 * Whatever a portal page throws lands here, inside the shell (navigation stays usable). The
 * message is Next's generic one in production (server errors are not sent to the browser); the
 * digest ties it to the server log.
 */
export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <section role="alert" className="card max-w-xl space-y-3 p-4">
      <h1 className="text-lg font-semibold">This page could not be shown</h1>
      <p className="text-sm">Something failed while reading it. Try again; if it keeps failing, the server log has the details{error.digest ? ` (reference ${error.digest})` : ""}.</p>
      <button type="button" className="btn-secondary" onClick={() => reset()}>Try again</button>
    </section>
  );
}
