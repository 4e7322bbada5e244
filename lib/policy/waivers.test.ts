import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { useTempDatabase } from "@/test-support/temp-db";

// Risk acceptances on a real SQLite file: validation, four eyes, the state they give a failing
// result, and expiry (issue 15). The cluster-backed case is in policy.int.test.ts.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let waivers: typeof import("./waivers");
let queries: typeof import("./queries");
let schema: typeof import("@/db/schema-policy");
let audit: typeof import("@/db/schema");
const ids: Record<string, string> = {};

const alice = { id: "u-alice", email: "alice@example.com" };
const bob = { id: "u-bob", email: "bob@example.com" };
const inDays = (days: number) => DateTime.utc().plus({ days }).toISODate()!;

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  [waivers, queries, schema, audit] = await Promise.all([import("./waivers"), import("./queries"), import("@/db/schema-policy"), import("@/db/schema")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  for (const [name, labels] of [["prod-eu", { env: "prod", region: "eu" }], ["prod-us", { env: "prod", region: "us" }], ["dev-1", { env: "dev" }]] as const) {
    ids[name] = insertCluster({ name, displayName: name, labels, authMethod: "token", credentials: { server: "https://127.0.0.1:1", token: "t" }, createdBy: "test" }, null).id;
  }
  const now = new Date();
  const result = (clusterId: string, policy: string, fail: number) => ({ clusterId, engine: "gatekeeper" as const, policy, source: "gatekeeper", fail, pass: fail ? 0 : 1, auditedAt: now, observedAt: now, violationsStored: fail });
  temp.db
    .insert(schema.policyResults)
    .values([result(ids["prod-eu"]!, "K8sRequiredLabels/owner", 2), result(ids["prod-us"]!, "K8sRequiredLabels/owner", 1), result(ids["prod-eu"]!, "K8sAllowedRepos/repos", 0)])
    .run();
  const violation = (clusterId: string, ordinal: number, name: string) => ({ clusterId, engine: "gatekeeper" as const, policy: "K8sRequiredLabels/owner", ordinal, result: "fail", resourceKind: "Namespace", resourceName: name, message: `namespace ${name} has no owner` });
  temp.db.insert(schema.policyViolations).values([violation(ids["prod-eu"]!, 0, "shop"), violation(ids["prod-eu"]!, 1, "web"), violation(ids["prod-us"]!, 0, "shop")]).run();
});
afterAll(() => temp?.cleanup());

const owner = { engine: "gatekeeper", policy: "K8sRequiredLabels/owner", selector: "region=eu", reason: "owners are assigned in Q1", expiresOn: inDays(30) };
const stateOn = (cluster: string, policy = "K8sRequiredLabels/owner") => queries.clusterPolicies(ids[cluster]!).find((p) => p.policy === policy)?.state;

