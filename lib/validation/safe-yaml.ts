import { isAlias, isScalar, LineCounter, Parser, parseDocument, visit, type CST, type Document } from "yaml";
import { isJsonObject, type JsonObject, type JsonValue } from "./json";
import { formatBytes, utf8ByteLength } from "./rules";
import { scanYamlDocuments, type YamlDocumentSlice } from "./yaml-scan";

/**
 * YAML parsing with limits (hardening case 6): size, nesting depth, alias expansion and
 * tags. Error messages give a line and a rule, never the offending text.
 */

export type YamlLimits = { maxBytes: number; maxDepth: number; maxAliasCount: number };

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 512 * 1024, maxDepth: 64, maxAliasCount: 10 };

export type YamlParseResult = { ok: true; value: JsonValue } | { ok: false; error: string };

const CORE_TAGS = new Set(
  ["map", "seq", "str", "null", "bool", "int", "float"].map((name) => `tag:yaml.org,2002:${name}`),
);

function isCollectionToken(token: CST.Token): token is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection";
}

/**
 * Nesting depth from the concrete syntax tree, walked with an explicit stack. The yaml
 * package builds its CST iteratively but composes documents recursively; it catches its
 * own stack overflow, yet in our tests the next parse after one aborted Node (V8 out of
 * memory compiling a regexp). So depth is checked before parseDocument sees the text.
 */
function exceedsDepth(text: string, maxDepth: number): boolean {
  const stack: Array<{ token: CST.Token; depth: number }> = [];
  for (const token of new Parser().parse(text)) {
    if (token.type === "document" && token.value) stack.push({ token: token.value, depth: 0 });
    while (stack.length > 0) {
      const entry = stack.pop();
      if (!entry || !isCollectionToken(entry.token)) continue;
      const depth = entry.depth + 1;
      if (depth > maxDepth) return true;
      for (const item of entry.token.items) {
        if (item.key) stack.push({ token: item.key, depth });
        if (item.value) stack.push({ token: item.value, depth });
      }
    }
  }
  return false;
}

// The pre-scan counts a level more than the syntax tree does for most shapes ("key:" opens its
// value); the exact check on the tree follows, so the scan only has to keep the composer shallow.
const SCAN_SLACK = 2;

/**
 * The documents of a YAML stream (Git manifests, cluster content), each checked for depth by
 * the linear pre-scan before any parser composes it (hardening case 26).
 */
export function splitYamlDocuments(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): { ok: true; documents: YamlDocumentSlice[] } | { ok: false; error: string } {
  const scan = scanYamlDocuments(text, limits.maxDepth + SCAN_SLACK);
  return scan.ok ? scan : { ok: false, error: `must not nest deeper than ${limits.maxDepth} levels` };
}

function at(lineCounter: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return "";
  const { line, col } = lineCounter.linePos(offset);
  return ` at line ${line}, column ${col}`;
}

function firstStructuralProblem(doc: Document, lineCounter: LineCounter): string | undefined {
  let problem: string | undefined;
  visit(doc, {
    Node(_, node) {
      if (isAlias(node) || !node.tag || CORE_TAGS.has(node.tag)) return undefined;
      problem = `must not use custom or language-specific tags${at(lineCounter, node.range?.[0])}`;
      return visit.BREAK;
    },
    Pair(_, pair) {
      const key = pair.key;
      if (!isScalar(key) || key.value === null || typeof key.value === "object") {
        problem = `mapping keys must be plain strings or numbers${at(lineCounter, isScalar(key) ? key.range?.[0] : undefined)}`;
        return visit.BREAK;
      }
      // A "__proto__" key is harmless to Helm but a prototype-pollution hazard to JS code merging values.
      if (key.value === "__proto__") {
        problem = `must not use the key __proto__${at(lineCounter, key.range?.[0])}`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return problem;
}

/** Depth and cycle check on the composed value: aliases can nest a deep node inside another. */
function checkValueShape(value: unknown, maxDepth: number): string | undefined {
  const stack: Array<{ node: unknown; depth: number; ancestors: Set<unknown> }> = [{ node: value, depth: 0, ancestors: new Set() }];
  while (stack.length > 0) {
    const entry = stack.pop();
    if (!entry) break;
    const { node, depth, ancestors } = entry;
    if (typeof node === "number" && !Number.isFinite(node)) return "must not contain .inf or .nan";
    if (typeof node !== "object" || node === null) continue;
    if (ancestors.has(node)) return "must not contain an alias that refers to its own ancestor";
    if (depth + 1 > maxDepth) return `must not nest deeper than ${maxDepth} levels`;
    const next = new Set(ancestors).add(node);
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1, ancestors: next });
  }
  return undefined;
}

function errorMessage(code: string, where: string): string {
  if (code === "MULTIPLE_DOCS") return "must be a single YAML document (no ---)";
  if (code === "DUPLICATE_KEY") return `must not repeat a key${where}`;
  if (code === "TAG_RESOLVE_FAILED") return `must not use custom or language-specific tags${where}`;
  return `is not valid YAML${where}`;
}

export function parseYamlWithLimits(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlParseResult {
  const fail = (error: string): YamlParseResult => ({ ok: false, error });
  // text.length counts UTF-16 units, never more than the UTF-8 bytes, so it is a cheap first gate.
  if (text.length > limits.maxBytes || utf8ByteLength(text) > limits.maxBytes) {
    return fail(`must be at most ${formatBytes(limits.maxBytes)} (got ${formatBytes(utf8ByteLength(text))})`);
  }
  // Linear pre-scan first: nothing recursive may see a deeply nested text.
  const scan = splitYamlDocuments(text, limits);
  if (!scan.ok) return fail(scan.error);
  if (exceedsDepth(text, limits.maxDepth)) return fail(`must not nest deeper than ${limits.maxDepth} levels`);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: "1.2", schema: "core", merge: false, uniqueKeys: true, lineCounter });
  const issue = doc.errors[0] ?? doc.warnings[0];
  if (issue) return fail(errorMessage(issue.code, at(lineCounter, issue.pos[0])));
  const structural = firstStructuralProblem(doc, lineCounter);
  if (structural) return fail(structural);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch {
    // The yaml package throws on excessive alias expansion (billion laughs) and unresolved aliases.
    return fail(`must not expand aliases more than ${limits.maxAliasCount} times, nor use undefined aliases`);
  }
  const shapeProblem = checkValueShape(value, limits.maxDepth);
  if (shapeProblem) return fail(shapeProblem);
  // The core schema yields only strings, finite numbers (checked above), booleans, null,
  // arrays and plain objects, which is exactly JsonValue.
  return { ok: true, value: (value ?? null) as JsonValue };
}

/** A values-style document: a mapping, or nothing at all (empty text and comments only). */
export function parseYamlMapping(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): { ok: true; value: JsonObject | undefined } | { ok: false; error: string } {
  const result = parseYamlWithLimits(text, limits);
  if (!result.ok) return result;
  if (result.value === null) return { ok: true, value: undefined };
  if (!isJsonObject(result.value)) return { ok: false, error: "must be a YAML mapping (key: value pairs) at the top level" };
  return { ok: true, value: result.value };
}
