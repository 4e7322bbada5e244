import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// /api/v1 through its exported route handlers with real Requests on a real SQLite file: the
// token gate on every route (none, viewer, operator), field-named validation errors, the body
// limit, and an OpenAPI document that lists every route file there is.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
const tokens = { viewer: "", operator: "" };
let configurationId = "";
let rolloutId = "";
let clusterId = "";
const SPEC = {
  name: "api-fleet",
  scope: "cluster",
  source: { kind: "GitRepository", url: "https://git.example.com/fleet.git", ref: { type: "branch", value: "main" }, interval: "1m", timeout: "30s" },
  kustomizations: [{ name: "apps", path: "./apps", prune: true }],
  targets: { selector: { matchLabels: { env: "api" } } },
  // The first wave's cluster refuses connections: its push fails, the gate halts the rollout, and it stays unfinished for the control verbs.
  strategy: { waves: [{ name: "early", selector: { matchLabels: { tier: "early" } } }, { name: "late" }] },
};

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Response | Promise<Response>;
type RouteModule = Partial<Record<"GET" | "POST" | "PUT", Handler>>;

const ROUTE_DIR = path.join(process.cwd(), "app/api/v1");
const load = (file: string) => import(/* @vite-ignore */ path.join(ROUTE_DIR, file)) as Promise<RouteModule>;

