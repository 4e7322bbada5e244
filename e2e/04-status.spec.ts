import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, fleet, fleetCluster, kubeMergePatch, registerCluster, signIn } from "./support";

test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

// kustomize-controller leaves status.observedGeneration at -1 for a Kustomization that never
// succeeded and stamps its Ready=False ArtifactFailed condition with the current generation: the
// push reads Non-Compliant with the controller's reason, not "generation 1 not reconciled yet".
test("a configuration with a broken path turns Non-Compliant on the dashboard, live, with the controller's reason", async () => {
  // Registration and the wizard's dry runs come first; on a busy machine they take a while.
  test.setTimeout(120_000);
  await registerCluster(admin, "status-a", fleetCluster("e2e-1").kubeconfig, "fleet=status");
  await createConfiguration(admin, {
    name: "broken-app",
    repoUrl: fleet().git!.repoUrl,
    kustomizations: [
      { name: "infra", path: "./infrastructure" },
      { name: "apps", path: "./does-not-exist" },
    ],
    matchLabels: "fleet=status",
  });
  await admin.goto("/");
  // The dashboard polls; no reload needed for the collector's result to appear.
  const worst = admin.getByRole("region", { name: "Configurations with the most non-compliant clusters" });
  await expect(worst.getByRole("row").filter({ hasText: "broken-app" })).toBeVisible({ timeout: 30_000 });
  await expect(admin.getByTestId("total-Non-Compliant").locator("p").first()).not.toHaveText("0");
  await admin.getByRole("region", { name: "Configurations with the most non-compliant clusters" }).getByRole("link", { name: "broken-app" }).click();
  const row = admin.getByRole("table", { name: "Status per cluster" }).getByRole("row").filter({ hasText: "status-a" });
  await expect(row.locator("td").nth(1)).toContainText("Non-Compliant", { timeout: 10_000 });
  await expect(row).toContainText("Kustomization/broken-app-apps: ArtifactFailed");
  await expect(row).toContainText("kustomization path not found");
  await admin.goto("/");
});

test("clicking through shows the reason, the configuration drift diff and the commits", async () => {
  await admin.getByRole("region", { name: "Configurations with the most non-compliant clusters" }).getByRole("link", { name: "broken-app" }).click();
  const row = admin.getByRole("table", { name: "Status per cluster" }).getByRole("row").filter({ hasText: "status-a" });
  await expect(row.locator("td").nth(1)).toContainText("Non-Compliant", { timeout: 30_000 });
  await expect(row).toContainText("ArtifactFailed");
  await expect(row).toContainText("does-not-exist");

  // Someone edits the Kustomization by hand on the cluster.
  const status = await kubeMergePatch(fleetCluster("e2e-1"), "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/broken-app-apps", { spec: { interval: "7m" } });
  expect(status).toBe(200);
  await admin.getByRole("link", { name: "Drift", exact: true }).click();
  await expect(admin).toHaveURL(/tab=drift/);
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByRole("heading", { name: /Configuration drift/ })).toContainText("1 object", { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  const fields = admin.getByRole("row").filter({ hasText: "spec.interval" });
  await expect(fields).toContainText("7m");
  await expect(fields).toContainText("10m");
  await expect(admin.getByRole("region", { name: /pushed \(−\) against live \(\+\)/ }).first()).toContainText("interval: 7m");

  await admin.getByRole("link", { name: "Commits", exact: true }).click();
  await expect(admin).toHaveURL(/tab=commits/);
  // The log is filtered to the Kustomization paths: the infrastructure commit is there, and
  // the cluster is marked on the commit it applied.
  const commits = admin.getByRole("table", { name: "Commits" });
  await expect(commits).toContainText("Add infrastructure");
  await expect(commits.getByRole("row").filter({ hasText: "Add infrastructure" })).toContainText("status-a");
});

test("re-pushing clears the configuration drift", async () => {
  await admin.getByRole("link", { name: "Drift", exact: true }).click();
  await expect(admin).toHaveURL(/tab=drift/);
  await admin.getByRole("button", { name: "Re-push to status-a" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "1 of 1 done" })).toBeVisible({ timeout: 30_000 });
  // "Recent pushes" follows the finished push without a reload.
  await expect(admin.getByRole("region", { name: "Recent pushes" }).getByRole("listitem").first()).toContainText("1 applied, 0 failed");
  await admin.getByRole("link", { name: "Drift", exact: true }).click();
  await expect(admin).toHaveURL(/tab=drift/);
  // The comparison is computed in the background (the tab says how long ago): reload until it shows the re-push.
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByRole("heading", { name: /Configuration drift/ })).toContainText("None", { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
});
