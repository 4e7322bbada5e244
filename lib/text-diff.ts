// Pure: line diffs for the UI (versions, drift), built on the `diff` package.
import { structuredPatch } from "diff";

export type DiffLine = { kind: "add" | "remove" | "context"; text: string; oldLine: number | null; newLine: number | null };
export type DiffHunk = { header: string; lines: DiffLine[] };

/** Unified-diff hunks with line numbers on both sides; empty when the texts are equal. */
export function diffLines(oldText: string, newText: string, context = 3): DiffHunk[] {
  const patch = structuredPatch("before", "after", oldText, newText, "", "", { context });
  return patch.hunks.map((h) => {
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

export function countChanges(hunks: DiffHunk[]): { added: number; removed: number } {
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
