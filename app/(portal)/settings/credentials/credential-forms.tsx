"use client";

import { useActionState, useState } from "react";
import { useFormAction } from "@/components/ui/use-form-action";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { idle, type FormState } from "@/lib/actions/result";
import type { CredentialView } from "@/lib/credentials/store";
import { createCredentialAction, deleteCredentialAction } from "./actions";

type Kind = "https" | "ssh" | "bearer" | "ca" | "pgp" | "cosign" | "sops" | "webhook";
const KEY_KINDS: readonly Kind[] = ["pgp", "cosign", "sops", "webhook"];

function Input({ name, label, errors, type = "text", hint, rows }: { name: string; label: string; errors: Record<string, string>; type?: string; hint?: string; rows?: number }) {
  const id = `cred-${name}`;
  const error = errors[name];
  const common = { id, name, className: `input ${rows ? "font-mono text-xs" : ""}`, "aria-invalid": Boolean(error), "aria-describedby": describedBy(id, error), autoComplete: "off", spellCheck: false };
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {rows ? <textarea rows={rows} {...common} /> : <input type={type} {...common} />}
    </Field>
  );
}

export function CreateCredentialForm() {
  const [kind, setKind] = useState<Kind>("https");
  const { state, pending, formProps } = useFormAction<FormState<CredentialView>>(createCredentialAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  const created = state.status === "ok" ? state.data : undefined;
  return (
    <form {...formProps} className="space-y-3" noValidate>
      <div>
        <label htmlFor="cred-type" className="block text-sm font-medium">Type</label>
        <select id="cred-type" name="type" value={kind} onChange={(e) => setKind(e.target.value as Kind)} className="input">
          <option value="https">HTTPS: username and token</option>
          <option value="ssh">SSH key (generated or pasted)</option>
          <option value="bearer">Bearer token</option>
          <option value="ca">CA certificate only</option>
          <optgroup label="Keys (bound to no host)">
            <option value="pgp">PGP public keys: verify Git commit and tag signatures</option>
            <option value="cosign">cosign public key: verify OCI artifacts</option>
            <option value="sops">SOPS key (age or PGP): decrypt secrets in Git</option>
          </optgroup>
          <option value="webhook">Notification webhook: where Flux alerts are sent</option>
        </select>
      </div>
      <Input name="name" label="Name" errors={errors} hint="A DNS label, e.g. github-deploy" />
      {KEY_KINDS.includes(kind) ? null : <Input name="host" label="Host" errors={errors} hint="The only host this credential is ever sent to, without a port: github.com, 10.0.0.5" />}
      {kind === "https" ? (
        <>
          <Input name="username" label="Username" errors={errors} />
          <Input name="password" label="Password or token" errors={errors} type="password" />
          <Input name="caCert" label="CA certificate (PEM, optional)" errors={errors} rows={3} />
        </>
      ) : null}
      {kind === "ssh" ? (
        <>
          <Input name="privateKey" label="Private key (optional)" errors={errors} rows={4} hint="Leave empty and Fleetline generates an ed25519 key; add its public key as a deploy key." />
          <Input name="knownHosts" label="known_hosts" errors={errors} rows={3} hint="ssh-keyscan <host> prints it." />
        </>
      ) : null}
      {kind === "bearer" ? <Input name="token" label="Token" errors={errors} type="password" /> : null}
      {kind === "ca" ? <Input name="caCert" label="CA certificate (PEM)" errors={errors} rows={4} /> : null}
      {kind === "pgp" ? <Input name="publicKeys" label="PGP public keys (armored)" errors={errors} rows={5} hint="gpg --export --armor <key id> for each signer; several blocks may be pasted one after another." /> : null}
      {kind === "cosign" ? <Input name="publicKey" label="cosign public key (PEM)" errors={errors} rows={4} hint="The contents of cosign.pub, never cosign.key." /> : null}
      {kind === "sops" ? <Input name="privateKey" label="Private key" errors={errors} rows={4} hint="An age identity file (age-keygen's output) or an armored PGP private key without a passphrase. It is sealed here and written only into the clusters' Secret." /> : null}
      {kind === "webhook" ? (
        <>
          <Input name="address" label="Webhook address" errors={errors} type="password" hint="https:// only. Slack, Teams, Discord and generic providers post here; it is sealed and never shown again." />
          <Input name="token" label="Token (optional)" errors={errors} type="password" hint="The API token of a commit status provider (github, gitlab…), or generic-hmac's signing key." />
        </>
      ) : null}
      <FormMessage state={state} />
      {created?.type === "sops" ? (
        <p className="text-sm" data-testid="key-identity">
          Encrypt for this key with: <span className="font-mono text-xs break-all">{created.fingerprint}</span>
        </p>
      ) : null}
      {created?.type === "ssh" && created.publicKey ? (
        <div className="space-y-1">
          <p className="text-sm font-medium">Add this public key to the repository as a read-only deploy key:</p>
          <pre className="card overflow-x-auto p-2 font-mono text-xs" data-testid="public-key">{created.publicKey}</pre>
        </div>
      ) : null}
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Create credential"}</button>
    </form>
  );
}

export function DeleteCredentialButton({ credential }: { credential: Pick<CredentialView, "id" | "name"> }) {
  const [state, action, pending] = useActionState<FormState, FormData>(deleteCredentialAction, idle);
  return (
    <form action={action}>
      <input type="hidden" name="credentialId" value={credential.id} />
      <button type="submit" className="btn-secondary py-1" disabled={pending}>Delete {credential.name}</button>
      {state.status === "error" ? <p role="alert" className="text-xs text-red-700">{state.message}</p> : null}
    </form>
  );
}
