import "server-only";
import type { PolicyEngine } from "@/db/schema-policy";
import type { ClusterClient, KubeObject } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/errors";
import { fromConstraint, ReportAggregator, type Aggregated } from "./aggregate";

/**
 * Reads every policy engine a cluster serves: Gatekeeper's constraint kinds (one per
 * ConstraintTemplate, found through discovery of constraints.gatekeeper.sh) and the policy
 * reports of wgpolicyk8s.io and openreports.io. Reports are read a page at a time and folded
 * as they come, so a cluster with 100,000 results never holds them all at once.
 */

const GROUPS: Record<PolicyEngine, string> = {
  gatekeeper: "constraints.gatekeeper.sh",
  policyreport: "wgpolicyk8s.io",
  openreports: "openreports.io",
};
const REPORT_KINDS: Record<"policyreport" | "openreports", string[]> = {
  policyreport: ["policyreports", "clusterpolicyreports"],
  openreports: ["reports", "clusterreports"],
};
/** Reports per page: a report may hold a thousand results, so pages stay small. */
const REPORT_PAGE = 100;
/** At most this many pages per kind (100,000 reports): beyond, the read says it stopped. */
const MAX_REPORT_PAGES = 1000;

export type EngineReading = { engine: PolicyEngine; ok: true; aggregated: Aggregated } | { engine: PolicyEngine; ok: false; error: string };

type GroupList = { groups?: { name?: string; preferredVersion?: { version?: string } }[] };
type ResourceList = { resources?: { name?: string; kind?: string; namespaced?: boolean }[] };
type Page = { items?: KubeObject[]; metadata?: { continue?: string } };

/** The served policy groups and their preferred versions, from one discovery call. */
export async function servedEngines(client: ClusterClient): Promise<Map<PolicyEngine, string>> {
  const list = await client.get<GroupList>("/apis");
  const served = new Map<PolicyEngine, string>();
  for (const [engine, group] of Object.entries(GROUPS) as [PolicyEngine, string][]) {
    const found = list.groups?.find((g) => g.name === group);
    if (found?.preferredVersion?.version) served.set(engine, found.preferredVersion.version);
  }
  return served;
}

async function readGatekeeper(client: ClusterClient, version: string): Promise<Aggregated> {
  const base = `/apis/${GROUPS.gatekeeper}/${version}`;
  const resources = (await client.get<ResourceList>(base)).resources ?? [];
  const plurals = resources.map((r) => r.name ?? "").filter((name) => name !== "" && !name.includes("/"));
  const policies = [];
  for (const plural of plurals) {
    const list = await client.list<KubeObject>(`${base}/${plural}`);
    for (const item of list.items) policies.push(fromConstraint(item));
  }
  return { policies, results: policies.length, truncated: false };
}

async function readReports(client: ClusterClient, engine: "policyreport" | "openreports", version: string): Promise<Aggregated> {
  const aggregator = new ReportAggregator(engine);
  let stopped = false;
  for (const plural of REPORT_KINDS[engine]) {
    let token: string | undefined;
    let pages = 0;
    let limit = REPORT_PAGE;
    for (;;) {
      const query = new URLSearchParams({ limit: String(limit), ...(token ? { continue: token } : {}) });
      let page: Page;
      try {
        page = await client.get<Page>(`/apis/${GROUPS[engine]}/${version}/${plural}?${query}`);
      } catch (error) {
        // Per-resource reports are small; aggregated ones can hold a thousand results each, so a
        // page that cannot arrive within the request timeout is asked for again in smaller pieces.
        if (limit > 1 && classifyError(error).kind === "timeout") {
          limit = Math.max(1, Math.floor(limit / 4));
          continue;
        }
        throw error;
      }
      for (const report of page.items ?? []) aggregator.add(report);
      token = page.metadata?.continue || undefined;
      if (!token) break;
      if (++pages >= MAX_REPORT_PAGES) {
        stopped = true;
        break;
      }
    }
  }
  const result = aggregator.done();
  return { ...result, truncated: result.truncated || stopped };
}

/** Each served engine's reading (`known`: the engines discovery found, when already read); an engine that fails is reported on its own, the others stand. */
export async function readPolicyEngines(client: ClusterClient, known?: ReadonlyMap<PolicyEngine, string>): Promise<EngineReading[]> {
  const served = known ?? (await servedEngines(client));
  const readings: EngineReading[] = [];
  for (const [engine, version] of served) {
    try {
      const aggregated = engine === "gatekeeper" ? await readGatekeeper(client, version) : await readReports(client, engine, version);
      readings.push({ engine, ok: true, aggregated });
    } catch (error) {
      readings.push({ engine, ok: false, error: classifyError(error).message });
    }
  }
  return readings;
}