async function call(file: string, method: "GET" | "POST" | "PUT", url: string, { token, params = {}, body, headers = {} }: { token?: string; params?: Record<string, string>; body?: BodyInit; headers?: Record<string, string> } = {}) {
  const handler = (await load(file))[method];
  if (!handler) throw new Error(`${file} exports no ${method}`);
  const init: RequestInit & { duplex?: "half" } = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
  if (body !== undefined) Object.assign(init, { body, duplex: "half" });
  const response = await handler(new Request(`http://fleetline.test${url}`, init), { params: Promise.resolve(params) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  const { createUser } = await import("@/lib/auth/users");
  const { createToken } = await import("@/lib/auth/tokens");
  for (const role of ["viewer", "operator"] as const) {
    const user = await createUser({ email: `${role}@example.com`, name: role, password: "correct horse battery staple", role });
    const created = createToken(user, { name: `${role}-pipeline`, expiresInDays: 30 });
    if (created.status !== "ok") throw new Error(JSON.stringify(created));
    tokens[role] = created.token;
  }
  // Targets whose API servers refuse connections.
  const { insertCluster } = await import("@/lib/inventory/registry");
  insertCluster({ name: "refusing-late", displayName: "refusing-late", labels: { env: "api", tier: "late" }, authMethod: "token", credentials: { server: "https://127.0.0.1:9", token: "t" }, createdBy: "test" }, null);
  clusterId = insertCluster({ name: "refusing", displayName: "refusing", labels: { env: "api", tier: "early" }, authMethod: "token", credentials: { server: "https://127.0.0.1:9", token: "t" }, createdBy: "test" }, null).id;
  const { createConfiguration } = await import("@/lib/configurations/store");
  const saved = createConfiguration(SPEC, { author: "op@example.com" });
  if (saved.status !== "ok") throw new Error(JSON.stringify(saved));
  configurationId = saved.configuration.id;
});

afterAll(() => temp?.cleanup());

describe("the token gate on every route", () => {
  it("answers 401 without a token, 200 to a viewer's reads, 403 to a viewer's writes, and does an operator's writes", async () => {
    const id = { id: configurationId };
    // The operator pushes first, so the rollout routes have a rollout.
    const pushed = await call("configurations/[id]/push/route.ts", "POST", `/api/v1/configurations/${configurationId}/push`, { token: tokens.operator, params: id });
    expect(pushed.status).toBe(202);
    expect(pushed.body).toMatchObject({ result: "started", version: 1 });
    rolloutId = String(pushed.body.rolloutId);
    const rollout = { id: rolloutId };

    const reads: [string, string, Record<string, string>][] = [
      ["clusters/route.ts", "/api/v1/clusters", {}],
      ["clusters/[id]/route.ts", `/api/v1/clusters/${clusterId}`, { id: clusterId }],
      ["clusters/[id]/status/route.ts", `/api/v1/clusters/${clusterId}/status`, { id: clusterId }],
      ["status/route.ts", "/api/v1/status", {}],
      ["configurations/route.ts", "/api/v1/configurations", {}],
      ["configurations/[id]/route.ts", `/api/v1/configurations/${configurationId}`, id],
      ["configurations/[id]/versions/route.ts", `/api/v1/configurations/${configurationId}/versions`, id],
      ["configurations/[id]/status/route.ts", `/api/v1/configurations/${configurationId}/status`, id],
      ["rollouts/[id]/route.ts", `/api/v1/rollouts/${rolloutId}`, rollout],
      ["compliance/summary/route.ts", "/api/v1/compliance/summary", {}],
      ["compliance/matrix/route.ts", "/api/v1/compliance/matrix", {}],
      ["audit/route.ts", "/api/v1/audit", {}],
    ];
    // Streamed downloads: 401 and 200 as the JSON reads, checked on their text.
    const downloads: [string, string, RegExp][] = [
      ["compliance/export/route.ts", "/api/v1/compliance/export?format=csv", /^cluster,labels,configuration,.*\nrefusing,"env=api, tier=early",api-fleet,api-fleet,deploy,Non-Compliant,not applied,/s],
      ["audit/export/route.ts", "/api/v1/audit/export?action=api.configurations.push", /^id,at,actor,role,action,.*\n\d+,.*,operator@example.com,operator,api.configurations.push,/s],
    ];
    for (const [file, url, head] of downloads) {
      const handler = (await load(file)).GET!;
      expect((await handler(new Request(`http://fleetline.test${url}`), { params: Promise.resolve({}) })).status, url).toBe(401);
      const download = await handler(new Request(`http://fleetline.test${url}`, { headers: { authorization: `Bearer ${tokens.viewer}` } }), { params: Promise.resolve({}) });
      expect(download.status, url).toBe(200);
      expect(await download.text(), url).toMatch(head);
    }
    const writes: [string, string, Record<string, string>, ("POST" | "PUT")?][] = [
      ["configurations/[id]/push/route.ts", `/api/v1/configurations/${configurationId}/push`, id],
      ["configurations/[id]/rollback/route.ts", `/api/v1/configurations/${configurationId}/rollback`, id],
      ["clusters/[id]/labels/route.ts", `/api/v1/clusters/${clusterId}/labels`, { id: clusterId }, "PUT"],
      ["rollouts/[id]/[action]/route.ts", `/api/v1/rollouts/${rolloutId}/pause`, { ...rollout, action: "pause" }],
      ["configurations/[id]/versions/route.ts", `/api/v1/configurations/${configurationId}/versions`, id],
      ["configurations/[id]/reconcile/route.ts", `/api/v1/configurations/${configurationId}/reconcile`, id],
      ["configurations/[id]/suspend/route.ts", `/api/v1/configurations/${configurationId}/suspend`, id],
      ["configurations/[id]/resume/route.ts", `/api/v1/configurations/${configurationId}/resume`, id],
    ];
    for (const [file, url, params] of reads) {
      expect((await call(file, "GET", url, { params })).status, url).toBe(401);
      const read = await call(file, "GET", url, { token: tokens.viewer, params });
      expect(read.status, url).toBe(200);
    }
    // This many anonymous calls from one address reach its bad-token limit (every call here comes from it).
    const { clearFailures } = await import("@/lib/auth/rate-limit");
    const { tokenAddressKey } = await import("@/lib/auth/tokens");
    const clearBadTokens = () => clearFailures(tokenAddressKey("unknown"));
    clearBadTokens();
    for (const [file, url, params, method = "POST"] of writes) {
      const anonymous = await call(file, method, url, { params, body: "{}" });
      expect(anonymous.status, url).toBe(401);
      const viewer = await call(file, method, url, { token: tokens.viewer, params, body: "{}" });
      expect(viewer.status, url).toBe(403);
      expect(viewer.body.error).toMatch(/^this token's role \(viewer\) may not (configurations\.(push|write|reconcile)|clusters\.update)$/);
    }
    clearBadTokens();

    // What the reads said.
    const list = await call("configurations/route.ts", "GET", "/api/v1/configurations", { token: tokens.viewer });
    expect(list.body).toMatchObject({ page: 1, pageSize: 50, total: 1, items: [{ id: configurationId, name: "api-fleet", currentVersion: 1, targetCount: 2 }] });
    const progress = await call("rollouts/[id]/route.ts", "GET", `/api/v1/rollouts/${rolloutId}`, { token: tokens.viewer, params: rollout });
    expect(progress.body).toMatchObject({ id: rolloutId, configurationId, version: 1, clusters: expect.arrayContaining([expect.objectContaining({ clusterName: "refusing", wave: 0 }), expect.objectContaining({ clusterName: "refusing-late", wave: 1 })]) });

    // The operator's verbs on the running rollout, then one refused.
    const pause = await call("rollouts/[id]/[action]/route.ts", "POST", `/api/v1/rollouts/${rolloutId}/pause`, { token: tokens.operator, params: { ...rollout, action: "pause" } });
    expect(pause).toMatchObject({ status: 200, body: { message: expect.stringMatching(/^Paused/) } });
    const again = await call("rollouts/[id]/[action]/route.ts", "POST", `/api/v1/rollouts/${rolloutId}/pause`, { token: tokens.operator, params: { ...rollout, action: "pause" } });
    expect(again).toMatchObject({ status: 409, body: { error: expect.stringMatching(/Already paused by operator@example.com/) } });
    const abort = await call("rollouts/[id]/[action]/route.ts", "POST", `/api/v1/rollouts/${rolloutId}/abort`, { token: tokens.operator, params: { ...rollout, action: "abort" } });
    expect(abort.status).toBe(200);

    // A new version, validated as the wizard's save is.
    const versions = (body: unknown) => call("configurations/[id]/versions/route.ts", "POST", `/api/v1/configurations/${configurationId}/versions`, { token: tokens.operator, params: id, body: JSON.stringify(body) });
    expect(await versions({ spec: { ...SPEC, kustomizations: [{ name: "apps", path: "./apps/v2", prune: true }] }, message: "from the pipeline" })).toEqual({ status: 201, body: { configurationId, version: 2 } });
    const bad = await versions({ spec: { ...SPEC, kustomizations: [{ name: "Apps!", path: "./apps" }] } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.fieldErrors as object)).toEqual(["spec.kustomizations.0.name"]);
    expect((await call("configurations/[id]/versions/route.ts", "GET", `/api/v1/configurations/${configurationId}/versions`, { token: tokens.viewer, params: id })).body).toMatchObject({ total: 2, items: [{ version: 2, author: "operator@example.com", message: "from the pipeline" }, { version: 1 }] });

    // Suspend reaches the cluster, which refuses connections: 502 naming it.
    const suspended = await call("configurations/[id]/suspend/route.ts", "POST", `/api/v1/configurations/${configurationId}/suspend`, { token: tokens.operator, params: id, body: "{}" });
    expect(suspended).toMatchObject({ status: 502, body: { error: "suspend failed on 2 of 2 clusters", clusters: [{ status: "failed" }, { status: "failed" }] } });

    const reconcile = await call("configurations/[id]/reconcile/route.ts", "POST", `/api/v1/configurations/${configurationId}/reconcile`, { token: tokens.operator, params: id, body: JSON.stringify({ clusterId }) });
    // Its push failed, so nothing of the configuration is there to reconcile.
    expect(reconcile).toEqual({ status: 404, body: { error: "no such configuration on that cluster" } });

    // Roll back to v1 (the page's rule: the caller confirms how many clusters it pushes to).
    const rollback = (body: unknown) => call("configurations/[id]/rollback/route.ts", "POST", `/api/v1/configurations/${configurationId}/rollback`, { token: tokens.operator, params: id, body: JSON.stringify(body) });
    const unconfirmed = await rollback({ version: 1, confirmedTargets: 5 });
    expect(unconfirmed).toMatchObject({ status: 422, body: { fieldErrors: { confirmedTargets: expect.stringMatching(/would now push to 2 clusters/) } } });
    expect((await rollback({ version: 9, confirmedTargets: 2 })).body.fieldErrors).toEqual({ version: "does not exist" });
    expect((await rollback({ version: 1 })).body.fieldErrors).toEqual({ confirmedTargets: expect.stringMatching(/^is required/) });
    const rolledBack = await rollback({ version: 1, confirmedTargets: 2 });
    expect(rolledBack).toMatchObject({ status: 202, body: { version: 3, result: "started", rolloutId: expect.any(String) } });
    const { getVersion } = await import("@/lib/configurations/store");
    expect(getVersion(configurationId, 3)).toMatchObject({ author: "operator@example.com", message: "Roll back to v1", spec: { kustomizations: [{ path: "./apps" }] } });
    expect((await call("configurations/[id]/rollback/route.ts", "POST", "/api/v1/configurations/nope/rollback", { token: tokens.operator, params: { id: "nope" }, body: JSON.stringify({ version: 1, confirmedTargets: 0 }) })).status).toBe(404);

    // Labels replaced as the Labels tab does (still matching the selectors, so the targets stay).
    const labels = (target: string, body: unknown) => call("clusters/[id]/labels/route.ts", "PUT", `/api/v1/clusters/${target}/labels`, { token: tokens.operator, params: { id: target }, body: JSON.stringify(body) });
    const relabelled = await labels(clusterId, { labels: { env: "api", tier: "early", team: "payments" } });
    expect(relabelled).toEqual({ status: 200, body: { clusterId, labels: { env: "api", tier: "early", team: "payments" } } });
    expect((await call("clusters/[id]/route.ts", "GET", `/api/v1/clusters/${clusterId}`, { token: tokens.viewer, params: { id: clusterId } })).body.labels).toEqual({ env: "api", tier: "early", team: "payments" });
    expect((await labels("nope", { labels: {} })).status).toBe(404);
    const pageAudit = await call("audit/route.ts", "GET", "/api/v1/audit?action=cluster.update-labels", { token: tokens.viewer });
    expect(pageAudit.body.items).toEqual([expect.objectContaining({ actorEmail: "operator@example.com", targetId: "refusing", outcome: "success", details: expect.objectContaining({ to: { env: "api", tier: "early", team: "payments" } }) })]);

    // Every configuration's state on the cluster, as the observer writes it (it is off here).
    const { getDb } = await import("@/db");
    const { configurationStatus } = await import("@/db/schema-status");
    const observedAt = new Date();
    getDb().insert(configurationStatus).values({ configurationId, clusterId, state: "Non-Compliant", reason: "connection refused", appliedVersion: 1, stateChangedAt: observedAt, observedAt, lastSeenAt: observedAt }).run();
    const clusterStatus = await call("clusters/[id]/status/route.ts", "GET", `/api/v1/clusters/${clusterId}/status`, { token: tokens.viewer, params: { id: clusterId } });
    expect(clusterStatus.body).toMatchObject({ clusterId, clusterName: "refusing" });
    expect(clusterStatus.body.items).toEqual([{ configurationId, configurationName: "api-fleet", state: "Non-Compliant", reason: "connection refused", appliedVersion: 1, isStale: false, observedAt: observedAt.toISOString() }]);
    expect((await call("clusters/[id]/status/route.ts", "GET", "/api/v1/clusters/nope/status", { token: tokens.viewer, params: { id: "nope" } })).status).toBe(404);

    // Every call is in the audit log under the token's name; the viewer's refusals as denied.
    const audit = await call("audit/route.ts", "GET", "/api/v1/audit?action=api.&outcome=denied&actor=viewer@example.com", { token: tokens.viewer });
    expect(audit.body.total).toBe(writes.length);
    expect(audit.body.items).toContainEqual(expect.objectContaining({ action: "api.configurations.push", actorEmail: "viewer@example.com", details: expect.objectContaining({ via: "API token viewer-pipeline" }) }));
  });
});

describe("bad input", () => {
  const push = (body: BodyInit, headers: Record<string, string> = {}) =>
    call("configurations/[id]/push/route.ts", "POST", `/api/v1/configurations/${configurationId}/push`, { token: tokens.operator, params: { id: configurationId }, body, headers });

  it("names the fields in 422s and writes nothing", async () => {
    const { getDb } = await import("@/db");
    const { rollouts } = await import("@/db/schema-configurations");
    const before = getDb().select().from(rollouts).all().length;
    const bad = await push(JSON.stringify({ wait: "forever", clusterIds: ["a", "a", "no spaces"] }));
    expect(bad.status).toBe(422);
    expect(bad.body.fieldErrors).toEqual({ wait: "must be a duration such as 90s, 10m or 1h", "clusterIds.1": "is listed twice", "clusterIds.2": expect.stringMatching(/letters, digits/) });
    expect(bad.body.error).toMatch(/^invalid request: .*wait must be a duration such as 90s, 10m or 1h/);
    expect((await push(JSON.stringify({ wait: "31m" }))).body.fieldErrors).toEqual({ wait: "must be at most 30m" });
    // A misspelt key would otherwise push without waiting.
    expect((await push(JSON.stringify({ wiat: "10m" }))).body.fieldErrors).toEqual({ wiat: "is not a field of this request" });
    expect(await push("[]")).toMatchObject({ status: 422, body: { fieldErrors: { form: expect.any(String) } } });
    // An id that is well-formed but not a target is the domain's refusal, named the same way.
    const stranger = await push(JSON.stringify({ clusterIds: ["not-a-target"] }));
    expect(stranger.status).toBe(422);
    expect(Object.keys(stranger.body.fieldErrors as object)).toEqual(["clusterIds.0"]);
    expect(await push("{not json")).toMatchObject({ status: 400, body: { fieldErrors: { body: "is not valid JSON" } } });
    expect(getDb().select().from(rollouts).all().length).toBe(before);

    const page = await call("configurations/route.ts", "GET", "/api/v1/configurations?pageSize=0&page=x", { token: tokens.viewer });
    expect(page).toMatchObject({ status: 422, body: { fieldErrors: { page: "must be a whole number from 1", pageSize: "must be a whole number from 1 to 200" } } });
    const audit = await call("audit/route.ts", "GET", "/api/v1/audit?outcome=maybe", { token: tokens.viewer });
    expect(audit).toMatchObject({ status: 422, body: { fieldErrors: { outcome: "must be one of success, denied, invalid, failed" } } });
    const status = await call("configurations/[id]/status/route.ts", "GET", `/api/v1/configurations/${configurationId}/status?state=Green`, { token: tokens.viewer, params: { id: configurationId } });
    expect(Object.keys(status.body.fieldErrors as object)).toEqual(["state"]);
    const skip = await call("rollouts/[id]/[action]/route.ts", "POST", `/api/v1/rollouts/${rolloutId}/skip`, { token: tokens.operator, params: { id: rolloutId, action: "skip" }, body: "{}" });
    expect(skip).toMatchObject({ status: 422, body: { fieldErrors: { clusterId: "is required: which cluster to skip" } } });
    const { findCluster } = await import("@/lib/inventory/registry");
    const labelsBefore = findCluster(clusterId)?.labels;
    const badLabels = await call("clusters/[id]/labels/route.ts", "PUT", `/api/v1/clusters/${clusterId}/labels`, { token: tokens.operator, params: { id: clusterId }, body: JSON.stringify({ labels: { env: "api", "Bad Key!": "x", tier: "no spaces" } }) });
    expect(badLabels.status).toBe(422);
    expect(Object.keys(badLabels.body.fieldErrors as object).sort()).toEqual(["labels.Bad Key!", "labels.tier"]);
    expect(findCluster(clusterId)?.labels).toEqual(labelsBefore);
    expect((await call("configurations/[id]/route.ts", "GET", "/api/v1/configurations/nope", { token: tokens.viewer, params: { id: "nope" } })).status).toBe(404);
  });

  it("answers 413 with the limit to a body over it, declared or streamed", async () => {
    const { MAX_API_BODY_BYTES } = await import("./http");
    const big = JSON.stringify({ clusterIds: Array.from({ length: 20_000 }, (_, i) => `cluster-${i}`) });
    expect(big.length).toBeGreaterThan(MAX_API_BODY_BYTES);
    expect(await push(big)).toMatchObject({ status: 413, body: { limit: MAX_API_BODY_BYTES, error: `the request body is over the limit of ${MAX_API_BODY_BYTES} bytes` } });
    // No Content-Length: counted as it streams.
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    expect(await push(stream)).toMatchObject({ status: 413, body: { limit: MAX_API_BODY_BYTES } });
    expect(sent).toBeLessThan(10);
  });
});

describe("the OpenAPI document", () => {
  const routeFiles = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? routeFiles(path.join(dir, entry.name)) : entry.name === "route.ts" ? [path.join(dir, entry.name)] : []));

  it("is OpenAPI 3.1, public, and documents every method of every route file under app/api/v1", async () => {
    const served = await call("openapi.json/route.ts", "GET", "/api/v1/openapi.json");
    expect(served.status).toBe(200);
    const doc = served.body as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses: Record<string, unknown>; operationId: string }>> };
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const found: string[] = [];
    for (const file of routeFiles(ROUTE_DIR)) {
      const apiPath = `/api/v1/${path.relative(ROUTE_DIR, path.dirname(file)).split(path.sep).map((part) => part.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
      const methods = [...fs.readFileSync(file, "utf8").matchAll(/export (?:(?:async )?function|const) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!.toLowerCase());
      expect(methods.length, file).toBeGreaterThan(0);
      for (const method of methods) {
        found.push(`${method} ${apiPath}`);
        expect(doc.paths[apiPath]?.[method], `${method.toUpperCase()} ${apiPath} (${file}) is not in openapi.json: add it to API_ROUTES in lib/api/openapi.ts`).toBeDefined();
      }
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(found.sort());
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
      }
    }
    // Generated from the handlers' zod schemas: the push body's limits are the validation's.
    const push = doc.paths["/api/v1/configurations/{id}/push"]!.post as unknown as { requestBody: { content: { "application/json": { schema: { properties: Record<string, { maxItems?: number }> } } } } };
    expect(push.requestBody.content["application/json"].schema.properties.clusterIds?.maxItems).toBe(5000);
  });
});
