// Pure: REST paths for Kubernetes resources.

/** A resource to address. `kind` is accepted so resource descriptors can be passed as they are. */
export type ResourceRef = { apiVersion: string; kind?: string; plural: string; namespace?: string; name?: string };

/** "/api/v1" for the core group, "/apis/<group>/<version>" otherwise. */
export function groupVersionPath(apiVersion: string): string {
  const parts = apiVersion.split("/");
  if (parts.length === 1 && parts[0]) return `/api/${segment(parts[0], "apiVersion")}`;
  if (parts.length === 2 && parts[0] && parts[1]) return `/apis/${segment(parts[0], "apiVersion")}/${segment(parts[1], "apiVersion")}`;
  throw new RangeError(`invalid apiVersion ${JSON.stringify(apiVersion)}`);
}

/** e.g. /apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/podinfo */
export function resourcePath({ apiVersion, plural, namespace, name }: ResourceRef): string {
  const scope = namespace === undefined ? "" : `/namespaces/${segment(namespace, "namespace")}`;
  const item = name === undefined ? "" : `/${segment(name, "name")}`;
  return `${groupVersionPath(apiVersion)}${scope}/${segment(plural, "plural")}${item}`;
}

// Names reach the URL path: refuse anything that could step out of its segment.
function segment(value: string, what: string): string {
  if (value === "" || value === "." || value === ".." || value.includes("/")) {
    throw new RangeError(`invalid ${what} ${JSON.stringify(value)} in a resource path`);
  }
  return encodeURIComponent(value);
}
