import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RolloutView } from "@/components/rollouts/rollout-view";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { getRolloutProgress } from "@/lib/queries/configurations";
import { rolloutControlAction } from "../actions";

export const metadata: Metadata = { title: "Rollout" };

const TRIGGER_WORDS: Record<string, string> = { push: "Push", "target-change": "Target change", delete: "Deletion", rollback: "Rollback" };

export default async function RolloutPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requirePageAccess("configurations.read");
  const { id } = await params;
  const progress = getRolloutProgress(id);
  if (!progress) notFound();
  return (
    <>
      <PageHeader
        title={`${TRIGGER_WORDS[progress.trigger] ?? progress.trigger} of ${progress.configurationName} v${progress.version}`}
        description={
          <span>
            Started by {progress.createdBy} <Time date={progress.createdAt} /> ·{" "}
            <a className="text-sky-800 underline dark:text-sky-300" href={`/configurations/${progress.configurationId}`}>{progress.configurationName}</a>
            {progress.previousVersion !== null ? ` · the target set ran v${progress.previousVersion} before` : ""}
          </span>
        }
      />
      <RolloutView initial={progress} canPush={can(user.role, "configurations.push")} action={rolloutControlAction} />
    </>
  );
}
