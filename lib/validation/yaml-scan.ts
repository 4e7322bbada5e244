/**
 * Pure: a linear, non-recursive pre-scan of YAML text (hardening case 26). It splits a
 * stream into documents and bounds each one's nesting depth BEFORE any part of the yaml
 * package composes it: the package composes recursively, and a deeply nested document
 * (400 KB of `[[[[…` or of ever deeper block indentation) overflowed its stack, after which
 * V8 aborted the whole process on the next parse. One pass over the characters, a few
 * integers of state, no regular expressions over unbounded text, no recursion.
 *
 * The depth is an upper bound of the real one for ordinary YAML (each open flow bracket,
 * each deeper indentation and each `- ` entry counts one level); the exact depth is checked
 * afterwards on the concrete syntax tree, which the yaml package builds iteratively.
 */

export type YamlDocumentSlice = { start: number; end: number; text: string };
export type YamlScanResult = { ok: true; documents: YamlDocumentSlice[] } | { ok: false; error: string };

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;

type Quote = "'" | '"' | null;

/** Scanner state for one document. */
class DocumentScanner {
  private flowDepth = 0;
  private quote: Quote = null;
  /** Columns of the open block nodes; its length is the block depth. */
  private indents: number[] = [];
  /** Lines more indented than this belong to a block scalar (|, >); -2 when none is open. */
  private blockScalarParent = -2;
  /** Offset of the current line's first character, for columns. */
  private lineStart = 0;
  maxDepth = 0;

  constructor(private readonly text: string) {}

  private note(extra: number): void {
    const depth = this.indents.length + this.flowDepth + extra;
    if (depth > this.maxDepth) this.maxDepth = depth;
  }

  /** Scans one line [from, to) (no line break); on a `---` line, `from` is after the marker. */
  line(from: number, to: number, markerLine = false): void {
    const t = this.text;
    this.lineStart = markerLine ? from - 3 : from;
    let i = from;
    while (i < to && t.charCodeAt(i) === SPACE) i++;
    const indent = markerLine ? -1 : i - from;
    const blank = i >= to || t.charCodeAt(i) === 0x23 /* # */ || (t.charCodeAt(i) === TAB && this.onlySpace(i, to));

    if (this.blockScalarParent > -2) {
      if (blank || indent > this.blockScalarParent) return;
      this.blockScalarParent = -2;
    }
    if (this.quote !== null) {
      i = this.scanQuoted(i, to);
      if (this.quote !== null) return;
      this.afterNode(i, to, indent);
      return;
    }
    if (this.flowDepth > 0) {
      this.scanFlow(i, to, indent);
      return;
    }
    if (blank) return;
    // Block context: leave the nodes this line is not inside of.
    while (this.indents.length > 0 && (this.indents.at(-1) ?? 0) > indent) this.indents.pop();
    if (this.indents.length === 0 || (this.indents.at(-1) ?? 0) < indent) this.indents.push(indent);
    this.nodeStart(i, to, indent);
  }

  private onlySpace(i: number, to: number): boolean {
    for (let j = i; j < to; j++) {
      const c = this.text.charCodeAt(j);
      if (c !== SPACE && c !== TAB) return false;
    }
    return true;
  }

  private skipSpace(i: number, to: number): number {
    while (i < to && (this.text.charCodeAt(i) === SPACE || this.text.charCodeAt(i) === TAB)) i++;
    return i;
  }

  private isBreakOrSpace(i: number, to: number): boolean {
    if (i >= to) return true;
    const c = this.text.charCodeAt(i);
    return c === SPACE || c === TAB;
  }

  /** At the start of a block node: entries (`- `, `? `), properties, then the node itself. */
  private nodeStart(i: number, to: number, indent: number): void {
    const t = this.text;
    for (;;) {
      i = this.skipSpace(i, to);
      if (i >= to) return;
      const c = t[i];
      if ((c === "-" || c === "?" || c === ":") && this.isBreakOrSpace(i + 1, to)) {
        // "- - x": each entry indicator opens a node one level deeper.
        i++;
        const column = i - this.lineStart;
        if ((this.indents.at(-1) ?? -1) < column) this.indents.push(column);
        this.note(0);
        continue;
      }
      if (c === "&" || c === "!") {
        while (i < to && !this.isBreakOrSpace(i, to)) i++;
        continue;
      }
      break;
    }
    const c = t[i];
    if (c === "#") return;
    if (c === "[" || c === "{") {
      this.scanFlow(i, to, indent);
      return;
    }
    if (c === '"' || c === "'") {
      this.quote = c;
      i = this.scanQuoted(i + 1, to);
      if (this.quote === null) this.afterNode(i, to, indent);
      return;
    }
    if (c === "|" || c === ">") {
      this.blockScalarParent = indent;
      return;
    }
    if (c === "*") return;
    this.plain(i, to, indent);
  }

