import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, ensureViewer, fleetCluster, formAlert, signIn, VIEWER } from "./support";

test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

async function fillDetails(page: Page, name: string, labels: string) {
  await page.goto("/clusters/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Labels").fill(labels);
}

test("registers a cluster from a kubeconfig after checking the connection", async () => {
  const cluster = fleetCluster("e2e-1");
  await fillDetails(admin, "prod-eu-1", "env=prod, region=eu-west");
  await admin.getByRole("textbox", { name: "Kubeconfig" }).fill(cluster.kubeconfig);
  await admin.getByRole("button", { name: "Check connection" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Connected" })).toContainText("Kubernetes v1.20.2");
  await expect(admin.getByRole("status").filter({ hasText: "Connected" })).toContainText("Flux installed");
  // The form kept what was typed.
  await expect(admin.getByLabel("Name", { exact: true })).toHaveValue("prod-eu-1");
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(admin).toHaveURL(/\/clusters\/[0-9a-f-]{36}$/);
  await expect(admin.getByRole("heading", { name: "prod-eu-1" })).toBeVisible();
  await expect(admin.getByText("Reachable").first()).toBeVisible();
  await expect(admin.getByText(/Flux v2\.\d+/).first()).toBeVisible();
  await expect(admin.getByText("v1.20.2").first()).toBeVisible();
});

test("registers clusters by URL and token, including one without Flux", async () => {
  const dev = fleetCluster("e2e-2");
  await fillDetails(admin, "dev-eu-1", "env=dev");
  await admin.getByLabel("API server URL and token").check();
  await admin.getByLabel("API server URL", { exact: true }).fill(dev.server);
  await admin.getByLabel("Bearer token").fill(dev.adminToken);
  await admin.getByLabel("CA bundle (PEM, optional)").fill(dev.caData);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(admin.getByRole("heading", { name: "dev-eu-1" })).toBeVisible();

  const bare = fleetCluster("e2e-bare");
  await fillDetails(admin, "bare-1", "env=dev");
  await admin.getByRole("textbox", { name: "Kubeconfig" }).fill(bare.kubeconfig);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(admin.getByRole("heading", { name: "bare-1" })).toBeVisible();
  await expect(admin.getByText("Flux not installed").first()).toBeVisible();
});

test("offers to save an unreachable cluster, and says why it failed", async () => {
  const prod = fleetCluster("e2e-1");
  await fillDetails(admin, "offline-1", "env=staging");
  await admin.getByLabel("API server URL and token").check();
  // A loopback port nobody listens on: connection refused.
  await admin.getByLabel("API server URL", { exact: true }).fill("https://127.0.0.1:9");
  await admin.getByLabel("Bearer token").fill(prod.adminToken);
  await admin.getByLabel("CA bundle (PEM, optional)").fill(prod.caData);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "Connection failed" })).toContainText("refused");
  await admin.getByRole("button", { name: "Save anyway as unreachable" }).click();
  await expect(admin.getByRole("heading", { name: "offline-1" })).toBeVisible();
  await expect(admin.getByText("Unreachable").first()).toBeVisible();
  await expect(admin.getByRole("alert").filter({ hasText: "refused" })).toBeVisible();
});

test("refuses a kubeconfig that would run a command, and stores nothing", async () => {
  const cluster = fleetCluster("e2e-1");
  const withExec = cluster.kubeconfig.replace(/token: .*/, "exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args: ['-c', 'touch /tmp/pwned']");
  await fillDetails(admin, "evil-1", "env=prod");
  await admin.getByRole("textbox", { name: "Kubeconfig" }).fill(withExec);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(formAlert(admin).filter({ hasText: /^Kubeconfig:/ })).toContainText("exec");
  await admin.goto("/clusters?q=evil");
  await expect(admin.getByText("No clusters match these filters")).toBeVisible();

  await fillDetails(admin, "plain-http", "");
  await admin.getByLabel("API server URL and token").check();
  await admin.getByLabel("API server URL", { exact: true }).fill("http://127.0.0.1:6443");
  await admin.getByLabel("Bearer token").fill("abc");
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(formAlert(admin).filter({ hasText: /^API server URL:/ })).toContainText("https://");
});

test("lists clusters and filters them by label", async () => {
  await admin.goto("/clusters");
  const table = admin.getByRole("table", { name: "Clusters" });
  await expect(table.getByRole("link", { name: "prod-eu-1" })).toBeVisible();
  await expect(table.getByRole("link", { name: "dev-eu-1" })).toBeVisible();
  await admin.getByRole("search", { name: "Filter clusters" }).getByLabel("Label").fill("env=prod");
  await admin.getByRole("button", { name: "Apply filters" }).click();
  await expect(admin).toHaveURL(/label=env%3Dprod/);
  await expect(table.getByRole("link", { name: "prod-eu-1" })).toBeVisible();
  await expect(table.getByRole("link", { name: "dev-eu-1" })).toHaveCount(0);
  await expect(table.getByRole("link", { name: "bare-1" })).toHaveCount(0);
  await admin.goto("/clusters?flux=missing");
  await expect(table.getByRole("link", { name: "bare-1" })).toBeVisible();
  await expect(table.getByRole("link", { name: "prod-eu-1" })).toHaveCount(0);
});

test("a viewer sees clusters but no registration, credentials or delete", async ({ browser }) => {
  await ensureViewer(admin);
  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, VIEWER);
  await viewer.goto("/clusters");
  await expect(viewer.getByRole("link", { name: "prod-eu-1" })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "Register cluster" })).toHaveCount(0);
  await viewer.getByRole("link", { name: "prod-eu-1" }).click();
  await expect(viewer.getByRole("link", { name: "Credentials" })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Delete" })).toHaveCount(0);
  expect((await viewer.goto("/clusters/new"))?.status()).toBe(403);
});

test("deletes a cluster only after its name is typed", async () => {
  await admin.goto("/clusters?q=dev-eu-1");
  await admin.getByRole("link", { name: "dev-eu-1" }).click();
  await admin.getByRole("link", { name: "Delete" }).click();
  await admin.getByLabel("Leave them running, unmanaged").check();
  await admin.getByLabel("Type dev-eu-1 to confirm").fill("dev-eu-2");
  await admin.getByRole("button", { name: "Delete cluster" }).click();
  await expect(admin.getByText('Type dev-eu-1 to confirm: must be exactly "dev-eu-1" to confirm')).toBeVisible();
  await admin.getByLabel("Type dev-eu-1 to confirm").fill("dev-eu-1");
  await admin.getByRole("button", { name: "Delete cluster" }).click();
  await expect(admin).toHaveURL(/\/clusters\?deleted=dev-eu-1/);
  await expect(admin.getByRole("status")).toContainText("Cluster dev-eu-1 was deleted");
  await expect(admin.getByRole("link", { name: "dev-eu-1" })).toHaveCount(0);
  await admin.goto("/audit?action=cluster.");
  await expect(admin.getByRole("row").filter({ hasText: "cluster.delete" })).toHaveCount(1);
  await expect(admin.getByRole("row").filter({ hasText: "cluster.register" }).filter({ hasText: "success" })).toHaveCount(4);
});
