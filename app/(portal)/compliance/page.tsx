import type { Metadata } from "next";
import { complianceHref, type ComplianceTab } from "@/components/compliance/links";
import { PageHeader } from "@/components/ui/page-header";
import { TabLinks } from "@/components/ui/tabs";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { listAssignments } from "@/lib/queries/compliance";
import { matrixFilterSchema } from "@/lib/compliance/filters";
import { checkDnsLabel } from "@/lib/validation/names";
import { AssignmentsTab } from "./assignments-tab";
import { MatrixTab } from "./matrix-tab";
import { OverviewTab } from "./overview-tab";
import { PoliciesTab } from "./policies-tab";
import { WaiversTab } from "./waivers-tab";

export const metadata: Metadata = { title: "Compliance" };

const TABS: { id: ComplianceTab; label: string }[] = [
  { id: "overview", label: "Overview" },
  { id: "matrix", label: "Matrix" },
  { id: "assignments", label: "Assignments" },
  { id: "policies", label: "Policies" },
  { id: "waivers", label: "Risk acceptances" },
];

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v.slice(0, 200) : undefined);
// "Deleted assignment X." only for a name an assignment could have: a link cannot make the page say anything else.
const deletedName = (v: string | undefined) => (v && !checkDnsLabel(v) ? v : undefined);
const assignmentPanel = (p: Record<string, string | string[]>) => ({ edit: one(p.edit), delete: one(p.delete), deleted: deletedName(one(p.deleted)) });

/** Everyone may read every tab; only operators and admins see the assignment forms. */
export default async function CompliancePage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const { user } = await requirePageAccess("compliance.read");
  const params = await searchParams;
  const tab = TABS.find((t) => t.id === params.tab)?.id ?? "overview";
  const assignments = listAssignments();
  return (
    <>
      <PageHeader title="Compliance" description="Is every cluster running what it should, and does it pass its policies?" />
      <TabLinks tabs={TABS} active={tab} hrefFor={(t) => complianceHref(t as ComplianceTab)} />
      {tab === "overview" ? <OverviewTab assignments={assignments} /> : null}
      {tab === "matrix" ? <MatrixTab assignments={assignments} filter={matrixFilterSchema.parse(params)} /> : null}
      {tab === "policies" ? <PoliciesTab params={{ engine: one(params.engine), severity: one(params.severity), state: one(params.state), labels: one(params.labels), cluster: one(params.cluster) }} canWaive={can(user.role, "waivers.write")} /> : null}
      {tab === "waivers" ? (
        <WaiversTab
          userId={user.id}
          canWrite={can(user.role, "waivers.write")}
          prefill={{ engine: one(params.engine), policy: one(params.policy), resourceKind: one(params.resourceKind), resourceNamespace: one(params.resourceNamespace), resourceName: one(params.resourceName), selector: one(params.selector) }}
        />
      ) : null}
      {tab === "assignments" ? <AssignmentsTab assignments={assignments} canWrite={can(user.role, "assignments.write")} panel={assignmentPanel(params)} /> : null}
    </>
  );
}
