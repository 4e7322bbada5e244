import { suspendHandler } from "@/lib/api/suspend";

export const dynamic = "force-dynamic";

/** POST /api/v1/configurations/{id}/suspend `{ clusterId? }`: suspends reconciliation on one cluster or every target. */
export const POST = suspendHandler(true);
