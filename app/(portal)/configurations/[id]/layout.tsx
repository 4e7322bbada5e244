import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requirePageAccess } from "@/lib/auth/current";
import { configurationExists } from "@/lib/queries/configurations";

/**
 * The access check and the existence check run here, outside loading.tsx's Suspense boundary:
 * once a response streams its status is 200, so a 403 or 404 must be decided before the page
 * body (and its skeleton) starts. Both are cheap; the page repeats them from React's cache.
 */
export default async function ConfigurationLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  await requirePageAccess("configurations.read");
  const { id } = await params;
  if (!configurationExists(id)) notFound();
  return children;
}
