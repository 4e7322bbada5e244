"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A row's verbs behind one "Actions" button, so a table keeps its width: a native popover (top
 * layer, never clipped by the table's card; Escape and a click outside close it; keyboard
 * reachable as a plain button), placed under its button.
 */
export function RowMenu({ subject, children }: { subject: string; children: ReactNode }) {
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const panel = menu.current;
    if (!panel) return;
    const place = (event: Event) => {
      if ((event as ToggleEvent).newState !== "open") return;
      const anchor = button.current?.getBoundingClientRect();
      if (!anchor) return;
      const width = panel.offsetWidth;
      panel.style.top = `${Math.min(anchor.bottom + 4, window.innerHeight - panel.offsetHeight - 8)}px`;
      panel.style.left = `${Math.max(8, Math.min(anchor.right - width, window.innerWidth - width - 8))}px`;
      panel.querySelector<HTMLElement>("button, a")?.focus();
    };
    panel.addEventListener("toggle", place);
    return () => panel.removeEventListener("toggle", place);
  }, []);
  return (
    <>
      <button ref={button} type="button" popoverTarget={id} className="btn-secondary py-0.5 text-xs" aria-haspopup="true">
        Actions<span className="sr-only"> for {subject}</span> <span aria-hidden="true">▾</span>
      </button>
      <div
        ref={menu}
        id={id}
        popover="auto"
        role="group"
        aria-label={`Actions for ${subject}`}
        className="fixed m-0 max-w-[min(22rem,calc(100vw-1rem))] rounded-md border border-zinc-200 bg-white p-2 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        style={{ inset: "auto" }}
      >
        {children}
      </div>
    </>
  );
}
