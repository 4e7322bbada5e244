import type { Metadata } from "next";
import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { formatSelector } from "@/lib/compliance/selector-text";
import { nextOpening, openSpan } from "@/lib/windows/evaluate";
import { listWindows } from "@/lib/windows/store";
import { CreateWindowForm, DeleteWindowButton } from "./window-forms";

export const metadata: Metadata = { title: "Maintenance windows" };

export default async function WindowsPage() {
  const { user } = await requirePageAccess("dashboard.read");
  const canWrite = can(user.role, "settings.write");
  const now = new Date();
  const rows = listWindows().map((w) => ({ ...w, open: openSpan(w, now), next: nextOpening(w, now) }));
  return (
    <>
      <PageHeader
        title="Maintenance windows"
        description="When pushes may reach the clusters a selector matches. A deny window (a freeze) holds every push while it is open; clusters an allow window matches take pushes only while one is open. Deny wins. A held push waits on its row, saying until when; an admin can let one push through with a reason."
      />
      <div className="grid gap-6 2xl:grid-cols-[1fr_22rem]">
        {rows.length === 0 ? (
          <EmptyState title="No maintenance windows">Pushes reach every cluster as soon as they are made.</EmptyState>
        ) : (
          <div className="card">
            <table className="table-dense">
              <caption className="sr-only">Maintenance windows</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Clusters</th><th scope="col">Schedule</th><th scope="col">Now</th><th scope="col">Reason</th>{canWrite ? <th scope="col">Actions</th> : null}</tr>
              </thead>
              <tbody>
                {rows.map((w) => (
                  <tr key={w.id}>
                    <td className="font-mono">{w.name}</td>
                    <td>{w.kind === "deny" ? <Badge tone="red" icon="⛔">deny</Badge> : <Badge tone="green" icon="✓">allow</Badge>}</td>
                    <td className="font-mono text-xs">{formatSelector(w.selector)}</td>
                    <td className="text-xs">
                      {w.cron ? <><span className="font-mono">{w.cron}</span> for {w.durationMinutes} min</> : <>{w.startsAt?.toISOString().slice(0, 16).replace("T", " ")} to {w.endsAt?.toISOString().slice(0, 16).replace("T", " ")} UTC</>}
                      <span className="block text-zinc-500">{w.timeZone}</span>
                    </td>
                    <td className="text-xs">
                      {w.open ? <span className="font-medium">open until <Time date={w.open.end} /></span> : w.next ? <>closed; opens <Time date={w.next} /></> : <>closed for good</>}
                    </td>
                    <td className="text-xs">{w.reason || "—"}<span className="block text-zinc-500">by {w.createdBy}</span></td>
                    {canWrite ? <td><DeleteWindowButton id={w.id} name={w.name} /></td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canWrite ? (
          <section aria-labelledby="create-window" className="card h-fit p-4">
            <h2 id="create-window" className="mb-3 font-semibold">Create window</h2>
            <CreateWindowForm />
          </section>
        ) : null}
      </div>
    </>
  );
}
