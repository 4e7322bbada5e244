"use client";

import { AlertsEditor } from "./alerts-editor";
import { emptyHelmRelease, emptyKustomization, type Draft, type HelmReleaseDraft, type KustomizationDraft } from "./draft";
import { Checkbox, SectionError, Select, TextArea, TextInput } from "./fields";
import { keyOptions, type CredentialOption } from "./step-source";

type StepProps = { draft: Draft; update: (d: Draft) => void; errors: Record<string, string>; credentials: CredentialOption[] };

function KustomizationCard({ k, index, draft, update, errors, credentials }: StepProps & { k: KustomizationDraft; index: number }) {
  const p = `kustomizations.${index}`;
  const set = (patch: Partial<KustomizationDraft>) => update({ ...draft, kustomizations: draft.kustomizations.map((x, i) => (i === index ? { ...x, ...patch } : x)) });
  const others = draft.kustomizations.filter((_, i) => i !== index).map((x) => x.name).filter(Boolean);
  return (
    <fieldset className="card space-y-3 p-4">
      <legend className="px-1 text-sm font-semibold">Kustomization {index + 1}{k.name ? `: ${k.name}` : ""}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextInput path={`${p}.name`} label="Name" value={k.name} onChange={(name) => set({ name })} errors={errors} mono />
        <div className="sm:col-span-2">
          <TextInput path={`${p}.path`} label="Path" value={k.path} onChange={(path) => set({ path })} errors={errors} mono hint="Inside the repository, e.g. ./apps/podinfo" />
        </div>
        <TextInput path={`${p}.interval`} label="Sync interval" value={k.interval} onChange={(interval) => set({ interval })} errors={errors} mono />
        <TextInput path={`${p}.retryInterval`} label="Retry interval" value={k.retryInterval} onChange={(retryInterval) => set({ retryInterval })} errors={errors} mono hint="Optional" />
        <TextInput path={`${p}.timeout`} label="Timeout" value={k.timeout} onChange={(timeout) => set({ timeout })} errors={errors} mono hint="Optional" />
        <TextInput path={`${p}.targetNamespace`} label="Target namespace" value={k.targetNamespace} onChange={(targetNamespace) => set({ targetNamespace })} errors={errors} mono hint="Optional" />
      </div>
      {others.length > 0 ? (
        <fieldset>
          <legend className="text-sm font-medium">Depends on</legend>
          <div className="flex flex-wrap gap-3">
            {others.map((name) => (
              <label key={name} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={k.dependsOn.includes(name)}
                  onChange={(e) => set({ dependsOn: e.target.checked ? [...k.dependsOn, name] : k.dependsOn.filter((d) => d !== name) })}
                />
                {name}
              </label>
            ))}
          </div>
          <SectionError errors={errors} path={`${p}.dependsOn`} />
        </fieldset>
      ) : null}
      <div className="grid gap-2 sm:grid-cols-3">
        <Checkbox path={`${p}.prune`} label="Prune" hint="Delete objects removed from Git." checked={k.prune} onChange={(prune) => set({ prune })} />
        <Checkbox path={`${p}.force`} label="Force" hint="Recreate objects that cannot be patched." checked={k.force} onChange={(force) => set({ force })} />
        <Checkbox path={`${p}.wait`} label="Wait" hint="Ready only when applied objects are ready." checked={k.wait} onChange={(wait) => set({ wait })} />
      </div>
      <TextArea path={`${p}.postBuild.substitute`} label="Substitutions (postBuild)" value={k.substitute} onChange={(substitute) => set({ substitute })} errors={errors} rows={2} hint="KEY=value per line; ${KEY} in manifests is replaced." />
      <details className="space-y-3" open={Boolean(k.substituteFrom || k.patches || k.images || k.healthChecks || k.components || k.deletionPolicy || k.serviceAccountName || k.decrypt)}>
        <summary className="cursor-pointer text-sm font-medium">More Flux fields</summary>
        <div className="space-y-3 pt-2">
          <TextArea path={`${p}.postBuild.substituteFrom`} label="Substitute from" value={k.substituteFrom} onChange={(substituteFrom) => set({ substituteFrom })} errors={errors} rows={3} hint={"YAML list, e.g. - kind: ConfigMap (or Secret), name: cluster-vars, optional: true. Read from the Kustomization's namespace; inline substitutions win."} />
          <TextArea path={`${p}.patches`} label="Patches" value={k.patches} onChange={(patches) => set({ patches })} errors={errors} rows={4} hint="YAML list of - patch: | (a strategic-merge patch naming its object, or JSON 6902 operations) with an optional target (kind, name, namespace, labelSelector...)." />
          <TextArea path={`${p}.images`} label="Images" value={k.images} onChange={(images) => set({ images })} errors={errors} rows={3} hint="YAML list of - name: with newName, newTag and/or digest." />
          <TextArea path={`${p}.healthChecks`} label="Health checks" value={k.healthChecks} onChange={(healthChecks) => set({ healthChecks })} errors={errors} rows={3} hint="YAML list of - apiVersion, kind, name, namespace: objects that must be ready." />
          <div className="grid gap-3 sm:grid-cols-2">
            <Checkbox path={`${p}.decryption`} label="Decrypt SOPS files" hint="Encrypted Secrets in Git are decrypted on the cluster." checked={k.decrypt} onChange={(decrypt) => set({ decrypt })} />
            {k.decrypt ? (
              <Select
                path={`${p}.decryption.credentialId`}
                label="Decryption key"
                value={k.decryptionCredentialId}
                onChange={(decryptionCredentialId) => set({ decryptionCredentialId })}
                errors={errors}
                hint="An age or PGP key credential; none uses the controller's own identity (cloud KMS)."
                options={keyOptions(credentials, "sops", "None: the controller's identity")}
              />
            ) : null}
          </div>
          <TextArea path={`${p}.components`} label="Components" value={k.components} onChange={(components) => set({ components })} errors={errors} rows={2} hint="Kustomize components, one path per line, relative to the Kustomization path." />
          <div className="grid gap-3 sm:grid-cols-2">
            <Select
              path={`${p}.deletionPolicy`}
              label="Deletion policy"
              value={k.deletionPolicy}
              onChange={(deletionPolicy) => set({ deletionPolicy })}
              errors={errors}
              options={[
                { value: "", label: "Flux default (MirrorPrune)" },
                { value: "MirrorPrune", label: "MirrorPrune: delete objects when prune is on" },
                { value: "Delete", label: "Delete: always delete applied objects" },
                { value: "WaitForTermination", label: "WaitForTermination: delete and wait" },
                { value: "Orphan", label: "Orphan: leave applied objects" },
              ]}
            />
            {draft.scope === "cluster" ? (
              <TextInput path={`${p}.serviceAccountName`} label="Service account" value={k.serviceAccountName} onChange={(serviceAccountName) => set({ serviceAccountName })} errors={errors} mono hint="Optional: apply as this account of the configuration's namespace instead of the controller." />
            ) : (
              <p className="text-sm text-zinc-500">Applies as the configuration&apos;s own service account (namespace scope).</p>
            )}
          </div>
        </div>
      </details>
      <button type="button" className="btn-secondary" onClick={() => update({ ...draft, kustomizations: draft.kustomizations.filter((_, i) => i !== index) })}>
        Remove Kustomization {k.name || index + 1}
      </button>
    </fieldset>
  );
}

