import { suspendHandler } from "@/lib/api/suspend";

export const dynamic = "force-dynamic";

/** POST /api/v1/configurations/{id}/resume `{ clusterId? }`: resumes reconciliation on one cluster or every target. */
export const POST = suspendHandler(false);
