import { ROLES, type Role } from "@/db/schema";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * Parses FLEETLINE_OIDC_ROLE_MAP ("platform-admins=admin,sre=operator") into group -> role.
 * Unknown roles are a configuration error, reported at start-up rather than ignored.
 */
export function parseRoleMap(text: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>();
  if (!text) return map;
  for (const pair of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf("=");
    const group = pair.slice(0, eq).trim();
    const role = pair.slice(eq + 1).trim();
    if (eq <= 0 || !group) throw new Error(`FLEETLINE_OIDC_ROLE_MAP: "${pair}" is not group=role`);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`FLEETLINE_OIDC_ROLE_MAP: role "${role}" must be one of ${ROLES.join(", ")}`);
    }
    map.set(group, role as Role);
  }
  return map;
}

/** The highest role any of the user's groups maps to; viewer when none does. */
export function roleForGroups(groups: unknown, map: Map<string, Role>): Role {
  const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
  return list.reduce<Role>((best, g) => {
    const role = map.get(g);
    return role && RANK[role] > RANK[best] ? role : best;
  }, "viewer");
}
