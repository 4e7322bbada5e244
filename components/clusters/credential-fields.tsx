"use client";

import { useState, type ChangeEvent } from "react";
import { Field, describedBy } from "@/components/ui/field";

const MAX_KUBECONFIG_BYTES = 1024 * 1024;

type CredentialFieldsProps = { errors: Record<string, string>; contexts?: string[] };

/** Kubeconfig (pasted or uploaded, with a context picker) or API server URL + token + CA. */
export function CredentialFields({ errors, contexts = [] }: CredentialFieldsProps) {
  const [mode, setMode] = useState<"kubeconfig" | "token">("kubeconfig");
  const [kubeconfig, setKubeconfig] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_KUBECONFIG_BYTES) {
      setFileError("is larger than 1 MiB");
      return;
    }
    setFileError(null);
    setKubeconfig(await file.text());
  }

  const kubeconfigError = fileError ?? errors.kubeconfig;
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium">Credentials</legend>
      <div className="flex gap-4 text-sm" role="radiogroup" aria-label="Credential type">
        <label className="flex items-center gap-1.5">
          <input type="radio" name="credentialMode" value="kubeconfig" checked={mode === "kubeconfig"} onChange={() => setMode("kubeconfig")} />
          Kubeconfig
        </label>
        <label className="flex items-center gap-1.5">
          <input type="radio" name="credentialMode" value="token" checked={mode === "token"} onChange={() => setMode("token")} />
          API server URL and token
        </label>
      </div>
      {mode === "kubeconfig" ? (
        <>
          <Field
            id="kubeconfig"
            label="Kubeconfig"
            error={kubeconfigError}
            hint="Inline credentials only: tokens or client certificates with *-data fields. exec plugins, auth providers and file paths are refused."
          >
            <textarea
              id="kubeconfig"
              name="kubeconfig"
              rows={8}
              spellCheck={false}
              autoComplete="off"
              value={kubeconfig}
              onChange={(e) => setKubeconfig(e.target.value)}
              className="input font-mono text-xs"
              aria-invalid={Boolean(kubeconfigError)}
              aria-describedby={describedBy("kubeconfig", kubeconfigError)}
            />
          </Field>
          <div>
            <label htmlFor="kubeconfig-file" className="text-xs font-medium">Or upload a kubeconfig file</label>
            <input id="kubeconfig-file" type="file" accept=".yaml,.yml,.conf,.config,text/plain,application/x-yaml" onChange={onFile} className="block text-xs" />
          </div>
          {contexts.length > 1 || errors.context ? (
            <Field id="context" label="Context" error={errors.context}>
              <select id="context" name="context" className="input" aria-invalid={Boolean(errors.context)} defaultValue="">
                <option value="">(current context)</option>
                {contexts.map((c) => (
                  <option key={c} value={c}>{c}</option>
                ))}
              </select>
            </Field>
          ) : null}
        </>
      ) : (
        <>
          <Field id="server" label="API server URL" error={errors.server} hint="https only, e.g. https://10.0.0.1:6443">
            <input id="server" name="server" type="url" autoComplete="off" className="input font-mono" aria-invalid={Boolean(errors.server)} aria-describedby={describedBy("server", errors.server)} />
          </Field>
          <Field id="token" label="Bearer token" error={errors.token}>
            <input id="token" name="token" type="password" autoComplete="off" className="input font-mono" aria-invalid={Boolean(errors.token)} aria-describedby={describedBy("token", errors.token)} />
          </Field>
          <Field id="caData" label="CA bundle (PEM, optional)" error={errors.caData} hint="Leave empty when the server's certificate is signed by a public CA.">
            <textarea id="caData" name="caData" rows={4} spellCheck={false} className="input font-mono text-xs" aria-invalid={Boolean(errors.caData)} aria-describedby={describedBy("caData", errors.caData)} />
          </Field>
        </>
      )}
    </fieldset>
  );
}
