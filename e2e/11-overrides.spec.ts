import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, fleet, fleetCluster, registerCluster, signIn } from "./support";

// Issue 18 in the browser: one configuration, two clusters, different values. An override added
// in the Overrides tab gives the us cluster its own substitution; Review shows two distinct renders
// and each cluster's YAML; the push lands; each cluster's Values tab says what it got and whence.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let configurationUrl = "";
const clusterUrls: Record<string, string> = {};

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  for (const [name, cluster, region] of [["ov-eu", "e2e-1", "eu"], ["ov-us", "e2e-2", "us"]] as const) {
    await registerCluster(admin, name, fleetCluster(cluster).kubeconfig, `fleet=overrides, region=${region}`);
    clusterUrls[name] = new URL(admin.url()).pathname;
  }
  await createConfiguration(admin, { name: "ov-app", repoUrl: fleet().git!.repoUrl, kustomizations: [{ name: "apps", path: "./apps/podinfo" }], matchLabels: "fleet=overrides" });
  configurationUrl = new URL(admin.url()).pathname;
  await expect(admin.getByRole("status").filter({ hasText: "2 of 2 done" })).toBeVisible({ timeout: 60_000 });
});

test("an override in the Overrides tab gives one cluster its own values; Review shows each cluster's YAML", async () => {
  await admin.goto(`${configurationUrl}?tab=overrides`);
  await admin.getByRole("button", { name: "Add override" }).click();
  const override = admin.getByRole("listitem", { name: "Override 1" });
  await override.getByLabel("Match labels (key=value, comma-separated)").fill("region=us");
  await override.getByLabel("Substitutions (KEY=value, one per line)").fill("TIER=edge\nSITE=${cluster_name}-${cluster_label_region}");
  await admin.getByRole("button", { name: "Save overrides" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Saved as v2." })).toBeVisible({ timeout: 30_000 });

  await admin.goto(`${configurationUrl}?tab=edit`);
  await admin.getByRole("button", { name: "6. Review" }).click();
  await expect(admin.getByTestId("distinct-renders")).toHaveText("The 2 previewed clusters get 2 distinct renders.", { timeout: 30_000 });
  const picker = admin.getByLabel("Show the YAML for cluster");
  await picker.selectOption({ label: "ov-us (render 2)" });
  await expect(admin.getByTestId("cluster-yaml")).toContainText("TIER: edge");
  await expect(admin.getByTestId("cluster-yaml")).toContainText("SITE: ov-us-us");
  await picker.selectOption({ label: "ov-eu (render 1)" });
  await expect(admin.getByTestId("cluster-yaml")).not.toContainText("TIER");
});

test("the push lands both renders and each cluster's Values tab names where its values come from", async () => {
  await admin.goto(configurationUrl);
  await admin.getByRole("button", { name: "Push v2" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "2 of 2 done" })).toBeVisible({ timeout: 60_000 });

  await admin.goto(`${clusterUrls["ov-us"]}?tab=values`);
  const us = admin.getByRole("region", { name: /ov-app/ });
  await expect(us).toContainText("overrides 1 apply");
  await expect(us.getByRole("row").filter({ hasText: "TIER" })).toContainText("override 1");
  await expect(us.getByRole("row").filter({ hasText: "SITE" })).toContainText("ov-us-us");
  await admin.goto(`${clusterUrls["ov-eu"]}?tab=values`);
  const eu = admin.getByRole("region", { name: /ov-app/ });
  await expect(eu).toContainText("no override applies");
  await expect(eu.getByRole("row").filter({ hasText: "TIER" })).toHaveCount(0);
});
