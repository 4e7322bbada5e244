import Link from "@/components/ui/link";
import type { ReactNode } from "react";

type EmptyStateProps = {
  title: string;
  children: ReactNode;
  action?: { href: string; label: string };
};

/** Says what is missing and what to do next, instead of an empty table. */
export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <div className="card flex flex-col items-start gap-3 px-6 py-10 sm:items-center sm:text-center">
      <h2 className="text-base font-semibold">{title}</h2>
      <div className="max-w-prose text-sm text-zinc-600 dark:text-zinc-400">{children}</div>
      {action ? (
        <Link href={action.href} className="btn-primary">
          {action.label}
        </Link>
      ) : null}
    </div>
  );
}
