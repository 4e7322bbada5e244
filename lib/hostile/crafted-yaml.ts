// Test-only: the crafted file from issue 11, about 400 KB: a deeply nested flow document,
// `---`, then a deeply nested block document. Before the pre-scan, reading it aborted Node
// (out of memory in V8's regexp compiler after the yaml composer's caught stack overflow).
export function craftedYaml(): string {
  const depth = 100_000;
  return `a: ${"[".repeat(depth)}${"]".repeat(depth)}\n---\n${"- ".repeat(depth)}leaf\n`;
}
