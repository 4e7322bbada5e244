const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return rtf.format(Math.round(seconds / size), unit);
  }
  return date.toISOString();
}

/**
 * Relative time, with the absolute UTC time on hover and for machines. Inside a client component
 * the server renders "5 seconds ago" and the browser, a moment later, "6 seconds ago": the text is
 * expected to differ between the two (React's error #418 otherwise), and the next render updates it.
 */
export function Time({ date }: { date: Date | null | undefined }) {
  if (!date) return <span className="text-zinc-400">—</span>;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")} suppressHydrationWarning>
      {relativeTime(date)}
    </time>
  );
}
