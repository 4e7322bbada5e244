import "server-only";
import { checkCredentials, type CredentialField } from "./credentials";
import { parseYamlWithLimits } from "@/lib/validation/safe-yaml";
import type { ClusterCredentials, FieldError } from "./types";

export type { ClusterCredentials } from "./types";

export type KubeconfigContext = { name: string; cluster: string; user: string; namespace?: string };

export type ParsedKubeconfig = { ok: true; contexts: KubeconfigContext[]; currentContext?: string } | FieldError;

const LIMITS = { maxBytes: 1024 * 1024, maxDepth: 32, maxAliasCount: 10 };

type Mapping = Record<string, unknown>;
type Named = { name: string; body: Mapping };
type Document = { contexts: KubeconfigContext[]; clusters: Named[]; users: Named[]; currentContext?: string };

const FILE_PATH = "is a file path; the portal never reads local files. Inline the data instead";
const USE_TOKEN = "use a service-account token or a client certificate";

// Fields that make a Kubernetes client run commands, read files or weaken TLS, with why we refuse them.
const CLUSTER_FIELDS: Record<string, string | null> = {
  server: null,
  "certificate-authority-data": null,
  "tls-server-name": null,
  "insecure-skip-tls-verify": null,
  "disable-compression": null,
  extensions: null,
  "certificate-authority": `${FILE_PATH} (certificate-authority-data)`,
  "proxy-url": "is not supported: credentials are sent only to the API server itself",
};

const USER_FIELDS: Record<string, string | null> = {
  token: null,
  "client-certificate-data": null,
  "client-key-data": null,
  extensions: null,
  exec: `runs a local command to obtain credentials; the portal never runs commands from a kubeconfig: ${USE_TOKEN}`,
  "auth-provider": `runs an authentication plugin that reads local files and refreshes tokens: ${USE_TOKEN}`,
  tokenFile: `${FILE_PATH} (token)`,
  "client-certificate": `${FILE_PATH} (client-certificate-data)`,
  "client-key": `${FILE_PATH} (client-key-data)`,
  username: "is basic authentication, which Kubernetes no longer supports; use a token",
  password: "is basic authentication, which Kubernetes no longer supports; use a token",
  as: "is impersonation, which the portal does not support",
  "as-uid": "is impersonation, which the portal does not support",
  "as-groups": "is impersonation, which the portal does not support",
  "as-user-extra": "is impersonation, which the portal does not support",
};

/** Lists the contexts of a pasted kubeconfig without trusting any credential in it. */
export function parseKubeconfig(text: string): ParsedKubeconfig {
  const doc = readDocument(text);
  if (!("contexts" in doc)) return doc;
  return { ok: true, contexts: doc.contexts, ...(doc.currentContext ? { currentContext: doc.currentContext } : {}) };
}

/**
 * The credentials of one context (default: current-context), validated field by field
 * before any client exists. Refuses everything that would make a client run commands,
 * read local files, use a proxy or skip TLS verification.
 */
export function extractCredentials(
  text: string,
  context?: string,
): { ok: true; credentials: ClusterCredentials } | FieldError {
  const doc = readDocument(text);
  if (!("contexts" in doc)) return doc;
  const contextName = context ?? doc.currentContext;
  if (contextName === undefined) return fieldError("current-context", "is not set; choose a context");
  const chosen = doc.contexts.find((c) => c.name === contextName);
  if (!chosen) {
    const field = context === undefined ? "current-context" : "context";
    return fieldError(field, `names a context (${quote(contextName)}) that is not in the kubeconfig`);
  }
  const contextPath = `contexts[${quote(chosen.name)}].context`;
  const cluster = doc.clusters.find((c) => c.name === chosen.cluster);
  if (!cluster) return fieldError(`${contextPath}.cluster`, `names a cluster (${quote(chosen.cluster)}) that is not in the kubeconfig`);
  const user = doc.users.find((u) => u.name === chosen.user);
  if (!user) return fieldError(`${contextPath}.user`, `names a user (${quote(chosen.user)}) that is not in the kubeconfig`);

  const clusterPath = `clusters[${quote(cluster.name)}].cluster`;
  const userPath = `users[${quote(user.name)}].user`;
  const refused = refusedField(cluster.body, CLUSTER_FIELDS, clusterPath) ?? refusedField(user.body, USER_FIELDS, userPath);
  if (refused) return refused;
  const skipVerify = cluster.body["insecure-skip-tls-verify"];
  if (skipVerify !== undefined && skipVerify !== false) {
    const reason = "is set; the portal never disables TLS verification. Remove it and provide certificate-authority-data";
    return fieldError(`${clusterPath}.insecure-skip-tls-verify`, reason);
  }

  const paths: Record<CredentialField, string> = {
    server: `${clusterPath}.server`,
    caData: `${clusterPath}.certificate-authority-data`,
    tlsServerName: `${clusterPath}.tls-server-name`,
    token: `${userPath}.token`,
    clientCertData: `${userPath}.client-certificate-data`,
    clientKeyData: `${userPath}.client-key-data`,
  };
  const decoded = decodeFields(cluster.body, user.body, paths);
  if (!decoded.ok) return decoded;
  const checked = checkCredentials(decoded.credentials);
  if (!checked.ok) return fieldError(paths[checked.field], checked.reason);
  return checked;
}

