import "server-only";
import { asc } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";

// The same API server registered twice (say once with the admin and once with the read-only
// kubeconfig) makes two rows whose pushes and observations mix: registration warns and asks for
// a confirmation first.

/** "https://API.example:443/" and "https://api.example" are one server. */
export function normalizeServer(server: string): string {
  try {
    const url = new URL(server);
    const port = url.port && !(url.protocol === "https:" && url.port === "443") ? `:${url.port}` : "";
    return `${url.protocol}//${url.hostname.toLowerCase()}${port}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    return server.trim().toLowerCase().replace(/\/+$/, "");
  }
}

/** Names of the clusters already registered on this API server (except `exceptId`). */
export function clustersOnServer(server: string, exceptId?: string): string[] {
  const wanted = normalizeServer(server);
  return getDb()
    .select({ id: clusters.id, name: clusters.name, server: clusters.server })
    .from(clusters)
    .orderBy(asc(clusters.name))
    .all()
    .filter((c) => c.id !== exceptId && normalizeServer(c.server) === wanted)
    .map((c) => c.name);
}
