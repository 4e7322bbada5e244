import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, fleetCluster, kubeApply, registerCluster, signIn } from "./support";

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
    await expect(admin.getByRole("row", { name: /policy-bare/ })).toContainText("✕", { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await expect(admin.getByTestId("policy-summary")).toContainText("1 of 1 cluster fail a policy");

  await admin.getByRole("link", { name: "policy-bare" }).click();
  const detail = admin.getByRole("region", { name: "Policies on policy-bare" });
  await expect(detail).toContainText("K8sRequiredLabels/ns-must-have-owner");
  await expect(detail).toContainText("Failing");
  await detail.getByText(/^Violations/).first().click();
  await expect(detail.getByRole("cell", { name: /Namespace default/ })).toBeVisible();
  await expect(detail).toContainText("you must provide labels");

  // The cluster's own page lists the same.
  await admin.goto(`${clusterPath}?tab=policies`);
  await expect(admin.getByRole("region", { name: "Policies on policy-bare" })).toContainText("K8sRequiredLabels/ns-must-have-owner");

  // A label list that does not parse is named, not applied.
  await admin.goto("/compliance?tab=policies&labels=%3D%3D%3D");
  await expect(admin.getByRole("alert").filter({ hasText: "Cluster labels:" })).toBeVisible();
});
