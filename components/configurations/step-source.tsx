"use client";

import type { Draft, SourceKind } from "./draft";
import { Checkbox, Select, TextArea, TextInput } from "./fields";

export type CredentialOption = { id: string; name: string; type: string; host: string | null };

type StepProps = { draft: Draft; update: (d: Draft) => void; errors: Record<string, string>; credentials: CredentialOption[]; warnings: Record<string, string> };

const REF_TYPES: Record<SourceKind, string[]> = {
  GitRepository: ["branch", "tag", "semver", "commit"],
  OCIRepository: ["tag", "semver", "digest"],
  Bucket: [],
  HelmRepository: [],
};

const PROVIDERS: Record<SourceKind, string[]> = {
  GitRepository: ["generic", "azure", "github"],
  OCIRepository: ["generic", "aws", "azure", "gcp"],
  Bucket: ["generic", "aws", "gcp", "azure"],
  HelmRepository: [],
};

const KEY_TYPES = new Set(["pgp", "cosign", "sops"]);

/** The key credentials of one type as select options, with a first "none" option. */
export function keyOptions(credentials: CredentialOption[], type: "pgp" | "cosign" | "sops", none: string) {
  return [{ value: "", label: none }, ...credentials.filter((c) => c.type === type).map((c) => ({ value: c.id, label: c.name }))];
}

