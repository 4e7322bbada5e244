import { z } from "zod";
import type { Permission } from "@/lib/auth/permissions";
import { EXPORT_FORMATS } from "@/lib/compliance/export-format";
import { matrixFilterSchema } from "@/lib/compliance/filters";
import { clusterFilterSchema } from "@/lib/queries/clusters";
import {
  auditEntrySchema,
  auditQuerySchema,
  complianceSummarySchema,
  configurationDetailSchema,
  clusterDetailSchema,
  clusterLabelsBodySchema,
  clusterLabelsResultSchema,
  clusterStatusSchema,
  rollbackBodySchema,
  rollbackResultSchema,
  configurationSchema,
  controlResultSchema,
  createdVersionSchema,
  createVersionBodySchema,
  fleetStatusSchema,
  reconcileBodySchema,
  suspendBodySchema,
  verbResultSchema,
  errorSchema,
  pageOf,
  pushBodySchema,
  pushResultSchema,
  rolloutActionBodySchema,
  rolloutSchema,
  statusPageSchema,
  statusQuerySchema,
  versionSchema,
} from "./schemas";
import { pageQuerySchema } from "./http";

// The OpenAPI 3.1 document of /api/v1, built from the zod schemas the handlers parse with.
// Every route file under app/api/v1 has a descriptor here (api.int.test.ts walks them).

export type ApiRoute = {
  method: "get" | "post" | "put";
  /** OpenAPI form: /api/v1/configurations/{id}. */
  path: string;
  summary: string;
  /** null: no token needed. */
  permission: Permission | null;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  /** The success status (200 unless said). */
  status?: number;
  /** Other answers worth naming, beside 401/403/422. */
  responses?: Record<number, string>;
};

const clusterSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  labels: z.record(z.string(), z.string()),
  server: z.string(),
  reconciler: z.string().nullable(),
  health: z.object({ state: z.string(), reason: z.string().nullable(), lastSeenAt: z.string().nullable() }).loose(),
});

