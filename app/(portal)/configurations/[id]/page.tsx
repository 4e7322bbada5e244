import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ConfigurationWizard } from "@/components/configurations/configuration-wizard";
import { fromSpec } from "@/components/configurations/draft";
import { RolloutProgressPanel } from "@/components/configurations/rollout-progress";
import { Badge } from "@/components/ui/badges";
import { PageHeader } from "@/components/ui/page-header";
import { TabLinks } from "@/components/ui/tabs";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { env } from "@/lib/env";
import { configurationForPage, getRolloutProgress, listRollouts, MAX_INLINE_YAML_BYTES, renderedYaml, renderedYamlHref } from "@/lib/queries/configurations";
import { credentialOptions } from "@/lib/queries/credentials";
import { listFleetForTargeting } from "@/lib/queries/fleet";
import { DeleteConfigurationForm, PushButton } from "./configuration-controls";
import { CommitsTab } from "./commits-tab";
import { TabSkeleton } from "./computed-header";
import { DriftTab } from "./drift-tab";
import { StatusTab } from "./status-tab";
import { VersionsTab } from "./versions-tab";
import { versionWords } from "@/lib/words";
import { overrideWindowsAction, previewConfigurationAction, saveConfigurationAction, saveOverridesAction } from "../actions";
import { OverridesEditor } from "@/components/configurations/overrides-editor";
import { overridesOf } from "@/lib/validation/configuration-overrides";

export const metadata: Metadata = { title: "Configuration" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string>> };