function readDocument(text: string): Document | FieldError {
  const parsed = parseYamlWithLimits(text, LIMITS);
  if (!parsed.ok) return fieldError("kubeconfig", parsed.error);
  if (!isMapping(parsed.value)) {
    return fieldError("kubeconfig", "is not a YAML mapping (expected a kubeconfig with clusters, users and contexts)");
  }
  const root = parsed.value;
  const clusters = namedList(root, "clusters", "cluster");
  if (!Array.isArray(clusters)) return clusters;
  const users = namedList(root, "users", "user");
  if (!Array.isArray(users)) return users;
  const entries = namedList(root, "contexts", "context");
  if (!Array.isArray(entries)) return entries;
  if (entries.length === 0) return fieldError("contexts", "is empty; the kubeconfig has no contexts");

  const contexts: KubeconfigContext[] = [];
  for (const { name, body } of entries) {
    const { cluster, user, namespace } = body;
    const path = `contexts[${quote(name)}].context`;
    if (typeof cluster !== "string" || cluster === "") return fieldError(`${path}.cluster`, "must be a cluster name");
    if (typeof user !== "string" || user === "") return fieldError(`${path}.user`, "must be a user name");
    if (namespace !== undefined && typeof namespace !== "string") return fieldError(`${path}.namespace`, "must be a string");
    contexts.push({ name, cluster, user, ...(namespace ? { namespace } : {}) });
  }
  const current = root["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string") {
    return fieldError("current-context", "must be a context name");
  }
  const currentContext = current ? current : undefined;
  if (currentContext !== undefined && !contexts.some((c) => c.name === currentContext)) {
    return fieldError("current-context", `names a context (${quote(currentContext)}) that is not in the kubeconfig`);
  }
  return { contexts, clusters, users, ...(currentContext ? { currentContext } : {}) };
}

/** `clusters: [{ name, cluster: {...} }]` and the like; a missing list is empty, a malformed one an error. */
function namedList(root: Mapping, key: string, bodyKey: string): Named[] | FieldError {
  const list = root[key] ?? [];
  if (!Array.isArray(list)) return fieldError(key, "must be a list");
  const seen = new Set<string>();
  const entries: Named[] = [];
  for (const [index, item] of list.entries()) {
    const name = isMapping(item) ? item.name : undefined;
    if (typeof name !== "string" || name === "") return fieldError(`${key}[${index}].name`, "must be a non-empty string");
    if (seen.has(name)) return fieldError(`${key}[${index}].name`, `duplicates the name ${quote(name)}`);
    seen.add(name);
    const body = isMapping(item) ? item[bodyKey] : undefined;
    if (!isMapping(body)) return fieldError(`${key}[${quote(name)}].${bodyKey}`, "must be a mapping");
    entries.push({ name, body });
  }
  return entries;
}

function refusedField(body: Mapping, allowed: Record<string, string | null>, path: string): FieldError | undefined {
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(allowed, key)) return fieldError(`${path}.${key}`, "is not a supported kubeconfig field");
    const reason = allowed[key];
    if (reason) return fieldError(`${path}.${key}`, reason);
  }
  return undefined;
}

function decodeFields(
  cluster: Mapping,
  user: Mapping,
  paths: Record<CredentialField, string>,
): { ok: true; credentials: ClusterCredentials } | FieldError {
  const strings: [CredentialField, unknown][] = [
    ["server", cluster.server],
    ["tlsServerName", cluster["tls-server-name"]],
    ["token", user.token],
  ];
  const encoded: [CredentialField, unknown][] = [
    ["caData", cluster["certificate-authority-data"]],
    ["clientCertData", user["client-certificate-data"]],
    ["clientKeyData", user["client-key-data"]],
  ];
  const credentials: Partial<Record<CredentialField, string>> = {};
  for (const [field, value] of strings) {
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") return fieldError(paths[field], "must be a string");
    credentials[field] = value;
  }
  for (const [field, value] of encoded) {
    if (value === undefined || value === null || value === "") continue;
    const pem = typeof value === "string" ? decodeBase64(value) : undefined;
    if (pem === undefined) return fieldError(paths[field], "is not valid base64");
    credentials[field] = pem;
  }
  const { server, ...rest } = credentials;
  if (server === undefined) return fieldError(paths.server, "is required");
  return { ok: true, credentials: { server, ...rest } };
}

/** Strict base64 (standard alphabet, canonical padding); line breaks are tolerated as Go's decoder does. */
export function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/[\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact, "base64");
  // Re-encoding catches non-zero padding bits, which lenient decoders silently drop.
  return bytes.toString("base64") === compact ? bytes.toString("utf8") : undefined;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Names are shown to locate a problem; they are never credentials. Long ones are cut.
function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

function fieldError(field: string, message: string): FieldError {
  return { ok: false, field, message: `${field} ${message}` };
}
