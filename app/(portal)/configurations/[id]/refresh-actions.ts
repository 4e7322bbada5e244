"use server";

import { requirePermission } from "@/lib/auth/current";
import { refreshCommits } from "@/lib/queries/commits";
import { configurationForPage } from "@/lib/queries/configurations";
import { refreshDrift } from "@/lib/queries/drift";

export type RefreshResult = { status: "ok" } | { status: "invalid"; message: string };

const ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The refresh button of the Drift and Commits tabs: starts a fresh computation in the
 * background and returns at once; the page then re-renders and shows it when it is done.
 */
export async function refreshTabAction(tab: unknown, configurationId: unknown, clusterId?: unknown): Promise<RefreshResult> {
  const id = typeof configurationId === "string" && ID.test(configurationId) ? configurationId : null;
  await requirePermission("configurations.read", { action: "configuration.refresh", targetType: "configuration", targetId: id ?? undefined });
  if (!id || !configurationForPage(id)) return { status: "invalid", message: "Configuration: not found." };
  if (tab === "commits") {
    refreshCommits(id);
    return { status: "ok" };
  }
  if (tab === "drift" && typeof clusterId === "string" && ID.test(clusterId)) {
    refreshDrift(id, clusterId);
    return { status: "ok" };
  }
  return { status: "invalid", message: tab === "drift" ? "Cluster: choose a cluster." : "Tab: drift or commits." };
}