export default async function ConfigurationPage({ params, searchParams }: Props) {
  const { user } = await requirePageAccess("configurations.read");
  const { id } = await params;
  const sp = await searchParams;
  const { tab = "overview", rollout } = sp;
  const configuration = configurationForPage(id);
  if (!configuration) notFound();
  const canWrite = can(user.role, "configurations.write");
  const canPush = can(user.role, "configurations.push");
  const tabs = [
    { id: "overview", label: "Overview" },
    { id: "drift", label: "Drift" },
    { id: "commits", label: "Commits" },
    { id: "versions", label: `Versions (${configuration.currentVersion})` },
    { id: "yaml", label: "YAML" },
    { id: "overrides", label: `Overrides (${overridesOf(configuration.spec).length})` },
    ...(canWrite ? [{ id: "edit", label: "Edit" }] : []),
    ...(can(user.role, "configurations.delete") ? [{ id: "delete", label: "Delete" }] : []),
  ];
  const active = tabs.some((t) => t.id === tab) ? tab : "overview";
  const rollouts = listRollouts(configuration.id, 10);
  const shownRollout = rollout ?? rollouts[0]?.id;
  const progress = shownRollout ? getRolloutProgress(shownRollout) : undefined;
  const spec = configuration.spec;
  const repoUrl = spec.source.kind === "GitRepository" ? spec.source.url : null;
  return (
    <>
      <PageHeader
        title={configuration.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono">{spec.namespace}</span>
            <span>{versionWords(configuration.currentVersion, configuration.pushedVersion)}</span>
            {configuration.isSuspended ? <Badge tone="grey" icon="‖">Suspended</Badge> : null}
            <span className="font-mono text-xs">{spec.source.kind} {"url" in spec.source ? spec.source.url : spec.source.bucketName}</span>
          </span>
        }
        actions={canPush ? <PushButton configurationId={configuration.id} version={configuration.currentVersion} /> : null}
      />
      <TabLinks tabs={tabs} active={active} hrefFor={(t) => `/configurations/${configuration.id}${t === "overview" ? "" : `?tab=${t}`}`} />
      {active === "overview" ? (
        <div className="space-y-4">
          {progress ? <RolloutProgressPanel rolloutId={progress.id} initial={progress} {...(can(user.role, "settings.write") ? { overrideWindows: overrideWindowsAction } : {})} /> : <p className="text-sm text-zinc-600">Not pushed yet.</p>}
          <StatusTab configurationId={configuration.id} repoUrl={repoUrl} canAct={can(user.role, "configurations.reconcile")} filter={{ state: sp.state, drift: sp.drift, q: sp.q, page: sp.page }} />
          <section className="card p-4" aria-labelledby="targets">
            <h2 id="targets" className="mb-2 font-semibold">Targets ({configuration.targetCount})</h2>
            <ul className="space-y-1 text-sm">
              {configuration.targets.map((t) => (
                <li key={t.clusterId}><span className="font-mono">{t.clusterName}</span> <span className="text-xs text-zinc-500">{t.reason}</span></li>
              ))}
            </ul>
            {configuration.targetCount > configuration.targets.length ? (
              <p className="mt-1 text-xs text-zinc-500">and {configuration.targetCount - configuration.targets.length} more: the status table above lists every target, a page at a time.</p>
            ) : null}
          </section>
          {rollouts.length > 1 ? (
            <section className="card p-4" aria-labelledby="history">
              <h2 id="history" className="mb-2 font-semibold">Recent pushes</h2>
              <ul className="space-y-1 text-sm">
                {rollouts.map((r) => (
                  <li key={r.id}>
                    <a className="text-sky-800 hover:underline dark:text-sky-300" href={`/configurations/${configuration.id}?rollout=${r.id}`}>v{r.version} {r.trigger}</a>{" "}
                    <Time date={r.createdAt} /> by {r.createdBy}: {r.counts.applied} applied, {r.counts.failed} failed{r.counts.superseded ? `, ${r.counts.superseded} superseded` : ""}{r.state === "queued" ? " (waiting for the previous push)" : ""}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>
      ) : null}
      {/* The two tabs that need a cluster or Git stream in behind the page shell. */}
      {active === "drift" ? (
        <Suspense key={`drift-${sp.cluster ?? ""}`} fallback={<TabSkeleton label="Comparing with the cluster…" />}>
          <DriftTab configurationId={configuration.id} clusterId={sp.cluster} canPush={canPush} />
        </Suspense>
      ) : null}
      {active === "commits" ? (
        <Suspense fallback={<TabSkeleton label="Fetching the repository…" />}>
          <CommitsTab configurationId={configuration.id} repoUrl={repoUrl} />
        </Suspense>
      ) : null}
      {active === "versions" ? (
        <VersionsTab configurationId={configuration.id} currentVersion={configuration.currentVersion} from={sp.from} to={sp.to} rollback={sp.rollback} canRollback={canPush} cluster={sp.cluster} />
      ) : null}
      {active === "yaml" ? <YamlTab configurationId={configuration.id} version={configuration.currentVersion} yaml={renderedYaml(configuration.id, configuration.currentVersion, spec)} /> : null}
      {active === "overrides" ? (
        <OverridesEditor
          configurationId={configuration.id}
          overrides={[...overridesOf(spec)]}
          fleet={listFleetForTargeting().map((c) => ({ id: c.id, name: c.name }))}
          helmReleases={spec.helmReleases.map((release) => release.name)}
          canWrite={canWrite}
          save={saveOverridesAction}
        />
      ) : null}
      {active === "edit" && canWrite ? (
        <ConfigurationWizard
          actions={{ preview: previewConfigurationAction, save: saveConfigurationAction }}
          fleet={listFleetForTargeting()}
          credentials={credentialOptions()}
          allowLocalSources={env().FLEETLINE_ALLOW_LOCAL_SOURCES}
          canPush={canPush}
          initial={fromSpec(spec)}
          configurationId={configuration.id}
        />
      ) : null}
      {active === "delete" ? (
        <section className="card max-w-xl p-4"><DeleteConfigurationForm configurationId={configuration.id} name={configuration.name} /></section>
      ) : null}
    </>
  );
}

/** The rendered YAML inline, or past a size only as a download (a huge <pre> held the browser and the server). */
function YamlTab({ configurationId, version, yaml }: { configurationId: string; version: number; yaml: string }) {
  const download = (
    <a href={renderedYamlHref(configurationId, version)} download className="underline">Download v{version} as YAML</a>
  );
  if (yaml.length > MAX_INLINE_YAML_BYTES) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400" role="status">The rendered YAML is too large to show here ({Math.round(yaml.length / 1024)} KiB). {download}</p>;
  }
  return (
    <div className="space-y-2">
      <p className="text-sm">{download}</p>
      <pre tabIndex={0} className="card max-h-[70vh] overflow-auto p-3 font-mono text-xs">{yaml}</pre>
    </div>
  );
}
