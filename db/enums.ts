// The domain vocabularies the tables store, with no drizzle import: a browser bundle (a client
// form's role picker, a filter's state list) can import these without pulling in the database
// layer. The schema files use them for their column enums and re-export them.

export const ROLES = ["admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const AUDIT_OUTCOMES = ["success", "denied", "invalid", "failed"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const RECONCILERS = ["flux", "argocd"] as const;
export type Reconciler = (typeof RECONCILERS)[number];

export const HEALTH_STATES = ["reachable", "unreachable", "unknown"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** Azure's GitOps compliance vocabulary, worst first (the order the severity rank uses). */
export const COMPLIANCE_STATES = ["Non-Compliant", "Pending", "Unknown", "Suspended", "Compliant"] as const;
export type ComplianceState = (typeof COMPLIANCE_STATES)[number];

/**
 * `audit` checks without pushing (Azure Policy's audit effect); `deploy` is a configuration's
 * own targets.
 */
export const ASSIGNMENT_EFFECTS = ["audit", "deploy"] as const;
export type AssignmentEffect = (typeof ASSIGNMENT_EFFECTS)[number];

/**
 * ssh, https, bearer and ca log a source in and are bound to its host; pgp (public keys a Git
 * source's commits must be signed by), cosign (the public key an OCI artifact must be signed by)
 * and sops (the private key Kustomizations decrypt with) are keys, bound to no host. webhook
 * (the address and/or token a Flux notification Provider posts with) logs no source in either:
 * it is handled like a key, and its host is the address's, for display.
 */
export const CREDENTIAL_TYPES = ["ssh", "https", "bearer", "ca", "pgp", "cosign", "sops", "webhook"] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];
export const KEY_CREDENTIAL_TYPES = ["pgp", "cosign", "sops", "webhook"] as const satisfies readonly CredentialType[];
export type KeyCredentialType = (typeof KEY_CREDENTIAL_TYPES)[number];
export const isKeyCredentialType = (type: string): type is KeyCredentialType => (KEY_CREDENTIAL_TYPES as readonly string[]).includes(type);

/** gatekeeper: constraints.gatekeeper.sh; policyreport: wgpolicyk8s.io reports; openreports: openreports.io reports. */
export const POLICY_ENGINES = ["gatekeeper", "policyreport", "openreports"] as const;
export type PolicyEngine = (typeof POLICY_ENGINES)[number];

export const POLICY_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type PolicySeverity = (typeof POLICY_SEVERITIES)[number];

/**
 * A risk acceptance (waiver) is requested, then approved or rejected by a second person; either
 * side may withdraw it. An approved waiver holds until its expiry (expiry is a time, not a status).
 */
export const WAIVER_STATUSES = ["pending", "approved", "rejected", "withdrawn"] as const;
export type WaiverStatus = (typeof WAIVER_STATUSES)[number];
