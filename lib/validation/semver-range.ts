import type { RuleCheck } from "./rules";

/**
 * Syntax check for the semver constraints Flux accepts (Masterminds/semver v3:
 * `^1.2`, `~1.2.3`, `>=1.0 <2.0`, `1.2.x`, `1.0 - 2.0`, `* || >=3`). It answers only
 * "would Flux parse this?"; which versions match is the controller's business.
 * A full parser would be a new dependency; this grammar is small enough to state here.
 */

export const MAX_SEMVER_RANGE_LENGTH = 256;

const IDENTIFIERS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
const PART = "(?:[0-9]+|[xX*])";
const VERSION = `v?${PART}(?:\\.${PART}){0,2}(?:-${IDENTIFIERS})?(?:\\+${IDENTIFIERS})?`;
const OPERATOR = "(?:!=|>=|=>|<=|=<|~>|>|<|=|~|\\^)";

const HYPHEN_RANGE = new RegExp(`^${VERSION}\\s+-\\s+${VERSION}$`);
const CONSTRAINT = new RegExp(`${OPERATOR}?\\s*${VERSION}`, "y");
const SEPARATOR = /\s*,\s*|\s+/y;

function isConstraintList(text: string): boolean {
  let position = 0;
  for (;;) {
    CONSTRAINT.lastIndex = position;
    if (!CONSTRAINT.test(text)) return false;
    position = CONSTRAINT.lastIndex;
    if (position === text.length) return true;
    SEPARATOR.lastIndex = position;
    if (!SEPARATOR.test(text)) return false;
    position = SEPARATOR.lastIndex;
  }
}

export const checkSemverRange: RuleCheck = (value) => {
  const text = value.trim();
  if (text.length === 0) return "must not be empty (use * for any version)";
  if (value.length > MAX_SEMVER_RANGE_LENGTH) return `must be at most ${MAX_SEMVER_RANGE_LENGTH} characters`;
  const alternatives = text.split("||").map((part) => part.trim());
  const isValid = alternatives.every((part) => part.length > 0 && (HYPHEN_RANGE.test(part) || isConstraintList(part)));
  return isValid ? undefined : "must be a semver range such as ^1.2, ~1.2.3, >=1.0 <2.0 or * (semver constraint syntax)";
};
