import type { Metadata } from "next";
import { ClusterPolicies } from "@/components/compliance/cluster-policies";
import { clusterPolicies } from "@/lib/policy/queries";
import { ClusterVersionsView } from "@/components/versions/cluster-versions";
import { clusterVersions } from "@/lib/versions/queries";
import Link from "@/components/ui/link";
import { notFound } from "next/navigation";
import { Badge, FluxBadge, HealthBadge, LabelChips, LimitedAccessBadge, ReconcilerBadge, StaleBadge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TabLinks } from "@/components/ui/tabs";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import type { ControllerState } from "@/db/schema";
import { formatLabels } from "@/lib/inventory/cluster-input";
import { argoApplications, getClusterDetail, type ArgoApplicationRow, type ClusterDetail } from "@/lib/queries/clusters";
import { ComplianceBadge } from "@/components/ui/compliance-badge";
import { LongText } from "@/components/ui/long-text";
import { valuesForCluster, type ConfigurationValues } from "@/lib/queries/cluster-values";
import { DeleteClusterForm, LabelsForm, ReconcilerForm, RotateCredentialsForm } from "./cluster-forms";

export const metadata: Metadata = { title: "Cluster" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string>> };

/** Argo CD's Applications on this cluster, each linked to the configuration that owns it. */
function ArgoApplications({ applications }: { applications: readonly ArgoApplicationRow[] }) {
  if (applications.length === 0) return <EmptyState title="No Applications seen">No Fleetline configuration has Applications on this cluster yet.</EmptyState>;
  return (
    <div className="card">
      <table className="table-dense w-full table-fixed">
        <thead>
          <tr><th scope="col">Application</th><th scope="col">State</th><th scope="col">Sync · health</th><th scope="col">Revision</th><th scope="col">Configuration</th></tr>
        </thead>
        <tbody>
          {applications.map((a) => (
            <tr key={`${a.namespace}/${a.name}`}>
              <td className="break-all font-mono text-xs">{a.namespace}/{a.name}</td>
              <td><ComplianceBadge state={a.state} reason={a.reason} />{a.message ? <LongText text={a.message} /> : null}</td>
              <td className="text-xs">{a.sync ?? "Unknown"} · {a.health ?? "Unknown"}</td>
              <td className="font-mono text-xs" title={a.revision ?? undefined}>{a.revision?.slice(0, 12) ?? "—"}</td>
              <td><Link className="text-sky-800 hover:underline dark:text-sky-300" href={`/configurations/${a.configurationId}`}>{a.configurationName}</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A reconciler's controllers (Deployments, StatefulSets) and whether their replicas are ready. */
function Controllers({ controllers }: { controllers: readonly ControllerState[] }) {
  return (
    <ul className="mt-3 space-y-1 text-sm">
      {controllers.map((c) => (
        <li key={c.name} className="flex items-center gap-2">
          {c.ready ? <Badge tone="green" icon="✓">Ready</Badge> : <Badge tone="red" icon="✕">Not ready</Badge>}
          <span className="font-mono text-xs">{c.name}</span>
        </li>
      ))}
    </ul>
  );
}

function ArgoPanel({ cluster, applications }: { cluster: ClusterDetail; applications: readonly ArgoApplicationRow[] }) {
  const h = cluster.health;
  return (
    <section className="card p-4" aria-labelledby="argo">
      <h2 id="argo" className="mb-3 font-semibold">Argo CD</h2>
      {h?.argoInstalled ? (
        <Badge tone="blue" icon="✓">{h.argoVersion ? `Argo CD ${h.argoVersion}` : "Argo CD installed"}</Badge>
      ) : h?.argoInstalled === false ? (
        <Badge tone="grey" icon="–">Argo CD not installed</Badge>
      ) : (
        <Badge tone="neutral" icon="?">Argo CD unknown</Badge>
      )}
      {h?.argoControllers.length ? (
        <Controllers controllers={h.argoControllers} />
      ) : h?.argoInstalled ? (
        <p className="mt-2 text-sm text-zinc-500">No workloads labelled app.kubernetes.io/part-of=argocd in argocd: version and controllers unknown.</p>
      ) : null}
      <p className="mt-2 text-sm">{applications.length === 1 ? "1 Application" : `${applications.length} Applications`} from Fleetline configurations: see the <Link className="text-sky-800 hover:underline dark:text-sky-300" href={`/clusters/${cluster.id}?tab=objects`}>Applications</Link> tab.</p>
    </section>
  );
}

function Overview({ cluster, argo }: { cluster: ClusterDetail; argo: readonly ArgoApplicationRow[] | null }) {
  const h = cluster.health;
  const facts: [string, React.ReactNode][] = [
    ["API server", <span key="s" className="font-mono text-xs">{cluster.server}</span>],
    ["Kubernetes", h?.kubernetesVersion ?? "—"],
    ["Nodes", h?.nodeCount ?? "not readable"],
    ["Latency", h?.latencyMs !== null && h?.latencyMs !== undefined ? `${h.latencyMs} ms` : "—"],
    ["Last checked", <Time key="c" date={h?.checkedAt} />],
    ["Last seen", <Time key="l" date={h?.lastSeenAt} />],
    ["Argo CD", h?.argoInstalled ? (h.argoVersion ?? "installed") : h?.argoInstalled === false ? "not installed" : "unknown"],
    ["Registered", <span key="r"><Time date={cluster.createdAt} /> by {cluster.createdBy}</span>],
  ];
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <section className="card p-4" aria-labelledby="facts">
        <h2 id="facts" className="mb-3 font-semibold">Cluster</h2>
        {h?.reason ? (
          <p
            role="alert"
            className={`mb-3 rounded-md px-3 py-2 text-sm ${h.state === "unreachable" ? "bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-200" : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200"}`}
          >
            {h.reasonKind ? `${h.reasonKind}: ` : ""}{h.reason}
          </p>
        ) : null}
        <dl className="grid grid-cols-[9rem_1fr] gap-y-1.5 text-sm">
          {facts.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-zinc-500">{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      {argo ? <ArgoPanel cluster={cluster} applications={argo} /> : <section className="card p-4" aria-labelledby="flux">
        <h2 id="flux" className="mb-3 font-semibold">Flux</h2>
        <FluxBadge installed={h?.fluxInstalled} version={h?.fluxVersion} />
        {h?.fluxControllers.length ? (
          <Controllers controllers={h.fluxControllers} />
        ) : h?.fluxInstalled ? (
          <p className="mt-2 text-sm text-zinc-500">No controller Deployments labelled app.kubernetes.io/part-of=flux in flux-system.</p>
        ) : null}
        {h?.fluxObjectCounts.length ? (
          <table className="table-dense mt-3">
            <thead>
              <tr><th scope="col">Kind</th><th scope="col">Ready</th><th scope="col">Not ready</th><th scope="col">Unknown</th></tr>
            </thead>
            <tbody>
              {h.fluxObjectCounts.map((c) => (
                <tr key={c.kind}><td>{c.kind}</td><td>{c.ready}</td><td>{c.notReady}</td><td>{c.unknown}</td></tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>}
      <section className="card p-4 lg:col-span-2" aria-labelledby="history">
        <h2 id="history" className="mb-3 font-semibold">Health history</h2>
        <ol className="space-y-1 text-sm">
          {cluster.events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-center gap-2">
              <Time date={e.at} />
              <HealthBadge state={e.state} />
              {e.kubernetesVersion ? <span className="font-mono text-xs">{e.kubernetesVersion}</span> : null}
              {e.reason ? <span className="text-xs text-zinc-600 dark:text-zinc-400">{e.reason}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function FluxObjects({ cluster }: { cluster: ClusterDetail }) {
  if (cluster.fluxObjects.length === 0) {
    return <EmptyState title="No Flux objects seen">The last health check found no sources, Kustomizations or Helm releases on this cluster.</EmptyState>;
  }
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense">
        <thead>
          <tr><th scope="col">Kind</th><th scope="col">Namespace/name</th><th scope="col">Ready</th><th scope="col">Message</th><th scope="col">Managed by</th></tr>
        </thead>
        <tbody>
          {cluster.fluxObjects.map((o) => (
            <tr key={`${o.kind}/${o.namespace}/${o.name}`}>
              <td>{o.kind}</td>
              <td className="font-mono text-xs">{o.namespace}/{o.name}</td>
              <td>
                {o.isSuspended ? <Badge tone="grey" icon="‖">Suspended</Badge> : o.ready === "True" ? <Badge tone="green" icon="✓">Ready</Badge> : o.ready === "False" ? <Badge tone="red" icon="✕">{o.reason ?? "Not ready"}</Badge> : <Badge tone="neutral" icon="?">Unknown</Badge>}
              </td>
              <td className="max-w-md text-xs">{o.message}</td>
              <td className="text-xs">{o.configuration ? `Fleetline (${o.configuration})` : "not Fleetline"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function ClusterPage({ params, searchParams }: Props) {
  const { user } = await requirePageAccess("clusters.read");
  const { id } = await params;
  const { tab = "overview", rotated } = await searchParams;
  const cluster = getClusterDetail(id);
  if (!cluster) notFound();
  const canEditLabels = can(user.role, "clusters.update");
  const isAdmin = can(user.role, "clusters.credentials");
  const reconciler = cluster.reconcilerOverride ?? cluster.health?.detectedReconciler ?? null;
  // An Argo CD cluster gets its own panel and Applications tab, not an empty Flux card.
  const argo = reconciler === "argocd" ? argoApplications(cluster.id) : null;
  const tabs = [
    { id: "overview", label: "Overview" },
    { id: "objects", label: argo ? `Applications (${argo.length})` : `Flux objects (${cluster.fluxObjects.length})` },
    { id: "values", label: "Values" },
    { id: "policies", label: "Policies" },
    { id: "versions", label: "Versions" },
    { id: "labels", label: "Labels" },
    ...(isAdmin ? [{ id: "credentials", label: "Credentials" }] : []),
    ...(can(user.role, "clusters.delete") ? [{ id: "delete", label: "Delete" }] : []),
  ];
  const active = tabs.some((t) => t.id === tab) ? tab : "overview";
  return (
    <>
      <PageHeader
        title={cluster.displayName}
        description={
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-mono">{cluster.name}</span>
            <HealthBadge state={cluster.health?.state} reason={cluster.health?.reason} lastSeenAt={cluster.health?.lastSeenAt} />
            <StaleBadge lastSeenAt={cluster.health?.lastSeenAt} checkedAt={cluster.health?.checkedAt} />
            <LimitedAccessBadge reasonKind={cluster.health?.reasonKind} reason={cluster.health?.reason} />
            <ReconcilerBadge reconciler={reconciler} />
            <LabelChips labels={cluster.labels} />
          </div>
        }
        actions={
          can(user.role, "configurations.write") ? (
            <Link href={`/configurations/new?cluster=${cluster.id}`} className="btn-secondary">
              Add configuration to this cluster
            </Link>
          ) : null
        }
      />
      {rotated ? <p role="status" className="mb-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">Credentials replaced.</p> : null}
      <TabLinks tabs={tabs} active={active} hrefFor={(t) => `/clusters/${cluster.id}${t === "overview" ? "" : `?tab=${t}`}`} />
      {active === "overview" ? <Overview cluster={cluster} argo={argo} /> : null}
      {active === "objects" ? argo ? <ArgoApplications applications={argo} /> : <FluxObjects cluster={cluster} /> : null}
      {active === "values" ? <ValuesTab values={valuesForCluster(cluster)} /> : null}
      {active === "policies" ? <ClusterPolicies name={cluster.name} policies={clusterPolicies(cluster.id)} canWaive={can(user.role, "waivers.write")} /> : null}
      {active === "versions" ? <ClusterVersionsView name={cluster.name} versions={clusterVersions(cluster.id)} /> : null}
      {active === "labels" ? (
        canEditLabels ? (
          <section className="card max-w-xl p-4"><LabelsForm clusterId={cluster.id} labelsText={formatLabels(cluster.labels)} /></section>
        ) : (
          <section className="card p-4"><LabelChips labels={cluster.labels} /><p className="mt-2 text-xs text-zinc-500">Operators and admins can edit labels.</p></section>
        )
      ) : null}
      {active === "credentials" && isAdmin ? (
        <div className="grid gap-4 lg:grid-cols-2">
          <section className="card p-4" aria-labelledby="current-creds">
            <h2 id="current-creds" className="mb-2 font-semibold">Current credentials</h2>
            <p className="text-sm">{cluster.authMethod === "kubeconfig" ? "From a kubeconfig" : "API server URL and token"}, fingerprint <span className="font-mono text-xs">{cluster.credentialsFingerprint}</span>, set <Time date={cluster.credentialsRotatedAt} />.</p>
            <p className="mt-1 text-xs text-zinc-500">Stored encrypted; never shown again.</p>
            <div className="mt-4"><ReconcilerForm clusterId={cluster.id} override={cluster.reconcilerOverride} /></div>
          </section>
          <section className="card p-4" aria-labelledby="rotate">
            <h2 id="rotate" className="mb-2 font-semibold">Rotate credentials</h2>
            <RotateCredentialsForm clusterId={cluster.id} />
          </section>
        </div>
      ) : null}
      {active === "delete" && can(user.role, "clusters.delete") ? (
        <section className="card max-w-xl p-4" aria-labelledby="delete">
          <h2 id="delete" className="mb-2 font-semibold">Delete {cluster.name}</h2>
          <DeleteClusterForm clusterId={cluster.id} name={cluster.name} />
        </section>
      ) : null}
    </>
  );
}

/** Per configuration: the substitutions and Helm values this cluster gets, and where each comes from. */
function ValuesTab({ values }: { values: ConfigurationValues[] }) {
  if (values.length === 0) return <p className="text-sm text-zinc-600">No configuration targets this cluster.</p>;
  return (
    <div className="space-y-4">
      {values.map((configuration) => (
        <section key={configuration.configurationId} className="card p-4" aria-labelledby={`values-${configuration.configurationId}`}>
          <h2 id={`values-${configuration.configurationId}`} className="mb-1 font-semibold">
            <Link className="text-sky-800 hover:underline dark:text-sky-300" href={`/configurations/${configuration.configurationId}?tab=overrides`}>{configuration.name}</Link>{" "}
            <span className="text-sm font-normal text-zinc-500">v{configuration.version}{configuration.applied.length > 0 ? `, overrides ${configuration.applied.join(", ")} apply` : ", no override applies"}</span>
          </h2>
          {configuration.error ? <p role="alert" className="text-sm text-red-700">{configuration.error}</p> : null}
          {configuration.values.length === 0 && !configuration.error ? <p className="text-sm text-zinc-600">No substitutions or Helm values.</p> : null}
          {configuration.values.length > 0 ? (
            <table className="table-dense w-full">
              <thead><tr><th scope="col">Object</th><th scope="col">Key</th><th scope="col">Value</th><th scope="col">From</th></tr></thead>
              <tbody>
                {configuration.values.map((v) => (
                  <tr key={`${v.object} ${v.key}`}>
                    <td>{v.object}</td>
                    <td className="font-mono text-xs">{v.key}</td>
                    <td className="font-mono text-xs break-all">{v.value}{v.variables.length > 0 ? <span className="ml-1 text-zinc-500">(from {v.variables.map((name) => `\${${name}}`).join(", ")})</span> : null}</td>
                    <td>{v.originText}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ))}
    </div>
  );
}
