import { z } from "zod";

/**
 * A rule check returns the first rule the value breaks, or undefined when it is valid.
 * Every validator in lib/validation is written once as a RuleCheck and then wrapped
 * into zod, so plain callers and schemas can never disagree.
 */
export type RuleCheck = (value: string) => string | undefined;

/** Result shape for checks that can also warn (plain-http URLs, insecure buckets). */
export type CheckResult = { ok: true; warning?: string } | { ok: false; error: string };

// C0 controls, DEL and C1 controls. Tab, LF and CR are allowed only where a caller says so.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARS_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// Bidirectional overrides and isolates reorder what a reviewer sees (Trojan Source).
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

export function hasControlChars(value: string, { allowWhitespace = false } = {}): boolean {
  const pattern = allowWhitespace ? CONTROL_CHARS_EXCEPT_WHITESPACE : CONTROL_CHARS;
  return pattern.test(value) || BIDI_CONTROLS.test(value);
}

export function isAsciiOnly(value: string): boolean {
  return /^[\x00-\x7f]*$/.test(value);
}

export function utf8ByteLength(value: string): number {
  return new TextEncoder().encode(value).length;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** A required string: "is required" for a missing value rather than zod's type jargon. */
export function requiredString() {
  return z.string({
    error: (issue) => (issue.input === undefined ? "is required" : "must be a string"),
  });
}

/** A required string validated by a RuleCheck. */
export function ruleString(check: RuleCheck) {
  return requiredString().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** A free-text field: bounded, no control characters (line breaks optional). */
export function boundedText(maxChars: number, { multiline = false } = {}): RuleCheck {
  return (value) => {
    if (value.length > maxChars) return `must be at most ${maxChars} characters`;
    if (hasControlChars(value, { allowWhitespace: multiline })) {
      return multiline
        ? "must not contain control characters other than tabs and line breaks"
        : "must not contain control characters or line breaks";
    }
    return undefined;
  };
}
