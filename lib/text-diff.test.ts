import { describe, expect, it } from "vitest";
import { countChanges, diffLines } from "./text-diff";

describe("diffLines", () => {
  it("is empty for equal texts", () => {
    expect(diffLines("a\nb\n", "a\nb\n")).toEqual([]);
  });

  it("numbers both sides and marks changes", () => {
    const hunks = diffLines("a\nb\nc\n", "a\nB\nc\nd\n") ?? [];
    expect(hunks).toHaveLength(1);
    const lines = hunks[0]!.lines;
    expect(lines).toContainEqual({ kind: "remove", text: "b", oldLine: 2, newLine: null });
    expect(lines).toContainEqual({ kind: "add", text: "B", oldLine: null, newLine: 2 });
    expect(lines).toContainEqual({ kind: "add", text: "d", oldLine: null, newLine: 4 });
    expect(countChanges(hunks)).toEqual({ added: 2, removed: 1 });
  });

  it("keeps distant changes in separate hunks", () => {
    const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    const after = before.replace("line 2\n", "line two\n").replace("line 35", "line thirty-five");
    expect(diffLines(before, after)).toHaveLength(2);
  });

  it("gives up (null) past its bounds instead of holding the event loop", () => {
    const lines = (tag: string) => Array.from({ length: 3000 }, (_, i) => `k${i}: ${tag}${i}`).join("\n");
    expect(diffLines(lines("a"), lines("b"))).toBeNull();
    expect(diffLines("x".repeat(600 * 1024), "y")).toBeNull();
  });
});
