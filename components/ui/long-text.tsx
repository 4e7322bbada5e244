/**
 * Text that may be long (a controller's reason and message): one or two lines in the table,
 * the whole of it on demand (a native disclosure, keyboard and screen-reader friendly).
 */
export function LongText({ text, detail, limit = 80 }: { text: string | null; detail?: string | null; limit?: number }) {
  if (!text && !detail) return <span className="text-zinc-400">—</span>;
  const full = [text, detail].filter(Boolean).join("\n");
  if (full.length <= limit && !detail) return <span className="font-medium [overflow-wrap:anywhere]">{text}</span>;
  return (
    <details className="group">
      <summary className="cursor-pointer list-none [overflow-wrap:anywhere]" title={full}>
        <span className="font-medium group-open:hidden">{(text ?? detail ?? "").length > limit ? `${(text ?? detail ?? "").slice(0, limit - 1)}…` : text ?? detail}</span>
        <span className="ml-1 text-sky-800 group-open:hidden dark:text-sky-300">more</span>
        <span className="hidden text-sky-800 group-open:inline dark:text-sky-300">less</span>
      </summary>
      <div className="mt-1 space-y-1 whitespace-pre-wrap [overflow-wrap:anywhere]">
        {text ? <p className="font-medium">{text}</p> : null}
        {detail ? <p className="text-zinc-600 dark:text-zinc-400">{detail}</p> : null}
      </div>
    </details>
  );
}
