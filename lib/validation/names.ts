import { z } from "zod";
import { isAsciiOnly, ruleString, type RuleCheck } from "./rules";

export const DNS_LABEL_MAX_LENGTH = 63;
export const DNS_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;
export const MAX_LABELS = 64;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Label names and values are case-sensitive and may use '_' and '.', unlike DNS names.
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * The checks shared by DNS labels and subdomains, in the order a user is most likely to
 * trip over them, so the message names the rule that actually failed.
 */
function checkDnsName(value: string, rule: string, maxLength: number, allowDots: boolean): string | undefined {
  if (value.length === 0) return `must not be empty (${rule})`;
  if (!isAsciiOnly(value)) return `must contain only ASCII characters, no Unicode (${rule})`;
  if (value.length > maxLength) return `must be at most ${maxLength} characters, got ${value.length} (${rule})`;
  if (/[A-Z]/.test(value)) return `must be lowercase (${rule})`;
  if (value.includes("/")) return `must not contain '/' (${rule})`;
  if (value.includes("..")) return `must not contain '..' (${rule})`;
  if (!allowDots && value.includes(".")) return `must not contain '.' (${rule})`;
  if (/[^a-z0-9.-]/.test(value)) return `may contain only lowercase letters, digits${allowDots ? ", '.'" : ""} and '-' (${rule})`;
  const pattern = allowDots ? DNS_SUBDOMAIN : DNS_LABEL;
  if (!pattern.test(value)) {
    return allowDots
      ? `each dot-separated part must start and end with a letter or digit (${rule})`
      : `must start and end with a letter or digit (${rule})`;
  }
  return undefined;
}

/** RFC 1123 label: namespaces, configuration and Kustomization names. */
export const checkDnsLabel: RuleCheck = (value) =>
  checkDnsName(value, "DNS-1123 label", DNS_LABEL_MAX_LENGTH, false);

/** RFC 1123 subdomain: most object names (Secrets, ConfigMaps). */
export const checkDnsSubdomain: RuleCheck = (value) =>
  checkDnsName(value, "DNS-1123 subdomain", DNS_SUBDOMAIN_MAX_LENGTH, true);

function checkQualifiedName(value: string, rule: string): string | undefined {
  if (value.length === 0) return `must not be empty (${rule})`;
  if (!isAsciiOnly(value)) return `must contain only ASCII characters, no Unicode (${rule})`;
  if (value.length > LABEL_VALUE_MAX_LENGTH) {
    return `must be at most ${LABEL_VALUE_MAX_LENGTH} characters, got ${value.length} (${rule})`;
  }
  if (/[^A-Za-z0-9._-]/.test(value)) return `may contain only letters, digits, '-', '_' and '.' (${rule})`;
  if (!QUALIFIED_NAME.test(value)) return `must start and end with a letter or digit (${rule})`;
  return undefined;
}

/** Label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export const checkLabelKey: RuleCheck = (value) => {
  const slash = value.indexOf("/");
  if (slash === -1) return checkQualifiedName(value, "label key name");
  if (value.indexOf("/", slash + 1) !== -1) return "must contain at most one '/' (label key: prefix/name)";
  const prefixProblem = checkDnsName(value.slice(0, slash), "label key prefix: DNS-1123 subdomain", DNS_SUBDOMAIN_MAX_LENGTH, true);
  if (prefixProblem) return prefixProblem;
  return checkQualifiedName(value.slice(slash + 1), "label key name");
};

/** Label value: like a key name, but may be empty. */
export const checkLabelValue: RuleCheck = (value) =>
  value === "" ? undefined : checkQualifiedName(value, "label value");

export const dnsLabelSchema = ruleString(checkDnsLabel);
export const dnsSubdomainSchema = ruleString(checkDnsSubdomain);
export const labelKeySchema = ruleString(checkLabelKey);
export const labelValueSchema = ruleString(checkLabelValue);

export const labelsSchema = z
  .record(labelKeySchema, labelValueSchema)
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, `must have at most ${MAX_LABELS} labels`);

export type Labels = z.infer<typeof labelsSchema>;