  /** A plain scalar (a key or a value): its mapping indicator `: ` starts the value node. */
  private plain(i: number, to: number, indent: number): void {
    const t = this.text;
    for (; i < to; i++) {
      const c = t[i];
      if (c === ":" && this.isBreakOrSpace(i + 1, to)) {
        this.note(1);
        this.nodeStart(i + 1, to, indent);
        return;
      }
      if (c === "#" && i > 0 && (t.charCodeAt(i - 1) === SPACE || t.charCodeAt(i - 1) === TAB)) return;
    }
    this.note(0);
  }

  /** After a quoted key or value closed on this line: a `:` makes it a key. */
  private afterNode(i: number, to: number, indent: number): void {
    i = this.skipSpace(i, to);
    if (i < to && this.text[i] === ":") {
      this.note(1);
      this.nodeStart(i + 1, to, indent);
    }
  }

  /** Inside a quoted scalar: returns the index after the closing quote, or `to` if it continues. */
  private scanQuoted(i: number, to: number): number {
    const t = this.text;
    while (i < to) {
      const c = t[i];
      if (this.quote === '"' && c === "\\") {
        i += 2;
        continue;
      }
      if (c === this.quote) {
        if (this.quote === "'" && t[i + 1] === "'") {
          i += 2;
          continue;
        }
        this.quote = null;
        return i + 1;
      }
      i++;
    }
    return to;
  }

  /** Flow context: every bracket outside quotes and comments opens or closes a level. */
  private scanFlow(i: number, to: number, indent: number): void {
    const t = this.text;
    let previous = " ";
    while (i < to) {
      const c = t[i] ?? "";
      if (this.quote !== null) {
        i = this.scanQuoted(i, to);
        previous = '"';
        continue;
      }
      if (c === "#" && (previous === " " || previous === "\t")) return;
      if (c === "[" || c === "{") {
        this.flowDepth++;
        this.note(0);
      } else if (c === "]" || c === "}") {
        if (this.flowDepth > 0) this.flowDepth--;
        if (this.flowDepth === 0) {
          // The flow collection was a key or a value on a block line: the rest is block context.
          this.afterNode(i + 1, to, indent);
          return;
        }
      } else if ((c === '"' || c === "'") && " \t[{,:?".includes(previous)) {
        // Quotes open a scalar only where a node starts; "it's" inside a plain scalar does not.
        this.quote = c;
        i++;
        previous = c;
        continue;
      }
      previous = c;
      i++;
    }
  }
}

function isMarker(text: string, at: number, to: number, char: "-" | "."): boolean {
  if (to - at < 3 || text[at] !== char || text[at + 1] !== char || text[at + 2] !== char) return false;
  return to - at === 3 || text.charCodeAt(at + 3) === SPACE || text.charCodeAt(at + 3) === TAB;
}

/**
 * Splits `text` at `---` and `...` lines (document markers end every scalar, so this is
 * exact) and returns each document's text, or the first document nested deeper than
 * `maxDepth` (with its line). Documents holding only comments or directives are kept; the
 * caller's parser sees them as empty.
 */
export function scanYamlDocuments(text: string, maxDepth: number): YamlScanResult {
  const documents: YamlDocumentSlice[] = [];
  let docStart = 0;
  let docLine = 1;
  let scanner = new DocumentScanner(text);
  let line = 1;
  const close = (end: number): string | undefined => {
    if (scanner.maxDepth > maxDepth) return `must not nest deeper than ${maxDepth} levels (the document starting at line ${docLine})`;
    if (end > docStart) documents.push({ start: docStart, end, text: text.slice(docStart, end) });
    return undefined;
  };
  let at = 0;
  while (at <= text.length) {
    let end = text.indexOf("\n", at);
    if (end === -1) end = text.length;
    const contentEnd = end > at && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (isMarker(text, at, contentEnd, "-") || isMarker(text, at, contentEnd, ".")) {
      const problem = close(at);
      if (problem) return { ok: false, error: problem };
      docStart = at;
      docLine = line;
      scanner = new DocumentScanner(text);
      if (text[at] === "-") scanner.line(at + 3, contentEnd, true);
      else docStart = end + 1; // "..." ends a document; what follows starts the next one.
    } else if (!(scanner.maxDepth === 0 && text[at] === "%")) {
      scanner.line(at, contentEnd);
    }
    // An early exit keeps a huge document from being scanned past the point it failed.
    if (scanner.maxDepth > maxDepth) return { ok: false, error: `must not nest deeper than ${maxDepth} levels (the document starting at line ${docLine})` };
    if (end === text.length) break;
    at = end + 1;
    line++;
  }
  const problem = close(text.length);
  if (problem) return { ok: false, error: problem };
  return { ok: true, documents };
}
