import { describe, expect, it } from "vitest";
import { scanYamlDocuments } from "./yaml-scan";

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # a comment with [ and {
  labels: {app: web, "tier[": 'it''s {'}
spec:
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          args: ["--port", "8080"]
          command:
          - sh
          - -c
          - |
            echo [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
            echo {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{
`;

describe("scanYamlDocuments", () => {
  it("splits a stream at --- and ... lines, keeping each document's text", () => {
    const text = "a: 1\n---\nb: 2\n--- # c\nc: 3\n...\n";
    const result = scanYamlDocuments(text, 8);
    expect(result.ok && result.documents.map((d) => d.text)).toEqual(["a: 1\n", "---\nb: 2\n", "--- # c\nc: 3\n"]);
  });

  it("does not split at --- inside a line or indented", () => {
    const result = scanYamlDocuments("a: |\n  ---\n  x\nb: a---b\n", 8);
    expect(result.ok && result.documents).toHaveLength(1);
  });

  it("accepts ordinary manifests well under the limit: brackets in comments, quotes and block scalars do not count", () => {
    expect(scanYamlDocuments(deployment, 16)).toMatchObject({ ok: true });
  });

  it("refuses deep flow nesting, naming the document's line", () => {
    const deep = `a: 1\n---\nb: ${"[".repeat(70)}${"]".repeat(70)}\n`;
    expect(scanYamlDocuments(deep, 64)).toEqual({ ok: false, error: "must not nest deeper than 64 levels (the document starting at line 2)" });
    expect(scanYamlDocuments(`b: ${"{a: ".repeat(70)}1${"}".repeat(70)}\n`, 64).ok).toBe(false);
  });

  it("refuses deep block nesting: entries on one line, and indentation", () => {
    expect(scanYamlDocuments(`${"- ".repeat(70)}x\n`, 64).ok).toBe(false);
    const indented = Array.from({ length: 70 }, (_, i) => `${" ".repeat(i)}k:`).join("\n");
    expect(scanYamlDocuments(indented, 64).ok).toBe(false);
    expect(scanYamlDocuments(Array.from({ length: 60 }, (_, i) => `${" ".repeat(i)}k:`).join("\n"), 64).ok).toBe(true);
  });

  it("scans the crafted 400 KB stream in one linear pass without throwing", () => {
    const depth = 100_000;
    const crafted = `a: ${"[".repeat(depth)}${"]".repeat(depth)}\n---\n${"- ".repeat(depth)}leaf\n`;
    expect(scanYamlDocuments(crafted, 64).ok).toBe(false);
    // Deep but balanced text further on is never reached: the scan stops at the first excess.
    expect(scanYamlDocuments(`ok: 1\n---\n${"- ".repeat(depth)}leaf\n`, 64)).toMatchObject({ ok: false, error: expect.stringContaining("line 2") });
  });

  it("multi-line quoted scalars and flow collections keep their state across lines", () => {
    expect(scanYamlDocuments('a: "x [\n  y {"\nb: [1,\n  [2]]\nc: 3\n', 4)).toMatchObject({ ok: true });
    expect(scanYamlDocuments("a: [\n[\n[\n[\n[\n]]]]]\n", 4).ok).toBe(false);
  });
});
