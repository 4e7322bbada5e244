import type { KeyCredentialType } from "@/db/enums";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { secretKeysFor } from "@/lib/validation/configuration-notifications";
import { objectMeta, sopsSecretName, verifySecretName } from "@/lib/reconcilers/labels";
import { base64Encode, MASK } from "./credentials";
import type { KubeObject, RenderInput, RenderKey } from "./types";

/**
 * Key credentials become Secrets in the layout each controller reads:
 * - source-controller verifies Git signatures against every value of `verify.secretRef` as an
 *   armored keyring, one key per entry (`key-1.asc`, ...: Go's reader takes one armor block per value);
 * - an OCIRepository's cosign keys are the entries ending in `.pub` (`cosign.pub`);
 * - kustomize-controller decrypts SOPS with the entries ending in `.agekey` (age identities) or
 *   `.asc` (PGP private keys) of `decryption.secretRef`.
 */

export type KeyReference = {
  path: string;
  credentialId: string;
  type: KeyCredentialType;
  /** webhook only: the Secret keys the provider's type reads, which the credential must hold. */
  needs?: WebhookEntry[];
};

export type WebhookEntry = "address" | "token";

/** The entries a webhook credential holds, as stored (non-secret) in its publicKey column: "address,token". */
export function webhookEntries(stored: string | null): WebhookEntry[] {
  return (stored ?? "").split(",").filter((entry): entry is WebhookEntry => entry === "address" || entry === "token");
}

/** Every key credential a spec names, where (form path) and of which type it must be. */
export function keyReferences(spec: ConfigurationSpec): KeyReference[] {
  const refs: KeyReference[] = [];
  const { source } = spec;
  if (source.kind === "GitRepository" && source.verify) refs.push({ path: "source.verify.credentialId", credentialId: source.verify.credentialId, type: "pgp" });
  if (source.kind === "OCIRepository" && source.verify?.credentialId) refs.push({ path: "source.verify.credentialId", credentialId: source.verify.credentialId, type: "cosign" });
  spec.kustomizations.forEach((kustomization, index) => {
    const id = kustomization.decryption?.credentialId;
    if (id) refs.push({ path: `kustomizations.${index}.decryption.credentialId`, credentialId: id, type: "sops" });
  });
  spec.notifications?.providers.forEach((provider, index) => {
    if (!provider.credentialId) return;
    const needs = secretKeysFor(provider.type);
    const entries: WebhookEntry[] = [...(needs.address ? (["address"] as const) : []), ...(needs.token ? (["token"] as const) : [])];
    refs.push({ path: `notifications.providers.${index}.credentialId`, credentialId: provider.credentialId, type: "webhook", needs: entries });
  });
  return refs;
}

/** The distinct SOPS keys in order of first use: the index names each one's Secret. */
export function sopsKeyIds(spec: ConfigurationSpec): string[] {
  return [...new Set(spec.kustomizations.flatMap((k) => (k.decryption?.credentialId ? [k.decryption.credentialId] : [])))];
}

/** Throws when a key the spec names was not passed, or is of another type (a caller's mistake). */
export function checkKeys(spec: ConfigurationSpec, keys: RenderInput["keys"]): void {
  for (const ref of keyReferences(spec)) {
    const key = keys?.[ref.credentialId];
    if (!key) throw new Error(`${ref.path} names a key credential that was not passed (use maskedKey for previews)`);
    if (key.type !== ref.type) throw new Error(`${ref.path} needs a ${ref.type} key credential, not ${key.type}`);
    if (key.type === "webhook") {
      const missing = ref.needs?.find((entry) => key[entry] === undefined);
      if (missing) throw new Error(`${ref.path} needs a webhook credential with a ${missing}`);
    }
  }
}

function keyEntries(key: RenderKey): Record<string, string> {
  switch (key.type) {
    case "pgp":
      return Object.fromEntries(key.publicKeys.map((armored, i) => [`key-${i + 1}.asc`, armored]));
    case "cosign":
      return { "cosign.pub": key.publicKey };
    case "sops":
      return key.format === "age" ? { "identity.agekey": key.privateKey } : { "identity.asc": key.privateKey };
    case "webhook":
      return { ...(key.address !== undefined ? { address: key.address } : {}), ...(key.token !== undefined ? { token: key.token } : {}) };
  }
}

export function keySecret(input: RenderInput, name: string, key: RenderKey): KubeObject {
  const data = Object.fromEntries(Object.entries(keyEntries(key)).map(([entry, value]) => [entry, base64Encode(value)]));
  return { apiVersion: "v1", kind: "Secret", metadata: objectMeta(input, name), type: "Opaque", data };
}

/** The key Secrets of a render, in apply order (before the source and the Kustomizations that read them). */
export function renderKeySecrets(input: RenderInput): KubeObject[] {
  const { spec, keys } = input;
  checkKeys(spec, keys);
  const secrets: KubeObject[] = [];
  const verifyId = spec.source.kind === "GitRepository" || spec.source.kind === "OCIRepository" ? spec.source.verify?.credentialId : undefined;
  if (verifyId) secrets.push(keySecret(input, verifySecretName(spec.name), keys![verifyId]!));
  sopsKeyIds(spec).forEach((id, index) => secrets.push(keySecret(input, sopsSecretName(spec.name, index), keys![id]!)));
  return secrets;
}

/** The name of the Secret a Kustomization decrypts with, when it names a key. */
export function decryptionSecretName(spec: ConfigurationSpec, credentialId: string | undefined): string | undefined {
  if (!credentialId) return undefined;
  const index = sopsKeyIds(spec).indexOf(credentialId);
  return index < 0 ? undefined : sopsSecretName(spec.name, index);
}

/**
 * A key for previews rendered where the private part must not go: public keys are public and
 * kept (they are masked in YAML like every Secret value); a SOPS key keeps only its format,
 * which decides its entry's name.
 */
export function maskedKey(type: KeyCredentialType, stored: { publicKey: string | null }): RenderKey {
  switch (type) {
    case "pgp":
      return { type, publicKeys: splitArmoredKeys(stored.publicKey ?? "") };
    case "cosign":
      return { type, publicKey: stored.publicKey ?? MASK };
    case "sops":
      return { type, format: stored.publicKey?.startsWith("age1") ? "age" : "pgp", privateKey: MASK };
    case "webhook":
      return { type, ...Object.fromEntries(webhookEntries(stored.publicKey).map((entry) => [entry, MASK])) };
  }
}

const ARMOR_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

/** Armored public keys stored one after another, as separate blocks. */
export function splitArmoredKeys(text: string): string[] {
  const blocks = text.split(ARMOR_BEGIN).slice(1).map((rest) => `${ARMOR_BEGIN}${rest}`.trim() + "\n");
  return blocks.length > 0 ? blocks : [MASK];
}
