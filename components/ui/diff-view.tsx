import { TOO_LARGE_TO_DIFF, type DiffHunk } from "@/lib/text-diff";

type Download = { label: string; href: string };

/**
 * A unified diff with line numbers; + and − markers carry the meaning, colour only helps.
 * `hunks` is null when the texts were too large to diff: then the page says so and offers
 * both sides as downloads when it has them.
 */
export function DiffView({ hunks, label, downloads = [] }: { hunks: DiffHunk[] | null; label: string; downloads?: readonly Download[] }) {
  if (hunks === null) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400" role="status">
        {label}: {TOO_LARGE_TO_DIFF}.
        {downloads.map((d) => (
          <a key={d.href} href={d.href} download className="ml-2 underline">{d.label}</a>
        ))}
      </p>
    );
  }
  if (hunks.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">No differences.</p>;
  return (
    <div className="card overflow-x-auto" role="region" aria-label={label}>
      <table className="w-full border-collapse font-mono text-xs">
        <tbody>
          {hunks.map((h) => (
            <HunkRows key={h.header} hunk={h} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HunkRows({ hunk }: { hunk: DiffHunk }) {
  return (
    <>
      <tr className="bg-sky-50 text-sky-900 dark:bg-sky-950 dark:text-sky-200">
        <td colSpan={4} className="px-2 py-1">{hunk.header}</td>
      </tr>
      {hunk.lines.map((l, i) => {
        const tone =
          l.kind === "add"
            ? "bg-emerald-50 text-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-200"
            : l.kind === "remove"
              ? "bg-red-50 text-red-900 dark:bg-red-950/60 dark:text-red-200"
              : "";
        return (
          <tr key={i} className={tone}>
            <td className="w-10 select-none px-2 text-right text-zinc-600 dark:text-zinc-400">{l.oldLine ?? ""}</td>
            <td className="w-10 select-none px-2 text-right text-zinc-600 dark:text-zinc-400">{l.newLine ?? ""}</td>
            <td className="w-4 select-none px-1" aria-label={l.kind === "add" ? "added" : l.kind === "remove" ? "removed" : undefined}>
              {l.kind === "add" ? "+" : l.kind === "remove" ? "−" : " "}
            </td>
            <td className="whitespace-pre px-2">{l.text}</td>
          </tr>
        );
      })}
    </>
  );
}
