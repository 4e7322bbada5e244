// Pure: error types and wording shared by the client, the collector and the UI.

export type ClusterErrorKind =
  | "tls"
  | "dns"
  | "refused"
  | "unauthorized"
  | "forbidden"
  | "timeout"
  | "not-found"
  | "conflict"
  | "invalid"
  | "gone"
  | "too-many-requests"
  | "server"
  | "network";

/** One field another manager owns, from a server-side apply 409. */
export type FieldConflict = { manager: string; field: string };

type ClusterErrorInit = {
  status?: number;
  reason?: string;
  conflicts?: FieldConflict[];
  retryAfterMs?: number;
};

/** A failed call to a cluster. Messages never contain credentials or request bodies. */
export class ClusterError extends Error {
  readonly kind: ClusterErrorKind;
  readonly status: number | undefined;
  /** The Kubernetes Status reason (AlreadyExists, Conflict, Expired...), when the server sent one. */
  readonly reason: string | undefined;
  readonly conflicts: FieldConflict[];
  readonly retryAfterMs: number | undefined;

  constructor(kind: ClusterErrorKind, message: string, init: ClusterErrorInit = {}) {
    super(message);
    this.name = "ClusterError";
    this.kind = kind;
    this.status = init.status;
    this.reason = init.reason;
    this.conflicts = init.conflicts ?? [];
    this.retryAfterMs = init.retryAfterMs;
  }
}

// Server-supplied text is shown in the UI; keep it to a readable size.
const MAX_SERVER_MESSAGE = 500;

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  410: "Gone",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function kindForStatus(status: number): ClusterErrorKind {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 408 || status === 504) return "timeout";
  if (status === 409) return "conflict";
  if (status === 410) return "gone";
  if (status === 429) return "too-many-requests";
  if (status >= 500) return "server";
  if (status >= 400) return "invalid";
  // 1xx/3xx: redirects are never followed, so credentials only go to the registered server.
  return "server";
}

/** Builds the error for a non-2xx answer from its status, body (a Kubernetes Status if any) and Retry-After. */
export function errorFromResponse(status: number, body: unknown, retryAfter?: string): ClusterError {
  const kind = kindForStatus(status);
  const statusObject = asStatus(body);
  const label = `${status} ${STATUS_TEXT[status] ?? "HTTP error"}`;
  const detail = detailFor(status, statusObject?.message?.slice(0, MAX_SERVER_MESSAGE));
  return new ClusterError(kind, detail ? `${label}: ${detail}` : label, {
    status,
    reason: statusObject?.reason,
    conflicts: kind === "conflict" ? parseConflicts(body) : [],
    retryAfterMs: retryAfter === undefined ? undefined : parseRetryAfter(retryAfter),
  });
}

function detailFor(status: number, serverMessage: string | undefined): string | undefined {
  // The apiserver's 401 text is just "Unauthorized"; say what to fix instead.
  if (status === 401) return "token or client certificate rejected";
  if (status >= 300 && status < 400) return "redirect not followed";
  return serverMessage;
}

type StatusBody = {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
};

/** The body as a Kubernetes Status object, or undefined when it is not one. */
export function asStatus(body: unknown): StatusBody | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const candidate = body as StatusBody;
  return candidate.kind === "Status" ? candidate : undefined;
}

// The apiserver prints managers Go-quoted: `conflict with "kubectl" using v1`.
const MANAGER_PATTERN = /conflicts? with ("(?:[^"\\]|\\.)*")/;

/**
 * Field managers and fields from a server-side apply conflict. Prefers the structured
 * `details.causes`; falls back to the message ("Apply failed with 2 conflicts:
 * conflicts with "a":\n- .data.x\n- .data.y") when no causes came.
 */
export function parseConflicts(body: unknown): FieldConflict[] {
  const status = asStatus(body);
  if (!status) return [];
  const causes = (status.details?.causes ?? []).filter((c) => c.reason === "FieldManagerConflict");
  const fromCauses = causes.flatMap((cause) => {
    const manager = managerIn(cause.message ?? "");
    return manager !== undefined && cause.field ? [{ manager, field: cause.field }] : [];
  });
  if (fromCauses.length > 0) return fromCauses;
  return conflictsFromMessage(status.message ?? "");
}

function conflictsFromMessage(message: string): FieldConflict[] {
  const conflicts: FieldConflict[] = [];
  let manager: string | undefined;
  for (const line of message.split("\n")) {
    if (line.startsWith("- ") && manager !== undefined) {
      conflicts.push({ manager, field: line.slice(2).trim() });
      continue;
    }
    const match = MANAGER_PATTERN.exec(line);
    if (!match?.[1]) continue;
    manager = unquote(match[1]);
    // One conflict is printed inline; the manager suffix ("using v1 at <time>") has colons too.
    const rest = line.slice(match.index + match[0].length);
    const at = rest.indexOf(": .");
    if (at >= 0) conflicts.push({ manager, field: rest.slice(at + 2).trim() });
  }
  return conflicts;
}

function managerIn(text: string): string | undefined {
  const quoted = MANAGER_PATTERN.exec(text)?.[1];
  return quoted === undefined ? undefined : unquote(quoted);
}

function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/** A short, safe description for the UI: ClusterError messages as is, anything else generic. */
export function classifyError(error: unknown): { kind: ClusterErrorKind; message: string } {
  if (error instanceof ClusterError) return { kind: error.kind, message: error.message };
  // Unknown errors may carry anything (URLs with credentials, request bodies): do not show them.
  return { kind: "network", message: "unexpected error while contacting the cluster" };
}
