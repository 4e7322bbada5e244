import type { SourceSpec } from "@/lib/validation/configuration";
import { credentialSecretName, objectMeta } from "@/lib/reconcilers/labels";
import type { KubeObject, RenderCredential, RenderInput } from "./types";

/**
 * Credentials become one Secret, `<config>-auth`, in the key layout the source kind
 * reads. Secret material goes into `data` and nowhere else: the source only names it.
 */

export type CredentialType = RenderCredential["type"];

export type SourceAuthRefs = {
  secretRef?: { name: string };
  certSecretRef?: { name: string };
};

export const MASK = "•••• (masked)";

function isHttpUrl(url: string): boolean {
  return url.startsWith("http://") || url.startsWith("https://");
}

/**
 * Why this credential type cannot authenticate this source, or undefined when it can.
 * Server actions call it when a credential is attached; the renderer refuses the same cases.
 */
export function credentialSupportProblem(source: SourceSpec, type: CredentialType): string | undefined {
  switch (source.kind) {
    case "GitRepository":
      if (type === "ssh") return source.url.startsWith("ssh://") ? undefined : "an SSH key needs an ssh:// repository URL";
      if (!isHttpUrl(source.url)) return "this credential needs an http:// or https:// repository URL";
      if (type === "ca" && !source.url.startsWith("https://")) return "a CA certificate needs an https:// repository URL";
      return undefined;
    case "HelmRepository":
    case "OCIRepository":
      if (type === "https" || type === "ca") return undefined;
      return `${source.kind === "OCIRepository" ? "an" : "a"} ${source.kind} accepts a user name and password or a CA certificate, not ${type === "ssh" ? "an SSH key" : "a bearer token"}`;
    case "Bucket":
      return "Bucket sources do not take stored credentials yet (they need access keys or a cloud identity)";
  }
}

/** UTF-8 text to base64 without Node's Buffer, so this module also runs in the browser. */
export function base64Encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  // Chunked so String.fromCharCode never receives more arguments than the engine allows.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

function plainKeys(credential: RenderCredential): Record<string, string> {
  switch (credential.type) {
    case "https":
      return {
        username: credential.username,
        password: credential.password,
        ...(credential.caCert ? { "ca.crt": credential.caCert } : {}),
      };
    case "bearer":
      return { bearerToken: credential.token };
    case "ssh":
      return { identity: credential.identity, "identity.pub": credential.identityPub, known_hosts: credential.knownHosts };
    case "ca":
      return { "ca.crt": credential.caCert };
  }
}

/** OCIRepository reads registry logins only from a dockerconfigjson Secret, keyed by registry host. */
function dockerConfigJson(url: string, username: string, password: string): string {
  const registry = new URL(url).host;
  const auth = base64Encode(`${username}:${password}`);
  return JSON.stringify({ auths: { [registry]: { username, password, auth } } });
}

function secretLayout(source: SourceSpec, credential: RenderCredential): { type: string; keys: Record<string, string> } {
  if (source.kind === "OCIRepository" && credential.type === "https") {
    if (credential.caCert) {
      throw new Error("An OCIRepository cannot take a login and a CA certificate from one Secret; store them as separate credentials");
    }
    return {
      type: "kubernetes.io/dockerconfigjson",
      keys: { ".dockerconfigjson": dockerConfigJson(source.url, credential.username, credential.password) },
    };
  }
  return { type: "Opaque", keys: plainKeys(credential) };
}

/** Which source fields point at the Secret: TLS material is read through certSecretRef except by Git. */
function authRefs(source: SourceSpec, credential: RenderCredential, secretName: string): SourceAuthRefs {
  const ref = { name: secretName };
  if (source.kind === "GitRepository") return { secretRef: ref };
  if (credential.type === "ca") return { certSecretRef: ref };
  const hasCa = credential.type === "https" && Boolean(credential.caCert);
  return hasCa ? { secretRef: ref, certSecretRef: ref } : { secretRef: ref };
}

export function renderCredentialSecret(input: RenderInput, credential: RenderCredential): { secret: KubeObject; refs: SourceAuthRefs } {
  const problem = credentialSupportProblem(input.spec.source, credential.type);
  if (problem) throw new Error(`Cannot render the credential: ${problem}`);
  const name = credentialSecretName(input.spec.name);
  const { type, keys } = secretLayout(input.spec.source, credential);
  const data = Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, base64Encode(value)]));
  return {
    secret: { apiVersion: "v1", kind: "Secret", metadata: objectMeta(input, name), type, data },
    refs: authRefs(input.spec.source, credential, name),
  };
}

/**
 * A credential of the given type with every value masked, for previews rendered where the
 * real credential must not go (the browser): maskSecrets() of its output equals
 * maskSecrets() of the real output when `withCaCert` matches the real credential.
 */
export function maskedCredential(type: CredentialType, { withCaCert = false } = {}): RenderCredential {
  switch (type) {
    case "https":
      return { type, username: MASK, password: MASK, ...(withCaCert ? { caCert: MASK } : {}) };
    case "bearer":
      return { type, token: MASK };
    case "ssh":
      return { type, identity: MASK, identityPub: MASK, knownHosts: MASK };
    case "ca":
      return { type, caCert: MASK };
  }
}