describe("asking for a waiver", () => {
  it("refuses bad input field by field and writes nothing", () => {
    expect(waivers.requestWaiver({ engine: "opa", policy: "", selector: "", reason: "", expiresOn: "soon", resourceKind: "Namespace" }, alice)).toMatchObject({
      status: "invalid",
      fieldErrors: { engine: expect.any(String), policy: expect.stringMatching(/^is required/), selector: expect.stringMatching(/^is required/), reason: expect.stringMatching(/^is required/), expiresOn: expect.stringMatching(/^is required/), resourceName: expect.stringMatching(/kind and name together/) },
    });
    expect(waivers.requestWaiver({ ...owner, expiresOn: inDays(-1) }, alice)).toMatchObject({ status: "invalid", fieldErrors: { expiresOn: "is in the past: a waiver must end after today" } });
    expect(waivers.requestWaiver({ ...owner, expiresOn: inDays(367) }, alice)).toMatchObject({ status: "invalid", fieldErrors: { expiresOn: expect.stringMatching(/^must be at most a year away/) } });
    expect(waivers.requestWaiver({ ...owner, selector: "region=ap" }, alice)).toMatchObject({ status: "invalid", fieldErrors: { selector: "matches no registered cluster: a waiver must cover at least one" } });
    expect(waivers.requestWaiver({ ...owner, selector: "env=dev" }, alice)).toMatchObject({ status: "invalid", fieldErrors: { selector: "matches 1 cluster, none of which reports this policy" } });
    expect(waivers.requestWaiver({ ...owner, policy: "K8sRequiredLabels/typo" }, alice)).toMatchObject({ status: "invalid", fieldErrors: { policy: expect.stringMatching(/^no cluster reports a policy named/) } });
    expect(temp.db.select().from(schema.policyWaivers).all()).toEqual([]);
  });

  it("takes an expiry of today (it holds to the end of the day) and of exactly a year from today", () => {
    const today = waivers.requestWaiver({ ...owner, expiresOn: inDays(0) }, alice);
    const year = waivers.requestWaiver({ ...owner, expiresOn: DateTime.utc().plus({ years: 1 }).toISODate()! }, alice);
    expect(today).toMatchObject({ status: "ok", waiver: { status: "pending", expiresAt: DateTime.utc().startOf("day").plus({ days: 1 }).toJSDate() } });
    expect(year.status).toBe("ok");
    for (const w of [today, year]) if (w.status === "ok") waivers.decideWaiver(w.waiver.id, "withdraw", alice, "");
  });
});

describe("four eyes and the state a waiver gives", () => {
  let waiverId = "";

  it("a pending waiver changes nothing; the requester cannot approve it; someone else can, once", () => {
    const asked = waivers.requestWaiver(owner, alice);
    if (asked.status !== "ok") throw new Error(JSON.stringify(asked));
    waiverId = asked.waiver.id;
    expect(stateOn("prod-eu")).toBe("fail");
    expect(waivers.pendingWaiverCount()).toBe(1);
    expect(waivers.decideWaiver(waiverId, "approve", alice, "")).toEqual({ status: "error", message: "You asked for this waiver: another operator or admin must approve or reject it." });
    expect(waivers.decideWaiver(waiverId, "reject", bob, "  ")).toEqual({ status: "error", message: "Say why it is rejected: the requester reads this." });
    expect(waivers.decideWaiver(waiverId, "approve", bob, "ok until Q1")).toMatchObject({ status: "ok", waiver: { status: "approved", decidedBy: "bob@example.com", decisionNote: "ok until Q1" } });
    expect(waivers.decideWaiver(waiverId, "reject", { id: "u-carol", email: "carol@example.com" }, "no")).toEqual({ status: "error", message: "This waiver is approved already." });
  });

  it("accepted risk is counted apart, never as passing, and only on the clusters its selector matches", () => {
    expect(stateOn("prod-eu")).toBe("accepted");
    expect(stateOn("prod-us")).toBe("fail");
    const rows = queries.clusterPolicyRows();
    expect(rows.find((r) => r.name === "prod-eu")?.policies).toMatchObject({ fail: 0, accepted: 1, pass: 1 });
    expect(rows.find((r) => r.name === "prod-us")?.policies).toMatchObject({ fail: 1, accepted: 0 });
    expect(queries.policyRows().find((p) => p.policy === "K8sRequiredLabels/owner")?.clusters).toMatchObject({ fail: 1, accepted: 1, pass: 0 });
    expect(queries.clusterPolicies(ids["prod-eu"]!).find((p) => p.policy === "K8sRequiredLabels/owner")?.acceptedBy).toMatchObject({ waiverId });
    // The matrix cells and the state filter say the same.
    const cells = queries.policyCells({}, [ids["prod-eu"]!, ids["prod-us"]!]);
    expect([cells.get(ids["prod-eu"]!)?.get("gatekeeper\u0000K8sRequiredLabels/owner"), cells.get(ids["prod-us"]!)?.get("gatekeeper\u0000K8sRequiredLabels/owner")]).toEqual(["accepted", "fail"]);
    const accepted = queries.policyView({ state: "accepted" });
    expect(accepted.clusters.map((c) => c.name)).toEqual(["prod-eu"]);
    expect(accepted.policies.map((p) => [p.policy, p.clusters.accepted, p.clusters.fail, p.violations])).toEqual([["K8sRequiredLabels/owner", 1, 0, 2]]);
    expect(queries.policyView({ state: "fail" }).policies.map((p) => [p.policy, p.clusters.fail, p.violations])).toEqual([["K8sRequiredLabels/owner", 1, 1]]);
    expect([...queries.policyCells({ state: "fail" }, [ids["prod-eu"]!]).get(ids["prod-eu"]!)?.values() ?? []]).toEqual([]);
  });

  it("a withdrawn waiver accepts nothing, and cannot be withdrawn twice", () => {
    expect(waivers.decideWaiver(waiverId, "withdraw", bob, "owners assigned early")).toMatchObject({ status: "ok", waiver: { status: "withdrawn" } });
    expect(stateOn("prod-eu")).toBe("fail");
    expect(waivers.decideWaiver(waiverId, "withdraw", bob, "")).toMatchObject({ status: "error" });
  });

  it("a waiver for one resource accepts that violation; the result is accepted only when every failing violation is covered", () => {
    const one = (name: string) => {
      const asked = waivers.requestWaiver({ ...owner, resourceKind: "Namespace", resourceName: name }, alice);
      if (asked.status !== "ok") throw new Error(JSON.stringify(asked));
      return waivers.decideWaiver(asked.waiver.id, "approve", bob, "");
    };
    one("shop");
    const detail = queries.clusterPolicies(ids["prod-eu"]!).find((p) => p.policy === "K8sRequiredLabels/owner")!;
    expect(detail.state).toBe("fail");
    expect(detail.shown.map((v) => [v.resourceName, Boolean(v.acceptedBy)])).toEqual([["shop", true], ["web", false]]);
    one("web");
    expect(stateOn("prod-eu")).toBe("accepted");
  });
});

