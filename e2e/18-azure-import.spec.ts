import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, fleet, signIn } from "./support";

test.afterAll(({ browser }) => closeContexts(browser));

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "lib", "import", "fixtures", "azure", name), "utf8")) as Record<string, unknown>;

test("import a configuration from Azure JSON: pick one of two, see what did not come over, go through to Review", async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  // az's flux show output, pointed at the fixture repository so Review can read its branch; and a Flux v1 configuration.
  const show = fixture("flux-show.json");
  show.gitRepository = { ...(show.gitRepository as object), url: fleet().git!.repoUrl };
  const pasted = JSON.stringify([show, fixture("source-control-v1.json")], null, 2);

  await admin.goto("/configurations/new");
  await admin.getByText("Import from Azure", { exact: true }).click();
  const json = admin.getByLabel("Azure JSON");
  // Bad input is refused with where it broke, and nothing is filled.
  await json.fill('{"name": "x",}');
  await admin.getByRole("button", { name: "Import", exact: true }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "not valid JSON at line 1" })).toBeVisible();
  await expect(admin.getByLabel("Name", { exact: true })).toHaveValue("");

  await json.fill(pasted);
  await admin.getByRole("button", { name: "Import", exact: true }).click();
  const chooser = admin.getByRole("group", { name: "The JSON holds 2 configurations: which one?" });
  await chooser.getByRole("radio", { name: /^store-apps \(Flux v1/ }).check();
  await chooser.getByRole("button", { name: "Load this configuration" }).click();
  await expect(admin.getByText(/^Needs a credential:.*ssh credential/)).toBeVisible();
  const notCarried = admin.getByRole("list", { name: "Not carried over", exact: true });
  await expect(notCarried).toContainText("properties.operatorParams --registry-disable-scanning");
  await expect(notCarried).toContainText("Helm operator");
  await expect(admin.getByLabel("Name", { exact: true })).toHaveValue("store-apps");

  await chooser.getByRole("radio", { name: "cluster-config (Flux configuration, cluster aks-westeu-1)" }).check();
  await chooser.getByRole("button", { name: "Load this configuration" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Loaded cluster-config" })).toBeVisible();
  await expect(notCarried).toContainText("Azure applied it to cluster aks-westeu-1");
  await expect(admin.getByText("Needs a credential:")).toHaveCount(0);
  await expect(admin.getByLabel("Name", { exact: true })).toHaveValue("cluster-config");
  await expect(admin.getByLabel("Namespace", { exact: true })).toHaveValue("cluster-config");

  await admin.getByRole("button", { name: "Next: Source" }).click();
  await expect(admin.getByLabel("URL", { exact: true })).toHaveValue(fleet().git!.repoUrl);
  await expect(admin.getByLabel("Reference (branch)")).toHaveValue("main");
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  const apps = admin.getByRole("group", { name: /^Kustomization 2/ });
  await expect(apps.getByLabel("Name", { exact: true })).toHaveValue("apps");
  await expect(apps.getByLabel("Path", { exact: true })).toHaveValue("./apps/staging");
  await expect(apps.getByLabel("infra")).toBeChecked();
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("imported=azure");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();
  const yaml = admin.getByTestId("rendered-yaml");
  await expect(yaml).toContainText("name: cluster-config-apps", { timeout: 30_000 });
  await expect(yaml).toContainText("retryInterval: 2m");
  await expect(yaml).toContainText("cluster_env: staging");
});
