"use client";

import type { Draft } from "./draft";
import { Checkbox, Select, TextArea, TextInput } from "./fields";

type StepProps = { draft: Draft; update: (d: Draft) => void; errors: Record<string, string>; isEdit: boolean };

export function BasicsStep({ draft, update, errors, isEdit }: StepProps) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextInput
        path="name"
        label="Name"
        value={draft.name}
        onChange={(name) => update({ ...draft, name })}
        errors={errors}
        mono
        hint={isEdit ? "The name cannot change: it names the objects on every cluster." : "A DNS label. The source is named after it; Kustomizations are <name>-<kustomization>."}
      />
      <Select
        path="scope"
        label="Scope"
        value={draft.scope}
        onChange={(scope) => update({ ...draft, scope: scope as Draft["scope"] })}
        errors={errors}
        options={[
          { value: "cluster", label: "Cluster: may change anything on the cluster" },
          { value: "namespace", label: "Namespace: confined to one namespace" },
        ]}
      />
      <TextInput path="namespace" label="Namespace" value={draft.namespace} onChange={(namespace) => update({ ...draft, namespace })} errors={errors} mono hint="Where the Flux objects live (default flux-system)." />
      <div className="sm:col-span-2">
        <TextArea path="description" label="Description" value={draft.description} onChange={(description) => update({ ...draft, description })} errors={errors} rows={2} mono={false} />
      </div>
      <TextInput
        path="argo.project"
        label="Argo CD project"
        value={draft.argoProject}
        onChange={(argoProject) => update({ ...draft, argoProject })}
        errors={errors}
        mono
        placeholder="default"
        hint="Only for clusters whose reconciler is Argo CD: the project of their Applications."
      />
      <Checkbox path="suspend" label="Suspend reconciliation" hint="The reconciler keeps the objects but stops applying changes (Argo CD: automated sync off)." checked={draft.suspend} onChange={(suspend) => update({ ...draft, suspend })} />
    </div>
  );
}
