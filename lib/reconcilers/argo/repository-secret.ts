import { base64Encode, credentialSupportProblem } from "@/lib/reconcilers/flux/credentials";
import { credentialSecretName, objectMeta } from "@/lib/reconcilers/labels";
import type { KubeObject, RenderCredential, RenderInput } from "@/lib/reconcilers/flux/types";
import { SECRET_TYPE_LABEL } from "./metadata";

/**
 * Argo CD finds Git credentials in Secrets labelled as repositories whose `url` key equals an
 * Application's repoURL. Only what Argo CD reads from such a Secret is written; the rest of a
 * credential (CA certificates, known hosts) lives in Argo CD's own ConfigMaps and is reported
 * by unsupportedFields instead.
 */
function repositoryKeys(credential: RenderCredential): Record<string, string> | undefined {
  switch (credential.type) {
    case "https":
      return { username: credential.username, password: credential.password };
    case "bearer":
      return { bearerToken: credential.token };
    case "ssh":
      return { sshPrivateKey: credential.identity };
    case "ca":
      return undefined;
  }
}

/** The repository Secret `<config>-auth` in the Argo CD namespace, or none when the credential holds nothing Argo CD reads there. */
export function renderRepositorySecret(input: RenderInput, credential: RenderCredential, namespace: string): KubeObject | undefined {
  const { source } = input.spec;
  if (source.kind !== "GitRepository") throw new Error(`Cannot render an Argo CD repository Secret for a ${source.kind} source`);
  const problem = credentialSupportProblem(source, credential.type);
  if (problem) throw new Error(`Cannot render the credential: ${problem}`);
  const keys = repositoryKeys(credential);
  if (!keys) return undefined;
  const meta = objectMeta(input, credentialSecretName(input.spec.name));
  const data = Object.fromEntries(Object.entries({ type: "git", url: source.url, ...keys }).map(([key, value]) => [key, base64Encode(value)]));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { ...meta, namespace, labels: { ...meta.labels, [SECRET_TYPE_LABEL]: "repository" } },
    type: "Opaque",
    data,
  };
}