export const API_ROUTES: ApiRoute[] = [
  { method: "get", path: "/api/v1/openapi.json", summary: "This document.", permission: null, response: z.record(z.string(), z.unknown()) },
  { method: "get", path: "/api/v1/clusters", summary: "Clusters with the Clusters page's filters, 50 a page.", permission: "clusters.read", query: clusterFilterSchema, response: pageOf(clusterSchema) },
  { method: "get", path: "/api/v1/clusters/{id}", summary: "A cluster: labels, health, recent health events, Flux objects (never credentials).", permission: "clusters.read", response: clusterDetailSchema, responses: { 404: "No such cluster." } },
  {
    method: "put",
    path: "/api/v1/clusters/{id}/labels",
    summary: "Replaces the cluster's labels (as its Labels tab does); configurations whose selectors match follow. Errors keyed labels.<key>.",
    permission: "clusters.update",
    body: clusterLabelsBodySchema,
    response: clusterLabelsResultSchema,
    responses: { 404: "No such cluster.", 413: "The body is over the limit." },
  },
  { method: "get", path: "/api/v1/clusters/{id}/status", summary: "Every configuration's state on the cluster (applied version, reason, last observed), worst first.", permission: "clusters.read", response: clusterStatusSchema, responses: { 404: "No such cluster." } },
  { method: "get", path: "/api/v1/status", summary: "The fleet summary the dashboard shows.", permission: "dashboard.read", response: fleetStatusSchema },
  { method: "get", path: "/api/v1/configurations", summary: "Configurations by name.", permission: "configurations.read", query: pageQuerySchema, response: pageOf(configurationSchema) },
  { method: "get", path: "/api/v1/configurations/{id}", summary: "A configuration: its current spec and targets.", permission: "configurations.read", response: configurationDetailSchema, responses: { 404: "No such configuration." } },
  { method: "get", path: "/api/v1/configurations/{id}/versions", summary: "Its versions, newest first.", permission: "configurations.read", query: pageQuerySchema, response: pageOf(versionSchema), responses: { 404: "No such configuration." } },
  {
    method: "post",
    path: "/api/v1/configurations/{id}/versions",
    summary: "Saves a new immutable version (not pushed), validated as the wizard's save is; errors keyed spec.<field>.",
    permission: "configurations.write",
    body: createVersionBodySchema,
    response: createdVersionSchema,
    status: 201,
    responses: { 404: "No such configuration.", 413: "The body is over the limit." },
  },
  {
    method: "post",
    path: "/api/v1/configurations/{id}/reconcile",
    summary: "Asks the cluster's reconciler to act now (Flux reconcile, Argo CD refresh or sync).",
    permission: "configurations.reconcile",
    body: reconcileBodySchema,
    response: z.object({ message: z.string(), requestToken: z.string() }),
    responses: { 404: "No such configuration on that cluster.", 502: "The cluster refused the request." },
  },
  { method: "post", path: "/api/v1/configurations/{id}/suspend", summary: "Suspends reconciliation on one cluster or every target.", permission: "configurations.reconcile", body: suspendBodySchema, response: verbResultSchema, responses: { 404: "No such configuration.", 502: "Failed on some cluster (the body lists them)." } },
  { method: "post", path: "/api/v1/configurations/{id}/resume", summary: "Resumes reconciliation on one cluster or every target.", permission: "configurations.reconcile", body: suspendBodySchema, response: verbResultSchema, responses: { 404: "No such configuration.", 502: "Failed on some cluster (the body lists them)." } },
  {
    method: "post",
    path: "/api/v1/configurations/{id}/push",
    summary:
      'Pushes the current version to its targets (or to clusterIds). Without wait: 202 once started. With wait ("10m", at most 30m): 200 {result:"compliant"} once every target runs the version and is Compliant; 409 {result:"failed"|"timeout", clusters} naming the targets that are not and why.',
    permission: "configurations.push",
    body: pushBodySchema,
    response: pushResultSchema,
    status: 202,
    responses: { 200: "Waited: every target is Compliant on the pushed version.", 404: "No such configuration.", 409: "Waited: the push failed or the time ran out (the body names the clusters).", 413: "The body is over the limit." },
  },
  {
    method: "post",
    path: "/api/v1/configurations/{id}/rollback",
    summary:
      "Rolls back as the Versions tab does: saves version's spec as a new version and pushes it (202). confirmedTargets is the number of clusters it pushes to, as the page asks the person to confirm; a different number is a 422 naming the current one.",
    permission: "configurations.push",
    body: rollbackBodySchema,
    response: rollbackResultSchema,
    status: 202,
    responses: { 404: "No such configuration.", 413: "The body is over the limit." },
  },
  { method: "get", path: "/api/v1/configurations/{id}/status", summary: "Per-cluster status of a configuration, worst first.", permission: "configurations.read", query: pageQuerySchema.extend(statusQuerySchema.shape), response: statusPageSchema, responses: { 404: "No such configuration." } },
  { method: "get", path: "/api/v1/rollouts/{id}", summary: "A rollout (a push): waves, gate, counts and one row per cluster.", permission: "configurations.read", response: rolloutSchema, responses: { 404: "No such rollout." } },
  {
    method: "post",
    path: "/api/v1/rollouts/{id}/{action}",
    summary: "Controls a running rollout: action is pause, resume, approve, skip (body clusterId), abort or abort-rollback.",
    permission: "configurations.push",
    body: rolloutActionBodySchema,
    response: controlResultSchema,
    responses: { 404: "No such rollout, cluster or action.", 409: "Refused (finished, already paused, second-person rule…).", 413: "The body is over the limit." },
  },
  { method: "get", path: "/api/v1/compliance/summary", summary: "The fleet's compliance: counts, per configuration, the longest-failing cells.", permission: "compliance.read", response: complianceSummarySchema },
  {
    method: "get",
    path: "/api/v1/compliance/matrix",
    summary: "One page of the Compliance matrix (rows, columns, cells), with the page's filters.",
    permission: "compliance.read",
    query: matrixFilterSchema,
    response: z.looseObject({ page: z.number(), total: z.number(), rows: z.array(z.record(z.string(), z.unknown())), columns: z.array(z.record(z.string(), z.unknown())), columnOffset: z.number(), columnTotal: z.number() }),
  },
  {
    method: "get",
    path: "/api/v1/compliance/export",
    summary: "The whole matrix as CSV (format=csv, the default) or JSON (format=json), with the matrix's filters, streamed.",
    permission: "compliance.read",
    query: matrixFilterSchema.extend({ format: z.enum(EXPORT_FORMATS).optional() }),
    response: z.string().meta({ description: "text/csv or application/json" }),
  },
  { method: "get", path: "/api/v1/audit/export", summary: "The filtered audit log as CSV, every page, streamed.", permission: "audit.read", query: auditQuerySchema.omit({ page: true }), response: z.string().meta({ description: "text/csv" }) },
  { method: "get", path: "/api/v1/audit", summary: "The audit log, newest first, 50 a page, with the Audit page's filters.", permission: "audit.read", query: auditQuerySchema, response: pageOf(auditEntrySchema) },
];

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;
  void $schema; // the document's dialect says it once
  return rest;
};

const json = (schema: Record<string, unknown>) => ({ "application/json": { schema } });
const errorResponse = (description: string) => ({ description, content: json({ $ref: "#/components/schemas/Error" }) });

function operation(route: ApiRoute) {
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
  const queryShape = route.query ? (jsonSchema(route.query, "input") as { properties?: Record<string, Record<string, unknown>>; required?: string[] }) : {};
  const queryParams = Object.entries(queryShape.properties ?? {}).map(([name, schema]) => ({ name, in: "query", required: queryShape.required?.includes(name) ?? false, schema }));
  const responses: Record<string, unknown> = { [String(route.status ?? 200)]: { description: "OK", content: json(jsonSchema(route.response, "output")) } };
  for (const [status, description] of Object.entries(route.responses ?? {})) {
    responses[status] ??= status === "200" ? { description, content: json(jsonSchema(route.response, "output")) } : errorResponse(description);
  }
  if (route.permission) {
    responses["401"] = errorResponse("No token, or a bad, expired or revoked one.");
    responses["403"] = errorResponse(`The token's role lacks ${route.permission}.`);
    responses["429"] = errorResponse("Too many bad tokens from this address.");
  }
  if (route.query || route.body) responses["422"] = errorResponse("Invalid input; fieldErrors names each field.");
  return {
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/^\/api\/v1/, "").replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    ...(route.permission ? { "x-permission": route.permission } : { security: [] }),
    parameters: [...pathParams, ...queryParams],
    ...(route.body ? { requestBody: { required: false, content: json(jsonSchema(route.body, "input")) } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: "3.1.0",
    info: { title: "Fleetline API", version: "1", description: "Send a personal API token (Settings → API tokens) as `Authorization: Bearer flt_…`. Permissions are the pages' with the token's role." },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Fleetline API token (flt_…)." } },
      schemas: { Error: jsonSchema(errorSchema, "output") },
    },
  };
}
