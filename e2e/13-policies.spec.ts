import { expect, test, type Page } from "@playwright/test";
import { ADMIN, APPROVER, closeContexts, ensureAdmin, ensureUser, fleetCluster, kubeApply, registerCluster, signIn } from "./support";

// Issue 15 in the browser: a cluster's Gatekeeper audit shows on the compliance page's Policies
// tab, beside its GitOps state, worst first; the cluster's violations open with the objects and
// the engine's own messages.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let clusterPath = "";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  await registerCluster(admin, "policy-bare", fleetCluster("e2e-bare").kubeconfig, "fleet=policy");
  clusterPath = new URL(admin.url()).pathname;
});

test("a failing Gatekeeper constraint shows on the Policies tab, and the cluster's violations name the objects", async () => {
  test.setTimeout(120_000);
  const status = await kubeApply(fleetCluster("e2e-bare"), "/apis/constraints.gatekeeper.sh/v1beta1/k8srequiredlabels/ns-must-have-owner", {
    apiVersion: "constraints.gatekeeper.sh/v1beta1",
    kind: "K8sRequiredLabels",
    metadata: { name: "ns-must-have-owner" },
    spec: { match: { kinds: [{ apiGroups: [""], kinds: ["Namespace"] }] }, parameters: { labels: [{ key: "owner" }] } },
  });
  expect(status).toBeLessThan(300);

  await expect(async () => {
    await admin.goto("/compliance?tab=policies&labels=fleet%3Dpolicy");
    await expect(admin.getByRole("region", { name: "Clusters: GitOps and policies, worst first" }).getByRole("row", { name: /policy-bare/ })).toContainText("✕", { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await expect(admin.getByTestId("policy-summary")).toContainText("1 of 1 cluster fail a policy");

  await expect(admin.getByTestId("policy-matrix").getByRole("row", { name: /policy-bare/ })).toContainText("Failing");
  await admin.getByRole("region", { name: "Clusters: GitOps and policies, worst first" }).getByRole("link", { name: "policy-bare" }).click();
  const detail = admin.getByRole("region", { name: "Policies on policy-bare" });
  await expect(detail).toContainText("K8sRequiredLabels/ns-must-have-owner");
  await expect(detail).toContainText("Failing");
  await detail.getByText(/^Violations/).first().click();
  await expect(detail.getByRole("cell", { name: "Namespace default", exact: true })).toBeVisible();
  await expect(detail).toContainText("you must provide labels");

  // The cluster's own page lists the same.
  await admin.goto(`${clusterPath}?tab=policies`);
  await expect(admin.getByRole("region", { name: "Policies on policy-bare" })).toContainText("K8sRequiredLabels/ns-must-have-owner");

  // A label list that does not parse is named, not applied.
  await admin.goto("/compliance?tab=policies&labels=%3D%3D%3D");
  await expect(admin.getByRole("alert").filter({ hasText: "Cluster labels:" })).toBeVisible();
});

test("a risk acceptance: asked by one person, refused to them, approved by another, then shown as Accepted risk", async ({ browser }) => {
  test.setTimeout(120_000);
  await ensureUser(admin, APPROVER, "operator");
  // From the failing policy on the cluster's page, the request form comes filled in.
  await admin.goto(`${clusterPath}?tab=policies`);
  await admin.getByRole("region", { name: "Policies on policy-bare" }).getByRole("link", { name: "Accept risk…" }).first().click();
  const form = admin.getByRole("form", { name: "Request a risk acceptance" });
  await expect(form.getByLabel("Policy")).toHaveValue("K8sRequiredLabels/ns-must-have-owner");

  // A selector that matches no cluster, and an expiry in the past, are refused on their fields.
  await form.getByLabel("Clusters (label selector)").fill("fleet=nowhere");
  await form.getByLabel("Reason").fill("namespaces get owners in the Q1 clean-up");
  await form.getByLabel("Holds until (inclusive, UTC)").fill("2020-01-01");
  await form.getByRole("button", { name: "Ask for approval" }).click();
  await expect(form.getByRole("alert").filter({ hasText: "matches no registered cluster" })).toBeVisible();
  await expect(form.getByRole("alert").filter({ hasText: "is in the past" })).toBeVisible();

  const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await form.getByLabel("Clusters (label selector)").fill("fleet=policy");
  await form.getByLabel("Holds until (inclusive, UTC)").fill(until);
  await form.getByRole("button", { name: "Ask for approval" }).click();
  await expect(form.getByRole("status")).toContainText("another operator or admin must approve it");
  await admin.reload();
  const row = admin.getByTestId("waiver-row").filter({ hasText: "ns-must-have-owner" }).first();
  await expect(row).toContainText("Waiting for approval");
  // The requester is offered no Approve button, only Withdraw.
  await expect(row.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Withdraw" })).toBeVisible();
  // Still failing while it waits.
  await admin.goto("/compliance?tab=policies&labels=fleet%3Dpolicy");
  await expect(admin.getByTestId("policy-summary")).toContainText("1 of 1 cluster fail a policy");

  const approver = await (await browser.newContext()).newPage();
  await signIn(approver, APPROVER);
  await approver.goto("/compliance?tab=waivers");
  const pending = approver.getByTestId("waiver-row").filter({ hasText: "Waiting for approval" }).filter({ hasText: "ns-must-have-owner" }).first();
  await pending.getByLabel(/^Note/).fill("agreed with the platform lead");
  await pending.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByRole("status").filter({ hasText: "Approved the waiver" })).toBeVisible();

  await admin.goto("/compliance?tab=policies&labels=fleet%3Dpolicy");
  await expect(admin.getByTestId("policy-summary")).toContainText("0 of 1 cluster fail a policy");
  await expect(admin.getByTestId("policy-summary")).toContainText("1 more pass only with an accepted risk");
  await admin.goto(`${clusterPath}?tab=policies`);
  await expect(admin.getByRole("region", { name: "Policies on policy-bare" })).toContainText("Accepted risk");

  // The matrix says it in words for screen readers; the export carries the state and the waiver.
  await admin.goto("/compliance?tab=policies&labels=fleet%3Dpolicy");
  await expect(admin.getByTestId("policy-matrix").getByRole("row", { name: /policy-bare/ })).toContainText("Accepted risk");
  const csv = await (await admin.request.get("/api/compliance/policies/export?format=csv&labels=fleet%3Dpolicy")).text();
  expect(csv.split("\r\n")[0]).toBe("cluster,labels,engine,policy,severity,state,fail,error,warn,pass,audited_at,accepted_by_waiver,accepted_until");
  expect(csv).toMatch(/policy-bare,fleet=policy,gatekeeper,K8sRequiredLabels\/ns-must-have-owner,,accepted,\d+,0,0,0,[^,]+,[0-9a-f-]{36},/);

    // Requested and approved, by whom, in the audit log.
  await admin.goto("/audit");
  await expect(admin.getByText(/Asked to accept the risk of K8sRequiredLabels\/ns-must-have-owner on fleet=policy/).first()).toBeVisible();
  await expect(admin.getByText(/Approved the risk acceptance of K8sRequiredLabels\/ns-must-have-owner/).first()).toBeVisible();
});
