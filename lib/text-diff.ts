// Pure: line diffs for the UI (versions, drift), built on the `diff` package.
import { structuredPatch, type StructuredPatchHunk } from "diff";

export type DiffLine = { kind: "add" | "remove" | "context"; text: string; oldLine: number | null; newLine: number | null };
export type DiffHunk = { header: string; lines: DiffLine[] };

/**
 * Bounds on one diff (hardening case 28). Myers' algorithm costs grow with the square of the
 * number of changed lines (8,000 changed lines took 33 s), so a diff gives up past an edit
 * length or a time, and the page says "too large to show as a diff" instead.
 */
export type DiffBounds = { maxEditLength: number; timeoutMs: number; maxBytes: number };

/** On the caller's event loop: small, so a page render is never held for more than a moment. */
export const INLINE_DIFF_BOUNDS: DiffBounds = { maxEditLength: 600, timeoutMs: 150, maxBytes: 512 * 1024 };
/** In the diff worker thread (lib/diff-worker.ts): larger, since nothing else waits on it. */
export const WORKER_DIFF_BOUNDS: DiffBounds = { maxEditLength: 4000, timeoutMs: 3000, maxBytes: 4 * 1024 * 1024 };

export const TOO_LARGE_TO_DIFF = "too large to show as a diff";

/** structuredPatch's hunks, or null when the texts are too large or too different to diff within the bounds. */
export function boundedHunks(oldText: string, newText: string, context: number, bounds: DiffBounds): StructuredPatchHunk[] | null {
  if (oldText.length + newText.length > bounds.maxBytes) return null;
  const patch = structuredPatch("before", "after", oldText, newText, "", "", { context, maxEditLength: bounds.maxEditLength, timeout: bounds.timeoutMs });
  return patch ? patch.hunks : null;
}

/** Unified-diff hunks with line numbers on both sides from structuredPatch's hunks. */
export function toDiffHunks(hunks: readonly StructuredPatchHunk[]): DiffHunk[] {
  return hunks.map((h) => {
    let oldLine = h.oldStart;
    let newLine = h.newStart;
    const lines: DiffLine[] = [];
    for (const raw of h.lines) {
      const marker = raw[0];
      const text = raw.slice(1);
      if (marker === "\\") continue; // "\ No newline at end of file"
      if (marker === "+") lines.push({ kind: "add", text, oldLine: null, newLine: newLine++ });
      else if (marker === "-") lines.push({ kind: "remove", text, oldLine: oldLine++, newLine: null });
      else lines.push({ kind: "context", text, oldLine: oldLine++, newLine: newLine++ });
    }
    return { header: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, lines };
  });
}

/**
 * Unified-diff hunks with line numbers on both sides; empty when the texts are equal; null
 * when they are too large to diff on the caller's thread (use diffOffThread for big texts).
 */
export function diffLines(oldText: string, newText: string, context = 3, bounds: DiffBounds = INLINE_DIFF_BOUNDS): DiffHunk[] | null {
  const hunks = boundedHunks(oldText, newText, context, bounds);
  return hunks ? toDiffHunks(hunks) : null;
}

export function countChanges(hunks: readonly DiffHunk[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const h of hunks) {
    for (const l of h.lines) {
      if (l.kind === "add") added++;
      else if (l.kind === "remove") removed++;
    }
  }
  return { added, removed };
}
