// Pure: when a maintenance window is open, and whether a cluster may take a push now.
import { CronExpressionParser } from "cron-parser";
import type { MaintenanceWindow } from "@/db/schema-windows";
import { matchesSelector } from "@/lib/validation/label-selector";

export type WindowSchedule = Pick<MaintenanceWindow, "cron" | "durationMinutes" | "timeZone" | "startsAt" | "endsAt">;
export type WindowRule = WindowSchedule & Pick<MaintenanceWindow, "name" | "kind" | "selector">;
export type Span = { start: Date; end: Date };

const MINUTE = 60_000;

/** The occurrence of the window open at `now`, or null when it is closed. */
export function openSpan(w: WindowSchedule, now: Date): Span | null {
  if (w.startsAt && w.endsAt) return w.startsAt <= now && now < w.endsAt ? { start: w.startsAt, end: w.endsAt } : null;
  if (!w.cron || !w.durationMinutes) return null;
  // Every occurrence lasts as long, so the latest start (at or before now) also ends last: if it
  // has closed, so has every earlier one. An occurrence starting exactly now is open.
  const start = CronExpressionParser.parse(w.cron, { currentDate: new Date(now.getTime() + 1), tz: w.timeZone }).prev().toDate();
  const end = new Date(start.getTime() + w.durationMinutes * MINUTE);
  return end > now ? { start, end } : null;
}

/** When the window next opens after `now` (null: never again). */
export function nextOpening(w: WindowSchedule, now: Date): Date | null {
  if (w.startsAt && w.endsAt) return w.startsAt > now ? w.startsAt : null;
  if (!w.cron) return null;
  return CronExpressionParser.parse(w.cron, { currentDate: now, tz: w.timeZone }).next().toDate();
}

export type WindowVerdict =
  | { allowed: true; window?: undefined }
  | { allowed: false; window: string; kind: "deny" | "allow"; until: Date | null; message: string };

const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "no end");

/**
 * Whether a cluster with these labels may take a push at `now`. An open deny window that matches
 * holds it (until the latest end among the open ones); otherwise a cluster some allow windows
 * match takes pushes only while one of them is open (held until the earliest next opening).
 */
export function windowVerdict(labels: Record<string, string>, windows: readonly WindowRule[], now: Date): WindowVerdict {
  const matching = windows.filter((w) => matchesSelector(labels, w.selector));
  let deny: { name: string; end: Date } | undefined;
  for (const w of matching) {
    if (w.kind !== "deny") continue;
    const span = openSpan(w, now);
    if (span && (!deny || span.end > deny.end)) deny = { name: w.name, end: span.end };
  }
  if (deny) return { allowed: false, window: deny.name, kind: "deny", until: deny.end, message: `held: deny window ${deny.name} is open until ${when(deny.end)}` };
  const allows = matching.filter((w) => w.kind === "allow");
  if (allows.length === 0 || allows.some((w) => openSpan(w, now))) return { allowed: true };
  const next = allows
    .map((w) => ({ name: w.name, at: nextOpening(w, now) }))
    .filter((o): o is { name: string; at: Date } => o.at !== null)
    .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
  const first = next?.name ?? allows[0]!.name;
  return { allowed: false, window: first, kind: "allow", until: next?.at ?? null, message: next ? `held: outside its allow windows until ${first} opens at ${when(next.at)}` : `held: outside its allow windows (${first} does not open again)` };
}
