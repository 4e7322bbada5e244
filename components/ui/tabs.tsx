import Link from "@/components/ui/link";

/**
 * Server-rendered tabs: each is a link, so tabs are shareable and work without JavaScript. They
 * wrap onto a second line on a narrow screen rather than hide behind a horizontal scroll.
 */
export function TabLinks({ tabs, active, hrefFor }: { tabs: { id: string; label: string }[]; active: string; hrefFor: (id: string) => string }) {
  return (
    <nav aria-label="Sections" className="mb-4 border-b border-zinc-200 dark:border-zinc-800">
      <ul className="-mb-px flex flex-wrap gap-x-1">
        {tabs.map((t) => (
          <li key={t.id}>
            <Link
              href={hrefFor(t.id)}
              aria-current={t.id === active ? "page" : undefined}
              className={`block border-b-2 px-3 py-2 text-sm ${
                t.id === active ? "border-sky-700 font-semibold text-sky-900 dark:text-sky-200" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400"
              }`}
            >
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
