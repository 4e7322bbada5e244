"use client";

import Link from "@/components/ui/link";
import { useState, type ReactNode } from "react";
import { NavLinks, type NavItem } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

const NAV: NavItem[] = [
  { href: "/", label: "Dashboard" },
  { href: "/clusters", label: "Clusters" },
  { href: "/configurations", label: "Configurations" },
  { href: "/compliance", label: "Compliance" },
  { href: "/versions", label: "Versions" },
  { href: "/audit", label: "Audit" },
  { href: "/settings", label: "Settings" },
];

type AppShellProps = { user: { name: string; email: string; role: string }; children: ReactNode };

export function AppShell({ user, children }: AppShellProps) {
  const [open, setOpen] = useState(false);
  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 btn-primary">
        Skip to content
      </a>
      <aside
        id="sidebar"
        className={`${open ? "block" : "hidden"} fixed inset-y-0 left-0 z-40 w-56 border-r border-zinc-200 bg-white p-3 md:static md:block dark:border-zinc-800 dark:bg-zinc-900`}
      >
        <Link href="/" className="mb-4 block px-3 py-2 text-lg font-bold tracking-tight text-sky-800 dark:text-sky-300">
          Fleetline
        </Link>
        <nav aria-label="Main">
          <NavLinks items={NAV} onNavigate={() => setOpen(false)} />
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-12 items-center justify-between gap-3 border-b border-zinc-200 bg-white px-4 dark:border-zinc-800 dark:bg-zinc-900">
          <button
            type="button"
            className="btn-secondary md:hidden"
            aria-controls="sidebar"
            aria-expanded={open}
            onClick={() => setOpen((v) => !v)}
          >
            Menu
          </button>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="hidden text-zinc-600 sm:inline dark:text-zinc-400" data-testid="current-user">
              {user.name} <span className="text-zinc-500 dark:text-zinc-400">({user.email})</span>
            </span>
            <span
              className="rounded-full border border-zinc-300 px-2 py-0.5 text-xs font-medium uppercase tracking-wide dark:border-zinc-700"
              aria-label={`Role: ${user.role}`}
            >
              {user.role}
            </span>
            <SignOutButton />
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 p-4 md:p-6">
          {children}
        </main>
      </div>
    </div>
  );
}
