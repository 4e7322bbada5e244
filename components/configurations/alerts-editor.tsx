"use client";

import { COMMIT_STATUS_TYPES, PROVIDER_TYPES } from "@/lib/validation/configuration-notifications";
import { emptyAlert, emptyProvider, type AlertDraft, type Draft, type ProviderDraft } from "./draft";
import { Checkbox, SectionError, Select, TextArea, TextInput } from "./fields";
import type { CredentialOption } from "./step-source";

type Props = { draft: Draft; update: (d: Draft) => void; errors: Record<string, string>; credentials: CredentialOption[] };

const isCommitStatus = (type: string) => (COMMIT_STATUS_TYPES as readonly string[]).includes(type);

function ProviderCard({ provider, index, draft, update, errors, credentials }: Props & { provider: ProviderDraft; index: number }) {
  const p = `notifications.providers.${index}`;
  const notifications = draft.notifications;
  const set = (patch: Partial<ProviderDraft>) => update({ ...draft, notifications: { ...notifications, providers: notifications.providers.map((x, i) => (i === index ? { ...x, ...patch } : x)) } });
  const webhooks = credentials.filter((c) => c.type === "webhook");
  return (
    <fieldset className="card space-y-3 p-4">
      <legend className="px-1 text-sm font-semibold">Provider {index + 1}{provider.name ? `: ${provider.name}` : ""}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextInput path={`${p}.name`} label="Name" value={provider.name} onChange={(name) => set({ name })} errors={errors} mono />
        <Select path={`${p}.type`} label="Type" value={provider.type} onChange={(type) => set({ type, ...(isCommitStatus(type) ? {} : { address: "" }) })} errors={errors} options={PROVIDER_TYPES.map((t) => ({ value: t, label: t }))} />
        <Select
          path={`${p}.credentialId`}
          label="Webhook credential"
          value={provider.credentialId}
          onChange={(credentialId) => set({ credentialId })}
          errors={errors}
          hint={isCommitStatus(provider.type) ? "Holds the API token." : "Holds the webhook address (Settings → Credentials): sealed, never shown again."}
          options={[{ value: "", label: "Choose a webhook credential…" }, ...webhooks.map((c) => ({ value: c.id, label: c.host ? `${c.name} (${c.host})` : c.name }))]}
        />
        {isCommitStatus(provider.type) ? (
          <div className="sm:col-span-3">
            <TextInput path={`${p}.address`} label="Repository URL" value={provider.address} onChange={(address) => set({ address })} errors={errors} mono hint="https:// URL of the repository whose commits get a status." />
          </div>
        ) : (
          <>
            <TextInput path={`${p}.channel`} label="Channel" value={provider.channel} onChange={(channel) => set({ channel })} errors={errors} mono hint="Optional" />
            <TextInput path={`${p}.username`} label="Post as" value={provider.username} onChange={(username) => set({ username })} errors={errors} hint="Optional" />
          </>
        )}
      </div>
      <button type="button" className="btn-secondary" onClick={() => update({ ...draft, notifications: { ...notifications, providers: notifications.providers.filter((_, i) => i !== index) } })}>
        Remove provider {provider.name || index + 1}
      </button>
    </fieldset>
  );
}

function AlertCard({ alert, index, draft, update, errors }: Props & { alert: AlertDraft; index: number }) {
  const p = `notifications.alerts.${index}`;
  const notifications = draft.notifications;
  const set = (patch: Partial<AlertDraft>) => update({ ...draft, notifications: { ...notifications, alerts: notifications.alerts.map((x, i) => (i === index ? { ...x, ...patch } : x)) } });
  const providers = notifications.providers.map((x) => x.name.trim()).filter(Boolean);
  return (
    <fieldset className="card space-y-3 p-4">
      <legend className="px-1 text-sm font-semibold">Alert {index + 1}{alert.name ? `: ${alert.name}` : ""}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextInput path={`${p}.name`} label="Name" value={alert.name} onChange={(name) => set({ name })} errors={errors} mono />
        <Select path={`${p}.providerRef`} label="Provider" value={alert.providerRef} onChange={(providerRef) => set({ providerRef })} errors={errors} options={[{ value: "", label: "Choose a provider…" }, ...providers.map((name) => ({ value: name, label: name }))]} />
        <Select path={`${p}.eventSeverity`} label="Event severity" value={alert.eventSeverity} onChange={(eventSeverity) => set({ eventSeverity: eventSeverity as AlertDraft["eventSeverity"] })} errors={errors} options={[{ value: "error", label: "error: failures only" }, { value: "info", label: "info: every event" }]} />
      </div>
      <TextInput path={`${p}.summary`} label="Summary" value={alert.summary} onChange={(summary) => set({ summary })} errors={errors} hint="Optional, at most 255 characters: the impact and the cluster." />
      <TextArea path={`${p}.eventSources`} label="Event sources" value={alert.eventSources} onChange={(eventSources) => set({ eventSources })} errors={errors} rows={3} hint="Empty: this configuration's own source, Kustomizations and Helm releases. Or a YAML list of - kind:, name: (or *), namespace:, matchLabels: (with *)." />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextArea path={`${p}.inclusionList`} label="Only messages matching" value={alert.inclusionList} onChange={(inclusionList) => set({ inclusionList })} errors={errors} rows={2} hint="Go regular expressions, one per line (optional)." />
        <TextArea path={`${p}.exclusionList`} label="Never messages matching" value={alert.exclusionList} onChange={(exclusionList) => set({ exclusionList })} errors={errors} rows={2} hint="Go regular expressions, one per line (optional)." />
      </div>
      <Checkbox path={`${p}.suspend`} label="Suspend this alert" checked={alert.suspend} onChange={(suspend) => set({ suspend })} />
      <button type="button" className="btn-secondary" onClick={() => update({ ...draft, notifications: { ...notifications, alerts: notifications.alerts.filter((_, i) => i !== index) } })}>
        Remove alert {alert.name || index + 1}
      </button>
    </fieldset>
  );
}

/** Flux's own alerts: where each cluster's notification-controller reports on this configuration's objects. */
export function AlertsEditor(props: Props) {
  const { draft, update, errors } = props;
  const notifications = draft.notifications;
  const firstProvider = notifications.providers[0]?.name.trim() ?? "";
  return (
    <section aria-labelledby="alerts-heading" className="space-y-3">
      <h3 id="alerts-heading" className="font-semibold">Flux alerts</h3>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Flux clusters only: each cluster&apos;s notification-controller posts events about this configuration&apos;s objects to a provider.</p>
      <SectionError errors={errors} path="notifications" />
      <SectionError errors={errors} path="notifications.providers" />
      {notifications.providers.map((provider, i) => (
        <ProviderCard key={i} provider={provider} index={i} {...props} />
      ))}
      <SectionError errors={errors} path="notifications.alerts" />
      {notifications.alerts.map((alert, i) => (
        <AlertCard key={i} alert={alert} index={i} {...props} />
      ))}
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-secondary" onClick={() => update({ ...draft, notifications: { ...notifications, providers: [...notifications.providers, emptyProvider()] } })}>
          Add provider
        </button>
        <button type="button" className="btn-secondary" disabled={notifications.providers.length === 0} onClick={() => update({ ...draft, notifications: { ...notifications, alerts: [...notifications.alerts, emptyAlert(firstProvider)] } })}>
          Add alert
        </button>
      </div>
    </section>
  );
}
