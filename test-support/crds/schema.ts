// Building blocks for structural OpenAPI v3 schemas. Every spec field is
// typed so the API server prunes misspelled fields exactly like a real Flux or
// Argo CD installation would.

export type Schema = {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  enum?: string[];
  pattern?: string;
  format?: string;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  "x-kubernetes-preserve-unknown-fields"?: true;
  "x-kubernetes-int-or-string"?: true;
};

export const str = (extra: Omit<Schema, "type"> = {}): Schema => ({ type: "string", ...extra });
export const bool = (extra: Omit<Schema, "type"> = {}): Schema => ({ type: "boolean", ...extra });
export const int = (extra: Omit<Schema, "type"> = {}): Schema => ({ type: "integer", ...extra });
export const int64 = (): Schema => ({ type: "integer", format: "int64" });
export const date = (): Schema => ({ type: "string", format: "date-time" });
export const oneOf = (...values: string[]): Schema => ({ type: "string", enum: values });
export const arr = (items: Schema): Schema => ({ type: "array", items });
export const strings = (): Schema => arr(str());
export const strMap = (): Schema => ({ type: "object", additionalProperties: { type: "string" } });
/** Free-form JSON, only where the real API is free-form too (Helm values). */
export const anyJson = (): Schema => ({ "x-kubernetes-preserve-unknown-fields": true });

export function obj(properties: Record<string, Schema>, required?: string[]): Schema {
  return { type: "object", properties, ...(required && required.length > 0 ? { required } : {}) };
}

// Go duration strings as Flux validates them (interval, retryInterval...).
export const DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
export const duration = (extra: Omit<Schema, "type"> = {}): Schema => str({ pattern: DURATION_PATTERN, ...extra });
// Source timeouts do not accept hours.
export const timeout = (): Schema => str({ pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$", default: "60s" });

export const localRef = (): Schema => obj({ name: str() }, ["name"]);
export const namespacedRef = (): Schema => obj({ name: str(), namespace: str() }, ["name"]);
export const secretKeyRef = (): Schema => obj({ name: str(), key: str() }, ["name"]);
export const kubeConfigRef = (): Schema =>
  obj({
    secretRef: secretKeyRef(),
    configMapRef: localRef(),
  });

/** metav1.Condition, the shape every Flux object reports. */
export const conditions = (): Schema =>
  arr(
    obj(
      {
        type: str({ maxLength: 316, pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$" }),
        status: oneOf("True", "False", "Unknown"),
        reason: str({ maxLength: 1024, minLength: 1, pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" }),
        message: str({ maxLength: 32768 }),
        lastTransitionTime: date(),
        observedGeneration: int64(),
      },
      ["lastTransitionTime", "message", "reason", "status", "type"],
    ),
  );

/** The artifact a source produces (source.toolkit.fluxcd.io Artifact). */
export const artifact = (): Schema =>
  obj(
    {
      path: str(),
      url: str(),
      revision: str(),
      digest: str({ pattern: "^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$" }),
      lastUpdateTime: date(),
      size: int64(),
      metadata: strMap(),
    },
    ["lastUpdateTime", "path", "revision", "url"],
  );

/** Selects objects by GVK, name, namespace or selectors (kustomize Selector). */
export const kustomizeSelector = (): Schema =>
  obj({
    group: str(),
    version: str(),
    kind: str(),
    name: str(),
    namespace: str(),
    labelSelector: str(),
    annotationSelector: str(),
  });

export const kustomizePatches = (): Schema => arr(obj({ patch: str(), target: kustomizeSelector() }, ["patch"]));

export const kustomizeImages = (): Schema =>
  arr(obj({ name: str(), newName: str(), newTag: str(), digest: str() }, ["name"]));

export type PrinterColumn = { name: string; type: "string" | "date" | "integer"; jsonPath: string; priority?: number };

const READY = '.status.conditions[?(@.type=="Ready")]';
export const col = {
  age: { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" } as PrinterColumn,
  ready: { name: "Ready", type: "string", jsonPath: `${READY}.status` } as PrinterColumn,
  status: { name: "Status", type: "string", jsonPath: `${READY}.message` } as PrinterColumn,
  url: { name: "URL", type: "string", jsonPath: ".spec.url" } as PrinterColumn,
};

export type CrdDefinition = {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  labels: Record<string, string>;
  columns: PrinterColumn[];
  /** Top-level properties besides apiVersion/kind/metadata (spec, status, operation...). */
  properties: Record<string, Schema>;
  required?: string[];
  /** Default true. Argo CD's Application and AppProject have none: their status is written with the object. */
  statusSubresource?: boolean;
};

export type CustomResourceDefinition = {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
};

export function crd(def: CrdDefinition): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${def.group}`, labels: def.labels },
    spec: {
      group: def.group,
      scope: "Namespaced",
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames ? { shortNames: def.shortNames } : {}),
        ...(def.categories ? { categories: def.categories } : {}),
      },
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          ...(def.statusSubresource === false ? {} : { subresources: { status: {} } }),
          additionalPrinterColumns: def.columns,
          schema: {
            openAPIV3Schema: {
              ...obj({ apiVersion: str(), kind: str(), metadata: { type: "object" }, ...def.properties }, def.required),
            },
          },
        },
      ],
    },
  };
}
