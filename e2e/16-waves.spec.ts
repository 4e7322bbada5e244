import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, fleet, fleetCluster, formAlert, registerCluster, signIn } from "./support";

// Rollout waves in the browser: three waves set up in the wizard (bad values refused by field),
// a push that moves through dev's gate and its soak, an operator approving the last wave, and a
// later version whose dev cluster fails: the wave halts, saying which cluster and why, and the
// operator aborts it with a rollback.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let configurationUrl = "";

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  // Two Flux API servers, three registrations: dev and prod share e2e-1.
  await registerCluster(admin, "wave-dev", fleetCluster("e2e-1").kubeconfig, "fleet=waves, env=dev");
  await registerCluster(admin, "wave-staging", fleetCluster("e2e-2").kubeconfig, "fleet=waves, env=staging");
  await registerCluster(admin, "wave-prod", fleetCluster("e2e-1").kubeconfig, "fleet=waves, env=prod");
});

const wave = (n: number) => admin.getByRole("group", { name: new RegExp(`^Wave ${n}`) });

test("three waves set up in the wizard; the push passes dev's gate and waits for approval before prod", async () => {
  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("waves-app");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  const card = admin.getByRole("group", { name: /^Kustomization 1/ });
  await card.getByLabel("Name", { exact: true }).fill("apps");
  await card.getByLabel("Path", { exact: true }).fill("./apps/podinfo");
  await card.getByLabel("Target namespace").fill("default");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("fleet=waves");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByLabel("Roll out in waves").check();
  // The three default waves: dev, staging, prod (the rest).
  await expect(wave(1).getByLabel("Clusters (label selector)")).toHaveValue("env=dev");
  await expect(wave(2).getByLabel("Clusters (label selector)")).toHaveValue("env=staging");
  await wave(1).getByLabel("Soak (seconds)").fill("soon");
  await wave(2).getByLabel("Clusters at a time").fill("0");
  await admin.getByRole("button", { name: "Next: Review" }).click();
  await expect(formAlert(admin).filter({ hasText: "Fix 2 fields before going on: Wave 1 soak (seconds), Wave 2 clusters at a time." })).toBeVisible();
  await expect(wave(1).getByText("must be from 0 to 86400 seconds (a day)")).toBeVisible();

  await wave(1).getByLabel("Soak (seconds)").fill("3");
  await wave(2).getByLabel("Clusters at a time").fill("4");
  await wave(2).getByLabel("Soak (seconds)").fill("0");
  await wave(2).getByLabel("Then").selectOption("operator");
  await admin.getByRole("button", { name: "Next: Review" }).click();
  await expect(admin.getByTestId("rendered-yaml")).toBeVisible({ timeout: 30_000 });
  await admin.getByRole("button", { name: "Create configuration" }).click();
  await expect(admin).toHaveURL(/\/configurations\/[0-9a-f-]{36}\?rollout=/, { timeout: 30_000 });
  configurationUrl = admin.url().split("?")[0]!;

  await admin.getByRole("link", { name: "Open the rollout page" }).click();
  await expect(admin).toHaveURL(/\/rollouts\/[0-9a-f-]{36}$/);
  await expect(admin.getByRole("heading", { name: "Push of waves-app v1" })).toBeVisible();
  const waves = admin.getByRole("region", { name: "Waves" });
  await expect(waves.getByRole("listitem")).toHaveText([/^1\. dev/, /^2\. staging/, /^3\. prod/]);
  // Dev goes first; staging and prod wait for its gate.
  await expect(admin.getByTestId("wave-0-counts")).toContainText("1 applied", { timeout: 30_000 });
  await expect(admin.getByTestId("wave-2-counts")).toContainText("1 pending");
  // The gate: dev Compliant on v1, then its 3-second soak, before staging starts.
  await expect(admin.getByTestId("wave-0-counts")).toContainText("1 Compliant", { timeout: 60_000 });
  // Staging passes its gate and waits for an operator before prod.
  await expect(admin.getByRole("heading", { name: /^Wave 2 of 3: staging · waiting for approval/ })).toBeVisible({ timeout: 60_000 });
  await expect(admin.getByTestId("wave-2-counts")).toContainText("1 pending");
  await admin.getByRole("button", { name: "Approve prod" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Approved: prod starts." })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "Rollout done" })).toBeVisible({ timeout: 60_000 });
  await expect(admin.getByTestId("wave-2-counts")).toContainText("1 applied");
  await expect(waves).toContainText(`Next wave approved by ${ADMIN.email}`);
});

test("a failing dev cluster halts the next version at its gate, saying why; abort with rollback takes dev back to v1", async () => {
  await admin.goto(`${configurationUrl}?tab=edit`);
  await admin.getByRole("button", { name: "3. Kustomizations / Helm releases" }).click();
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Path", { exact: true }).fill("./does-not-exist");
  await admin.getByRole("button", { name: "6. Review" }).click();
  await expect(admin.getByTestId("rendered-yaml")).toBeVisible({ timeout: 30_000 });
  await admin.getByRole("button", { name: "Save version" }).click();
  await expect(admin).toHaveURL(/\?rollout=/, { timeout: 30_000 });
  await admin.getByRole("link", { name: "Open the rollout page" }).click();

  const alert = admin.getByRole("alert").filter({ hasText: "Gate of dev" });
  await expect(alert).toContainText(/halted: 1 of 1 clusters failing, more than the gate allows \(0\): wave-dev \(Non-Compliant: Kustomization\/waves-app-apps/, { timeout: 90_000 });
  await expect(admin.getByRole("heading", { name: /^Wave 1 of 3: dev · halted/ })).toBeVisible();
  await expect(admin.getByTestId("wave-1-counts")).toContainText("1 pending");

  // Before the page's scripts run its controls are disabled: a click then posted the page
  // natively and the verb was lost (seen in CI: the abort never ran and no status came).
  const noScript = await admin.context().browser()!.newContext({ javaScriptEnabled: false, storageState: await admin.context().storageState() });
  const bare = await noScript.newPage();
  await bare.goto(admin.url());
  await expect(bare.getByRole("button", { name: "Abort and roll back to v1" })).toBeDisabled();
  await noScript.close();

  await admin.getByRole("button", { name: "Abort and roll back to v1" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Aborted; v1 goes back to the clusters that got v2." })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "Rollout aborted" })).toBeVisible({ timeout: 30_000 });
  await expect(admin.getByRole("region", { name: "Waves" })).toBeVisible();
  await expect(admin.getByRole("row").filter({ hasText: "wave-staging" })).toContainText("aborted");
  await admin.getByRole("link", { name: "Follow the rollback" }).click();
  await expect(admin.getByRole("heading", { name: "Rollback of waves-app v1" })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "Rollout done" })).toBeVisible({ timeout: 60_000 });
  await expect(admin.getByRole("row").filter({ hasText: "wave-dev" })).toContainText("applied");

  await admin.goto("/audit?action=rollout.abort-rollback");
  await expect(admin.getByRole("row").filter({ hasText: "waves-app" }).or(admin.getByRole("row").filter({ hasText: "rollout.abort-rollback" })).first()).toBeVisible();
});
