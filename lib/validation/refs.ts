import { hasControlChars, isAsciiOnly, type RuleCheck } from "./rules";

/** Checks for the reference-like strings a source points at: Git refs, OCI tags and digests, chart names. */

export const MAX_GIT_REF_LENGTH = 255;

/**
 * A short branch or tag name under git's check-ref-format rules, plus two of our own:
 * no leading '-' (git would read it as an option) and ASCII only.
 */
export const checkGitRefName: RuleCheck = (value) => {
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_GIT_REF_LENGTH) return `must be at most ${MAX_GIT_REF_LENGTH} characters`;
  if (!isAsciiOnly(value)) return "must contain only ASCII characters";
  if (hasControlChars(value) || /[\s~^:?*[\\]/.test(value)) {
    return "must not contain spaces, control characters or any of ~ ^ : ? * [ \\ (git ref name)";
  }
  if (value.startsWith("-")) return "must not start with '-'";
  if (value.startsWith("refs/")) return "must be a short name, without the refs/heads/ or refs/tags/ prefix";
  if (value.includes("..")) return "must not contain '..' (git ref name)";
  if (value.includes("@{") || value === "@") return "must not contain '@{' or be '@' (git ref name)";
  if (value.startsWith("/") || value.endsWith("/") || value.includes("//")) {
    return "must not start or end with '/' or contain '//' (git ref name)";
  }
  if (value.endsWith(".")) return "must not end with '.' (git ref name)";
  const components = value.split("/");
  if (components.some((component) => component.startsWith("."))) return "no '/'-separated part may start with '.' (git ref name)";
  if (components.some((component) => component.endsWith(".lock"))) return "no '/'-separated part may end with '.lock' (git ref name)";
  return undefined;
};

export const checkCommitSha: RuleCheck = (value) =>
  /^[0-9a-f]{40}$/.test(value) ? undefined : "must be a full 40-character lowercase hexadecimal commit SHA";

export const checkOciTag: RuleCheck = (value) =>
  /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(value)
    ? undefined
    : "must be 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (OCI tag)";

export const checkOciDigest: RuleCheck = (value) =>
  /^sha256:[0-9a-f]{64}$/.test(value) ? undefined : "must be sha256: followed by 64 lowercase hexadecimal characters";

/** A chart name in a Helm repository index (not a path). */
export const checkChartName: RuleCheck = (value) => {
  if (value.length === 0) return "must not be empty";
  if (value.length > 250) return "must be at most 250 characters";
  if (value.includes("/")) return "must be a chart name, not a path, when the source is a HelmRepository";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
    return "must start with a letter or digit and contain only letters, digits, '.', '_' and '-' (chart name)";
  }
  return undefined;
};

/** Helm's own limit and pattern for release names. */
export const checkHelmReleaseName: RuleCheck = (value) => {
  if (value.length === 0) return "must not be empty";
  if (value.length > 53) return `must be at most 53 characters, got ${value.length} (Helm release name)`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)) {
    return "must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (Helm release name)";
  }
  return undefined;
};

/** S3 bucket naming rules (the strictest of the providers Flux's Bucket supports). */
export const checkBucketName: RuleCheck = (value) => {
  if (value.length < 3 || value.length > 63) return "must be 3-63 characters (S3 bucket name)";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) {
    return "must be lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (S3 bucket name)";
  }
  if (value.includes("..")) return "must not contain '..' (S3 bucket name)";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return "must not look like an IP address (S3 bucket name)";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(value) || /(-s3alias|--ol-s3|\.mrap|--x-s3)$/.test(value)) {
    return "must not use a prefix or suffix S3 reserves (S3 bucket name)";
  }
  return undefined;
};
