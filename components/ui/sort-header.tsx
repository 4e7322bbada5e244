import Link from "@/components/ui/link";

type SortHeaderProps = {
  label: string;
  column: string;
  sort: string;
  dir: "asc" | "desc";
  /** Builds the link for a sort, keeping the current filters (and resetting the page). */
  hrefFor: (sort: string, dir: "asc" | "desc") => string;
};

/** A column header that sorts on the server; aria-sort tells assistive technology the order. */
export function SortHeader({ label, column, sort, dir, hrefFor }: SortHeaderProps) {
  const isActive = sort === column;
  const nextDir = isActive && dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={isActive ? (dir === "asc" ? "ascending" : "descending") : "none"}>
      <Link href={hrefFor(column, nextDir)} className="inline-flex items-center gap-1 hover:underline">
        {label}
        <span aria-hidden="true">{isActive ? (dir === "asc" ? "▲" : "▼") : "↕"}</span>
      </Link>
    </th>
  );
}
