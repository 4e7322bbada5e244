"use client";

import { useState } from "react";
import { shortRevision } from "@/lib/commit-links";


/** A revision in monospace with the full value on hover, a copy button, and a commit link when the host is known. */
export function Revision({ revision, commitUrl }: { revision: string | null | undefined; commitUrl?: string | null }) {
  const [copied, setCopied] = useState(false);
  if (!revision) return <span className="text-zinc-400">—</span>;
  const label = shortRevision(revision);
  return (
    <span className="inline-flex items-center gap-1 font-mono text-xs">
      {commitUrl ? (
        <a href={commitUrl} title={revision} className="text-sky-800 hover:underline dark:text-sky-300" rel="noreferrer noopener" target="_blank">{label}</a>
      ) : (
        <span title={revision}>{label}</span>
      )}
      <button
        type="button"
        className="rounded px-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        aria-label={`Copy revision ${revision}`}
        onClick={() => {
          void navigator.clipboard?.writeText(revision).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? (
          "✓"
        ) : (
          <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12" fill="none" stroke="currentColor" strokeWidth="1.5">
            <rect x="5" y="5" width="9" height="9" rx="1.5" />
            <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
          </svg>
        )}
      </button>
    </span>
  );
}