export function SourceStep({ draft, update, errors, credentials, warnings }: StepProps) {
  const s = draft.source;
  const set = (patch: Partial<Draft["source"]>) => update({ ...draft, source: { ...s, ...patch } });
  const setKind = (kind: SourceKind) => set({ kind, refType: REF_TYPES[kind][0] ?? "", refValue: kind === "GitRepository" ? "main" : "", provider: "generic" });
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Select
        path="source.kind"
        label="Source kind"
        value={s.kind}
        onChange={(k) => setKind(k as SourceKind)}
        errors={errors}
        options={[
          { value: "GitRepository", label: "Git repository" },
          { value: "OCIRepository", label: "OCI repository" },
          { value: "Bucket", label: "Bucket (S3-compatible, GCS, Azure Blob)" },
          { value: "HelmRepository", label: "Helm repository" },
        ]}
      />
      {s.kind === "Bucket" ? (
        <>
          <TextInput path="source.bucketName" label="Bucket name" value={s.bucketName} onChange={(bucketName) => set({ bucketName })} errors={errors} mono />
          <TextInput path="source.endpoint" label="Endpoint" value={s.endpoint} onChange={(endpoint) => set({ endpoint })} errors={errors} mono hint="host[:port], no scheme, e.g. s3.amazonaws.com" />
          <TextInput path="source.region" label="Region (optional)" value={s.region} onChange={(region) => set({ region })} errors={errors} mono />
          <TextInput path="source.prefix" label="Prefix (optional)" value={s.prefix} onChange={(prefix) => set({ prefix })} errors={errors} mono />
          <Checkbox path="source.insecure" label="Plain HTTP (insecure)" checked={s.insecure} onChange={(insecure) => set({ insecure })} />
        </>
      ) : (
        <div className="sm:col-span-2">
          <TextInput
            path="source.url"
            label="URL"
            value={s.url}
            onChange={(url) => set({ url })}
            errors={errors}
            mono
            placeholder={s.kind === "OCIRepository" ? "oci://ghcr.io/org/manifests" : "https://github.com/org/fleet.git"}
            hint={warnings["source.url"] ?? (s.kind === "GitRepository" ? "https://, http:// or ssh://. Credentials go in a credential, never in the URL." : undefined)}
          />
        </div>
      )}
      {REF_TYPES[s.kind].length > 0 ? (
        <>
          <Select path="source.ref.type" label="Reference type" value={s.refType} onChange={(refType) => set({ refType })} errors={errors} options={REF_TYPES[s.kind].map((t) => ({ value: t, label: t }))} />
          <TextInput path="source.ref.value" label={`Reference (${s.refType})`} value={s.refValue} onChange={(refValue) => set({ refValue })} errors={errors} mono />
        </>
      ) : null}
      {s.kind === "HelmRepository" ? (
        <Select path="source.type" label="Repository type" value={s.helmType} onChange={(helmType) => set({ helmType: helmType as "default" | "oci" })} errors={errors} options={[{ value: "default", label: "HTTP(S) index" }, { value: "oci", label: "OCI registry" }]} />
      ) : null}
      {PROVIDERS[s.kind].length > 0 ? (
        <Select path="source.provider" label="Provider" value={s.provider} onChange={(provider) => set({ provider })} errors={errors} options={PROVIDERS[s.kind].map((p) => ({ value: p, label: p }))} />
      ) : null}
      {s.kind === "GitRepository" ? (
        <div className="sm:col-span-2">
          <TextArea path="source.sparseCheckout" label="Sparse checkout (optional)" value={s.sparseCheckout} onChange={(sparseCheckout) => set({ sparseCheckout })} errors={errors} rows={2} hint="Directories to check out, one per line (a monorepo's deploy/prod); empty checks out the whole repository." />
        </div>
      ) : null}
      {s.kind === "GitRepository" ? (
        <>
          <Select
            path="source.verify.mode"
            label="Verify signatures"
            value={s.verifyMode}
            onChange={(verifyMode) => set({ verifyMode })}
            errors={errors}
            hint="Clusters apply only commits (HEAD) and/or tags signed by one of the keys."
            options={[
              { value: "", label: "Off" },
              { value: "HEAD", label: "HEAD: the commit checked out" },
              { value: "Tag", label: "Tag: the tag of the reference" },
              { value: "TagAndHEAD", label: "TagAndHEAD: the tag and its commit" },
            ]}
          />
          {s.verifyMode ? (
            <Select
              path="source.verify.credentialId"
              label="Signing keys"
              value={s.verifyCredentialId}
              onChange={(verifyCredentialId) => set({ verifyCredentialId })}
              errors={errors}
              hint="A PGP public keys credential (Settings → Credentials)."
              options={keyOptions(credentials, "pgp", "Choose the keys…")}
            />
          ) : null}
          <div className="sm:col-span-2">
            <TextArea path="source.include" label="Include repositories (optional)" value={s.include} onChange={(include) => set({ include })} errors={errors} rows={3} hint="YAML list of - repository: {name: <GitRepository in the same namespace>} with optional fromPath and toPath: their files are copied into this artifact." />
          </div>
        </>
      ) : null}
      {s.kind === "OCIRepository" ? (
        <>
          <TextInput path="source.layerSelector.mediaType" label="Layer media type (optional)" value={s.layerMediaType} onChange={(layerMediaType) => set({ layerMediaType })} errors={errors} mono placeholder="application/vnd.cncf.flux.content.v1.tar+gzip" hint="Which layer of the artifact holds the manifests; empty takes the first." />
          <Select path="source.layerSelector.operation" label="Layer operation" value={s.layerOperation} onChange={(layerOperation) => set({ layerOperation })} errors={errors} options={[{ value: "", label: "Default (extract)" }, { value: "extract", label: "extract (a tarball)" }, { value: "copy", label: "copy (the layer as is)" }]} />
          <TextInput
            path="source.verify.matchOIDCIdentity.0.issuer"
            label="Signer issuer (regex, optional)"
            value={s.verifyIdentities[0]?.issuer ?? ""}
            onChange={(issuer) => set({ verifyIdentities: [{ issuer, subject: s.verifyIdentities[0]?.subject ?? "" }, ...s.verifyIdentities.slice(1)] })}
            errors={errors}
            mono
            placeholder="^https://token\.actions\.githubusercontent\.com$"
            hint="With a subject: clusters apply only artifacts signed with cosign keyless by this identity."
          />
          <TextInput
            path="source.verify.matchOIDCIdentity.0.subject"
            label="Signer subject (regex)"
            value={s.verifyIdentities[0]?.subject ?? ""}
            onChange={(subject) => set({ verifyIdentities: [{ issuer: s.verifyIdentities[0]?.issuer ?? "", subject }, ...s.verifyIdentities.slice(1)] })}
            errors={errors}
            mono
            placeholder="^https://github\.com/org/repo/\.github/workflows/release\.yml@.*$"
            hint={s.verifyIdentities.length > 1 ? `${s.verifyIdentities.length - 1} more identities are kept as they are.` : undefined}
          />
          <Select
            path="source.verify.credentialId"
            label="cosign public key (instead of a signer identity)"
            value={s.verifyCredentialId}
            onChange={(verifyCredentialId) => set({ verifyCredentialId })}
            errors={errors}
            hint="Clusters apply only artifacts signed with this key's private half."
            options={keyOptions(credentials, "cosign", "None (keyless, or no verification)")}
          />
        </>
      ) : null}
      <TextInput path="source.interval" label="Sync interval" value={s.interval} onChange={(interval) => set({ interval })} errors={errors} mono hint="Go duration: 10m, 1h, 1m30s." />
      <TextInput path="source.timeout" label="Timeout" value={s.timeout} onChange={(timeout) => set({ timeout })} errors={errors} mono />
      <Select
        path="source.credentialId"
        label="Credential"
        value={s.credentialId}
        onChange={(credentialId) => set({ credentialId })}
        errors={errors}
        hint="Public repositories need none. Admins add credentials under Settings → Credentials."
        options={[{ value: "", label: "None (public)" }, ...credentials.filter((c) => !KEY_TYPES.has(c.type)).map((c) => ({ value: c.id, label: `${c.name} (${c.type}${c.host ? `, ${c.host}` : ""})` }))]}
      />
    </div>
  );
}
