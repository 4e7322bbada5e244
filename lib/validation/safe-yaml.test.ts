import { describe, expect, it } from "vitest";
import { parseYamlMapping, parseYamlWithLimits } from "./safe-yaml";

function errorOf(text: string): string | undefined {
  const result = parseYamlWithLimits(text);
  return result.ok ? undefined : result.error;
}

describe("parseYamlWithLimits", () => {
  it("parses ordinary values", () => {
    expect(parseYamlWithLimits("replicaCount: 2\nimage:\n  tag: \"6.6\"\nports: [80, 443]\n")).toEqual({
      ok: true,
      value: { replicaCount: 2, image: { tag: "6.6" }, ports: [80, 443] },
    });
  });

  it("allows a few aliases", () => {
    expect(parseYamlWithLimits("base: &b {cpu: 1}\na: *b\nb: *b\n")).toEqual({
      ok: true,
      value: { base: { cpu: 1 }, a: { cpu: 1 }, b: { cpu: 1 } },
    });
  });

  // Hardening case 6.
  it("rejects an alias bomb", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n");
    expect(errorOf(bomb)).toBe("must not expand aliases more than 10 times, nor use undefined aliases");
  });

  it("rejects a self-referencing alias", () => {
    expect(errorOf("a: &a [*a]")).toBe("must not contain an alias that refers to its own ancestor");
  });

  it.each([
    ["flow", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
    ["block sequence", `${"- ".repeat(100_000)}x`],
    ["block mapping", Array.from({ length: 200 }, (_, depth) => `${" ".repeat(depth)}k:`).join("\n") + " x"],
  ])("rejects deep %s nesting before the parser recurses", (_, text) => {
    expect(errorOf(text)).toBe("must not nest deeper than 64 levels");
  });

  it("keeps parsing after rejecting deep input (the process is not left broken)", () => {
    errorOf(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    errorOf(`${"- ".repeat(100_000)}x`);
    expect(parseYamlWithLimits("a: 1")).toEqual({ ok: true, value: { a: 1 } });
  });

  it("accepts nesting up to the limit", () => {
    expect(parseYamlWithLimits(`${"[".repeat(64)}${"]".repeat(64)}`).ok).toBe(true);
    expect(errorOf(`${"[".repeat(65)}${"]".repeat(65)}`)).toBe("must not nest deeper than 64 levels");
  });

  it.each([
    ["a: !!js/function 'function(){}'", "must not use custom or language-specific tags at line 1, column 4"],
    ["a: !custom x", "must not use custom or language-specific tags at line 1, column 4"],
    // Tags the 1.1 schema knows resolve without a warning, so the node walk catches them.
    ["a: !!binary aGk=", "must not use custom or language-specific tags at line 1, column 13"],
    ["s: !!set {a, b}", "must not use custom or language-specific tags at line 1, column 10"],
  ])("rejects tag in %j", (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it("allows explicit core tags", () => {
    expect(parseYamlWithLimits("a: !!str 1\nb: !!int '3'")).toEqual({ ok: true, value: { a: "1", b: 3 } });
  });

  it.each([
    ["a: 1\n---\nb: 2", "must be a single YAML document (no ---)"],
    ["a: 1\na: 2", "must not repeat a key at line 2, column 1"],
    ["a: [1, 2", "is not valid YAML at line 1, column 9"],
    ["? [a, b]\n: c", "mapping keys must be plain strings or numbers"],
    ["~: x", "mapping keys must be plain strings or numbers at line 1, column 1"],
    ["__proto__: {polluted: true}", "must not use the key __proto__ at line 1, column 1"],
    ["a: .inf", "must not contain .inf or .nan"],
  ])("rejects %j", (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it("never echoes the offending text in its messages", () => {
    const canary = "canary-<script>alert(1)</script>";
    for (const text of [`${canary}: [`, `a: !${canary} x`, `a: 1\na: 2\n${canary}: [`]) {
      expect(errorOf(text)).not.toContain("canary");
    }
  });

  // Hardening case 9: a 5 MiB values file.
  it("rejects input over the size limit with the sizes", () => {
    const big = `a: "${"x".repeat(5 * 1024 * 1024)}"`;
    expect(errorOf(big)).toBe("must be at most 512.0 KiB (got 5.0 MiB)");
    expect(errorOf(`a: "${"é".repeat(300 * 1024)}"`)).toBe("must be at most 512.0 KiB (got 600.0 KiB)");
  });
});

describe("parseYamlMapping", () => {
  it("treats empty text and comments as no values", () => {
    expect(parseYamlMapping("")).toEqual({ ok: true, value: undefined });
    expect(parseYamlMapping("# nothing yet\n")).toEqual({ ok: true, value: undefined });
  });

  it.each(["- a\n- b", "just a string", "42"])("requires a mapping, not %j", (text) => {
    expect(parseYamlMapping(text)).toEqual({ ok: false, error: "must be a YAML mapping (key: value pairs) at the top level" });
  });
});
