import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, fleet, fleetCluster, registerCluster, signIn } from "./support";

test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test("the Review step for an Argo CD target shows the Application YAML and the fields Argo CD does not get", async () => {
  // Registration probes the cluster: it runs Argo CD, not Flux.
  await registerCluster(admin, "argo-a", fleetCluster("e2e-argo").kubeconfig, "fleet=argo-e2e");
  await expect(admin.getByText("Argo CD").first()).toBeVisible();
  // Its own panel: the version (the tag of the argocd image it runs) and its controllers, no Flux card.
  const panel = admin.getByRole("region", { name: "Argo CD" });
  await expect(panel.getByText(/Argo CD v\d+\.\d+\.\d+/)).toBeVisible();
  await expect(panel.getByRole("listitem").filter({ hasText: "argocd-application-controller" })).toContainText("Ready");
  await expect(admin.getByRole("heading", { name: "Flux", exact: true })).toHaveCount(0);

  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("argo-podinfo");
  await admin.getByLabel("Argo CD project").fill("platform");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  const first = admin.getByRole("group", { name: /^Kustomization 1/ });
  await first.getByLabel("Name", { exact: true }).fill("infra");
  await first.getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Add Kustomization" }).click();
  const second = admin.getByRole("group", { name: /^Kustomization 2/ });
  await second.getByLabel("Name", { exact: true }).fill("apps");
  await second.getByLabel("Path", { exact: true }).fill("./apps/podinfo");
  await second.getByLabel("Target namespace").fill("podinfo");
  await second.getByLabel("infra").check();
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("fleet=argo-e2e");
  await expect(admin.getByRole("list", { name: "Matched clusters" })).toContainText("argo-a");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();

  // The dry run names the reconciler and what would be created on the Argo CD cluster.
  const dryRun = admin.getByRole("region", { name: /^Server-side dry run/ });
  await expect(dryRun.getByText("argo-a")).toBeVisible();
  await expect(dryRun.getByText("Argo CD")).toBeVisible();
  await expect(dryRun.getByText("Application argocd/argo-podinfo-apps")).toBeVisible();
  await expect(dryRun.getByText("would create").first()).toBeVisible();

  await expect(admin.getByRole("heading", { name: "Argo CD Application YAML (Secret values masked)" })).toBeVisible();
  const yaml = admin.getByTestId("argo-yaml");
  await expect(yaml).toContainText("kind: Application");
  await expect(yaml).toContainText("name: argo-podinfo-apps");
  await expect(yaml).toContainText("project: platform");
  await expect(yaml).toContainText(`repoURL: ${fleet().git!.repoUrl}`);
  await expect(yaml).toContainText("path: apps/podinfo");
  await expect(yaml).toContainText("targetRevision: main");
  await expect(yaml).toContainText("server: https://kubernetes.default.svc");
  await expect(yaml).toContainText("- CreateNamespace=true");
  // Every target runs Argo CD: no Flux objects are offered for review.
  await expect(admin.getByTestId("rendered-yaml")).toHaveCount(0);

  await expect(admin.getByRole("heading", { name: "Not carried over to Argo CD targets" })).toBeVisible();
  const unsupported = admin.getByTestId("unsupported-fields");
  await expect(unsupported).toContainText("kustomizations.1.dependsOn: Argo CD has no ordering between Applications");
  await expect(unsupported).toContainText("source.interval");
  await expect(unsupported).toContainText("kustomizations.0.interval");

  // Pushed, the Argo CD cluster gets the Applications.
  await admin.getByRole("button", { name: "Create configuration" }).click();
  await expect(admin).toHaveURL(/\/configurations\/[0-9a-f-]{36}\?rollout=/, { timeout: 30_000 });
  await expect(admin.getByRole("status").filter({ hasText: "1 of 1 done" })).toBeVisible({ timeout: 30_000 });
  // The push panel's row (the status table below may say "applied" too once Argo CD reports).
  await expect(admin.getByRole("region", { name: /^Push of v1/ }).getByRole("cell", { name: "applied" })).toHaveCount(1);
});