describe("expiry", () => {
  it("an expired waiver stops accepting, is audited once, and one ending within 7 days is listed for the dashboard", () => {
    const asked = waivers.requestWaiver({ ...owner, selector: "region=us", expiresOn: inDays(3) }, alice);
    if (asked.status !== "ok") throw new Error(JSON.stringify(asked));
    waivers.decideWaiver(asked.waiver.id, "approve", bob, "");
    expect(stateOn("prod-us")).toBe("accepted");
    expect(waivers.expiringWaivers().map((w) => w.id)).toContain(asked.waiver.id);
    expect(waivers.expiringWaivers(new Date(), 1).map((w) => w.id)).not.toContain(asked.waiver.id);

    // Four days later, as the product reads it.
    const later = new Date(Date.now() + 4 * 86_400_000);
    expect(queries.clusterPolicies(ids["prod-us"]!, later.getTime() - 0).find((p) => p.policy === "K8sRequiredLabels/owner")?.state).not.toBe("accepted");
    expect(waivers.listWaivers(later).find((w) => w.id === asked.waiver.id)?.state).toBe("expired");
    expect(waivers.recordWaiverExpiries(later)).toBeGreaterThanOrEqual(1);
    expect(waivers.recordWaiverExpiries(later)).toBe(0);
    const audited = temp.db.select().from(audit.auditLog).all().filter((a) => a.action === "waiver.expire" && a.targetId === asked.waiver.id);
    expect(audited).toHaveLength(1);
    expect(JSON.parse(audited[0]!.details)).toMatchObject({ policy: "K8sRequiredLabels/owner", selector: "region=us" });
    expect(waivers.decideWaiver(asked.waiver.id, "withdraw", bob, "", later)).toEqual({ status: "error", message: "This waiver has expired already." });
  });
});
