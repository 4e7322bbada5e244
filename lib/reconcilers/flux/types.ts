import type { JsonObject } from "@/lib/validation/json";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import type { ClusterFacts } from "@/lib/reconcilers/cluster-values";

/** The Kubernetes objects Fleetline renders: plain JSON-compatible data, ready to apply or print. */
export type ObjectMeta = {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /** Secret only. */
  type?: string;
  /** Secret only: base64-encoded values. */
  data?: Record<string, string>;
  /** Secret only: plain values (Fleetline renders `data`; live objects may carry either). */
  stringData?: Record<string, string>;
  spec?: JsonObject;
  /** RoleBinding only. */
  roleRef?: { apiGroup: string; kind: string; name: string };
  /** RoleBinding only. */
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
};

/** A stored credential, decrypted by the caller, in the shape the renderer turns into a Secret. */
export type RenderCredential =
  | { type: "https"; username: string; password: string; caCert?: string }
  | { type: "bearer"; token: string }
  | { type: "ssh"; identity: string; identityPub: string; knownHosts: string }
  | { type: "ca"; caCert: string };

/**
 * A stored key credential, decrypted by the caller, in the shape the renderer turns into a
 * Secret: PGP public keys a Git source's signatures are checked against, cosign's public key,
 * or the SOPS private key (age identities or an armored PGP key) Kustomizations decrypt with.
 */
export type RenderKey =
  | { type: "pgp"; publicKeys: string[] }
  | { type: "cosign"; publicKey: string }
  | { type: "sops"; format: "age" | "pgp"; privateKey: string }
  /** A Flux notification Provider's webhook address and/or API token (the Secret keys `address`, `token`). */
  | { type: "webhook"; address?: string; token?: string };

export type RenderInput = {
  spec: ConfigurationSpec;
  /** The configuration version being rendered (1, 2, ...). */
  version: number;
  configurationId: string;
  credential?: RenderCredential;
  /** The key credentials the spec names (verify, decryption), by credential id. */
  keys?: Readonly<Record<string, RenderKey>>;
  /** The target cluster: its values (variables, overrides) are applied. Absent: the version as written. */
  cluster?: ClusterFacts;
};