function HelmReleaseCard({ h, index, draft, update, errors }: StepProps & { h: HelmReleaseDraft; index: number }) {
  const p = `helmReleases.${index}`;
  const set = (patch: Partial<HelmReleaseDraft>) => update({ ...draft, helmReleases: draft.helmReleases.map((x, i) => (i === index ? { ...x, ...patch } : x)) });
  const others = draft.helmReleases.filter((_, i) => i !== index).map((x) => x.name).filter(Boolean);
  return (
    <fieldset className="card space-y-3 p-4">
      <legend className="px-1 text-sm font-semibold">Helm release {index + 1}{h.name ? `: ${h.name}` : ""}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextInput path={`${p}.name`} label="Name" value={h.name} onChange={(name) => set({ name })} errors={errors} mono />
        <TextInput path={`${p}.chart`} label="Chart" value={h.chart} onChange={(chart) => set({ chart })} errors={errors} mono hint="A chart name, or a path in the Git source" />
        <TextInput path={`${p}.version`} label="Version (semver range)" value={h.version} onChange={(version) => set({ version })} errors={errors} mono />
        <TextInput path={`${p}.releaseName`} label="Release name" value={h.releaseName} onChange={(releaseName) => set({ releaseName })} errors={errors} mono hint="Optional" />
        <TextInput path={`${p}.targetNamespace`} label="Target namespace" value={h.targetNamespace} onChange={(targetNamespace) => set({ targetNamespace })} errors={errors} mono hint="Optional" />
        <TextInput path={`${p}.interval`} label="Interval" value={h.interval} onChange={(interval) => set({ interval })} errors={errors} mono />
      </div>
      <TextArea path={`${p}.values`} label="Values (YAML)" value={h.values} onChange={(values) => set({ values })} errors={errors} rows={6} hint="At most 512 KiB; no custom tags or anchors beyond a few." />
      {others.length > 0 ? (
        <fieldset>
          <legend className="text-sm font-medium">Depends on</legend>
          <div className="flex flex-wrap gap-3">
            {others.map((name) => (
              <label key={name} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={h.dependsOn.includes(name)}
                  onChange={(e) => set({ dependsOn: e.target.checked ? [...h.dependsOn, name] : h.dependsOn.filter((d) => d !== name) })}
                />
                {name}
              </label>
            ))}
          </div>
          <SectionError errors={errors} path={`${p}.dependsOn`} />
        </fieldset>
      ) : null}
      <details className="space-y-3" open={Boolean(h.timeout || h.maxHistory || h.installRetries || h.upgradeRetries || h.upgradeStrategy || h.valuesFrom || h.driftDetection || h.remediateLastFailure)}>
        <summary className="cursor-pointer text-sm font-medium">More Flux fields</summary>
        <div className="space-y-3 pt-2">
          <div className="grid gap-3 sm:grid-cols-3">
            <TextInput path={`${p}.timeout`} label="Helm timeout" value={h.timeout} onChange={(timeout) => set({ timeout })} errors={errors} mono hint="Optional, e.g. 10m" />
            <TextInput path={`${p}.maxHistory`} label="Max history" value={h.maxHistory} onChange={(maxHistory) => set({ maxHistory })} errors={errors} mono hint="Optional; 0 keeps every release" />
            <Select
              path={`${p}.driftDetection.mode`}
              label="Drift detection"
              value={h.driftDetection}
              onChange={(driftDetection) => set({ driftDetection })}
              errors={errors}
              options={[
                { value: "", label: "Flux default (disabled)" },
                { value: "enabled", label: "enabled: correct drift" },
                { value: "warn", label: "warn: report drift only" },
                { value: "disabled", label: "disabled" },
              ]}
            />
            <TextInput path={`${p}.install.remediation.retries`} label="Install retries" value={h.installRetries} onChange={(installRetries) => set({ installRetries })} errors={errors} mono hint="Optional; -1 retries forever" />
            <TextInput path={`${p}.upgrade.remediation.retries`} label="Upgrade retries" value={h.upgradeRetries} onChange={(upgradeRetries) => set({ upgradeRetries })} errors={errors} mono hint="Optional; -1 retries forever" />
            <Select
              path={`${p}.upgrade.remediation.strategy`}
              label="Upgrade remediation"
              value={h.upgradeStrategy}
              onChange={(upgradeStrategy) => set({ upgradeStrategy })}
              errors={errors}
              options={[
                { value: "", label: "Flux default (rollback)" },
                { value: "rollback", label: "rollback" },
                { value: "uninstall", label: "uninstall" },
              ]}
            />
          </div>
          <Checkbox path={`${p}.remediateLastFailure`} label="Remediate the last failure" hint="Also roll back or uninstall after the last retry fails." checked={h.remediateLastFailure} onChange={(remediateLastFailure) => set({ remediateLastFailure })} />
          <TextArea path={`${p}.valuesFrom`} label="Values from" value={h.valuesFrom} onChange={(valuesFrom) => set({ valuesFrom })} errors={errors} rows={3} hint="YAML list of - kind: ConfigMap (or Secret), name:, optional valuesKey, targetPath, optional. Merged before the values above." />
        </div>
      </details>
      <button type="button" className="btn-secondary" onClick={() => update({ ...draft, helmReleases: draft.helmReleases.filter((_, i) => i !== index) })}>
        Remove Helm release {h.name || index + 1}
      </button>
    </fieldset>
  );
}

export function WorkloadsStep(props: StepProps) {
  const { draft, update, errors } = props;
  return (
    <div className="space-y-4">
      <section aria-labelledby="ks-heading" className="space-y-3">
        <h3 id="ks-heading" className="font-semibold">Kustomizations</h3>
        <SectionError errors={errors} path="kustomizations" />
        {draft.kustomizations.map((k, i) => (
          <KustomizationCard key={i} k={k} index={i} {...props} />
        ))}
        <button type="button" className="btn-secondary" onClick={() => update({ ...draft, kustomizations: [...draft.kustomizations, emptyKustomization()] })}>
          Add Kustomization
        </button>
      </section>
      <section aria-labelledby="hr-heading" className="space-y-3">
        <h3 id="hr-heading" className="font-semibold">Helm releases</h3>
        <SectionError errors={errors} path="helmReleases" />
        {draft.helmReleases.map((h, i) => (
          <HelmReleaseCard key={i} h={h} index={i} {...props} />
        ))}
        <button type="button" className="btn-secondary" onClick={() => update({ ...draft, helmReleases: [...draft.helmReleases, emptyHelmRelease()] })}>
          Add Helm release
        </button>
      </section>
      <AlertsEditor {...props} />
    </div>
  );
}
