import type { JsonObject } from "@/lib/validation/json";
import type { ConfigurationSpec } from "@/lib/validation/configuration";

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

export type RenderInput = {
  spec: ConfigurationSpec;
  /** The configuration version being rendered (1, 2, ...). */
  version: number;
  configurationId: string;
  credential?: RenderCredential;
};
