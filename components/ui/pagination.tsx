import Link from "@/components/ui/link";

type PaginationProps = {
  page: number;
  pageSize: number;
  total: number;
  /** Builds the link for a page, keeping the current filters. */
  hrefFor: (page: number) => string;
};

export function Pagination({ page, pageSize, total, hrefFor }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 py-3 text-sm">
      <p className="text-zinc-600 dark:text-zinc-400">
        {first}–{last} of {total.toLocaleString("en")}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link className="btn-secondary" href={hrefFor(page - 1)} rel="prev">
            Previous
          </Link>
        ) : (
          <span className="btn-secondary opacity-50" aria-disabled="true">Previous</span>
        )}
        <span className="px-2 py-1.5 text-zinc-600 dark:text-zinc-400">
          Page {page} of {pages}
        </span>
        {page < pages ? (
          <Link className="btn-secondary" href={hrefFor(page + 1)} rel="next">
            Next
          </Link>
        ) : (
          <span className="btn-secondary opacity-50" aria-disabled="true">Next</span>
        )}
      </div>
    </nav>
  );
}
