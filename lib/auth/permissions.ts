import type { Role } from "@/db/schema";

// Pure: shared by server checks and by UI code that hides controls a role cannot use.
export const PERMISSIONS = [
  "dashboard.read",
  "clusters.read",
  "clusters.register",
  "clusters.update",
  "clusters.credentials",
  "clusters.delete",
  "configurations.read",
  "configurations.write",
  "configurations.push",
  "configurations.reconcile",
  "configurations.delete",
  "credentials.read",
  "credentials.write",
  "compliance.read",
  "assignments.write",
  // Ask for, approve, reject or withdraw a risk acceptance (never approve one's own).
  "waivers.write",
  "audit.read",
  "users.read",
  "users.write",
  "settings.write",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = [
  "dashboard.read",
  "clusters.read",
  "configurations.read",
  "compliance.read",
  "audit.read",
];

const OPERATOR: readonly Permission[] = [
  ...VIEWER,
  "clusters.update",
  "configurations.write",
  "configurations.push",
  "configurations.reconcile",
  "configurations.delete",
  "credentials.read",
  "assignments.write",
  "waivers.write",
];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  operator: new Set(OPERATOR),
  admin: new Set(PERMISSIONS),
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
