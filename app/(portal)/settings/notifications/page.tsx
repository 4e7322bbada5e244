import type { Metadata } from "next";
import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { formatSelector } from "@/lib/compliance/selector-text";
import { listConfigurations } from "@/lib/configurations/store";
import { listChannels, listDeliveries, listRules } from "@/lib/notify/store";
import { CHANNEL_TYPE_LABELS } from "@/lib/notify/vocabulary";
import { CreateChannelForm, CreateRuleForm, DeleteChannelButton, DeleteRuleButton, TestChannelButton } from "./notification-forms";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await requirePageAccess("settings.write");
  // Only what a list needs: the sealed URL and key never leave the server.
  const channels = listChannels().map(({ id, name, type, host, createdBy }) => ({ id, name, type, host, createdBy }));
  const channelName = new Map(channels.map((c) => [c.id, c.name]));
  const configurations = listConfigurations().map(({ id, name }) => ({ id, name }));
  const configurationName = new Map(configurations.map((c) => [c.id, c.name]));
  const rules = listRules();
  const deliveries = listDeliveries(100);
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Messages to Slack, Microsoft Teams, Discord, Rocket.Chat or a signed webhook when a configuration's state changes on a cluster, a cluster becomes unreachable or comes back, or a rollout halts, waits for approval or finishes. Changes seen together go out as one message per rule, channel and event."
      />
      <div className="grid gap-6 2xl:grid-cols-[1fr_24rem]">
        <div className="space-y-6">
          <section aria-labelledby="channels" className="card">
            <h2 id="channels" className="p-4 pb-0 font-semibold">Channels</h2>
            {channels.length === 0 ? (
              <EmptyState title="No channels">Create one to send notifications anywhere.</EmptyState>
            ) : (
              <table className="table-dense">
                <caption className="sr-only">Channels</caption>
                <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Host</th><th scope="col">Actions</th></tr></thead>
                <tbody>
                  {channels.map((c) => (
                    <tr key={c.id}>
                      <td className="font-mono">{c.name}</td>
                      <td className="text-xs">{CHANNEL_TYPE_LABELS[c.type]}</td>
                      <td className="font-mono text-xs">{c.host}</td>
                      <td className="space-x-2"><TestChannelButton id={c.id} name={c.name} /><DeleteChannelButton id={c.id} name={c.name} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="rules" className="card">
            <h2 id="rules" className="p-4 pb-0 font-semibold">Rules</h2>
            {rules.length === 0 ? (
              <EmptyState title="No rules">Nothing is sent until a rule names events and channels.</EmptyState>
            ) : (
              <table className="table-dense">
                <caption className="sr-only">Rules</caption>
                <thead><tr><th scope="col">Name</th><th scope="col">Events</th><th scope="col">Filter</th><th scope="col">Channels</th><th scope="col">Actions</th></tr></thead>
                <tbody>
                  {rules.map((r) => (
                    <tr key={r.id}>
                      <td className="font-mono">{r.name}</td>
                      <td className="text-xs">{r.events.join(", ")}</td>
                      <td className="text-xs">
                        {r.configurationId ? configurationName.get(r.configurationId) ?? "a deleted configuration" : "every configuration"}; {r.selector ? <span className="font-mono">{formatSelector(r.selector)}</span> : "every cluster"}; {r.minSeverity} and above
                      </td>
                      <td className="text-xs">{r.channelIds.map((id) => channelName.get(id) ?? "?").join(", ") || "none"}</td>
                      <td><DeleteRuleButton id={r.id} name={r.name} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="deliveries" className="card">
            <h2 id="deliveries" className="p-4 pb-0 font-semibold">Delivery log</h2>
            {deliveries.length === 0 ? (
              <EmptyState title="Nothing sent yet">Each message sent, test or not, is recorded here with the receiver&apos;s answer.</EmptyState>
            ) : (
              <table className="table-dense">
                <caption className="sr-only">Delivery log</caption>
                <thead><tr><th scope="col">When</th><th scope="col">Rule</th><th scope="col">Channel</th><th scope="col">Event</th><th scope="col">Result</th><th scope="col">Attempts</th></tr></thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.id} className={d.ok ? undefined : "bg-red-50 dark:bg-red-950"}>
                      <td className="text-xs"><Time date={d.at} /></td>
                      <td className="text-xs">{d.ruleName ?? "test message"}</td>
                      <td className="font-mono text-xs">{d.channelName}</td>
                      <td className="text-xs">{d.eventType}{d.eventCount > 1 ? ` (${d.eventCount})` : ""}</td>
                      <td className="text-xs">
                        {d.ok ? <Badge tone="green" icon="✓">{`sent ${d.statusCode ?? ""}`}</Badge> : <Badge tone="red" icon="✕">{d.statusCode ? `failed ${d.statusCode}` : "failed"}</Badge>}
                        {d.error ? <span className="block text-red-700 dark:text-red-400">{d.error}</span> : null}
                      </td>
                      <td className="text-xs">{d.attempts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
        <div className="space-y-6">
          <section aria-labelledby="create-channel" className="card h-fit p-4">
            <h2 id="create-channel" className="mb-3 font-semibold">Create channel</h2>
            <CreateChannelForm />
          </section>
          <section aria-labelledby="create-rule" className="card h-fit p-4">
            <h2 id="create-rule" className="mb-3 font-semibold">Create rule</h2>
            {channels.length === 0 ? <p className="text-sm text-zinc-600">Create a channel first.</p> : <CreateRuleForm channels={channels.map(({ id, name }) => ({ id, name }))} configurations={configurations} />}
          </section>
        </div>
      </div>
    </>
  );
}
