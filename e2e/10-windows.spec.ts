import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, fleet, fleetCluster, formAlert, registerCluster, signIn } from "./support";

// Maintenance windows in the browser: an admin adds a freeze for a label, a push to a cluster under
// it waits on its row saying which window holds it and until when, and an admin lets that one push
// through with a reason.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
// datetime-local values, read in UTC (the window's time zone).
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test("an admin adds a freeze; bad input is refused field by field", async () => {
  await admin.goto("/settings/windows");
  const form = admin.getByRole("region", { name: "Create window" });
  await form.getByLabel("Name").fill("e2e-freeze");
  await form.getByLabel("Clusters (label selector)").fill("freeze=e2e");
  await form.getByLabel("Starts (cron)").fill("0 22 * *");
  await form.getByLabel("Time zone").fill("Mars/Olympus");
  await form.getByRole("button", { name: "Create window" }).click();
  await expect(formAlert(admin).filter({ hasText: "Starts (cron): must have five fields" })).toBeVisible();
  await expect(formAlert(admin).filter({ hasText: "Open for (minutes): must be a whole number" })).toBeVisible();
  await expect(formAlert(admin).filter({ hasText: "Time zone: is not a time zone" })).toBeVisible();
  await expect(admin.getByRole("table", { name: "Maintenance windows" })).toHaveCount(0);

  await form.getByLabel("Schedule").selectOption("once");
  await form.getByLabel("From").fill(local(Date.now() - 3_600_000));
  await form.getByLabel("Until").fill(local(Date.now() + 7_200_000));
  await form.getByLabel("Time zone").fill("UTC");
  await form.getByLabel("Reason").fill("e2e change freeze");
  await form.getByRole("button", { name: "Create window" }).click();
  await expect(form.getByRole("status")).toContainText("Created deny window e2e-freeze.");
  const row = admin.getByRole("row").filter({ hasText: "e2e-freeze" });
  await expect(row).toContainText("freeze=e2e");
  await expect(row).toContainText(/open until in (an hour|2 hours|1\d\d minutes)/);
});

test("a push to a frozen cluster waits, naming the window; an admin's override lets it through", async () => {
  await registerCluster(admin, "win-a", fleetCluster("e2e-2").kubeconfig, "fleet=windows, freeze=e2e");
  await createConfiguration(admin, { name: "win-app", repoUrl: fleet().git!.repoUrl, kustomizations: [{ name: "apps", path: "./apps/podinfo" }], matchLabels: "fleet=windows" });
  const panel = admin.getByRole("region", { name: /^Push of v1/ });
  await expect(panel.getByRole("status").first()).toContainText("0 of 1 done, 1 held by a maintenance window", { timeout: 30_000 });
  await expect(panel.getByRole("row").filter({ hasText: "win-a" })).toContainText(/held: deny window e2e-freeze is open until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

  const override = panel.getByLabel(/Push to the held cluster now, despite the window/);
  await panel.getByRole("button", { name: "Override the window" }).click();
  await expect(formAlert(admin).filter({ hasText: "Reason" })).toBeVisible();
  await override.fill("e2e: hotfix that cannot wait");
  await panel.getByRole("button", { name: "Override the window" }).click();
  // The form (and its "no longer waits" message) goes as soon as the panel sees the override, which
  // can be before this line runs: what stays is the count and the override's author and reason.
  await expect(panel.getByRole("status").filter({ hasText: /of 1 done/ })).toContainText("1 of 1 done", { timeout: 30_000 });
  await expect(panel).toContainText(`Windows overridden by ${ADMIN.email}: e2e: hotfix that cannot wait`);

  await admin.goto("/audit?action=rollout.window-override");
  await expect(admin.getByRole("row").filter({ hasText: "e2e: hotfix that cannot wait" })).toHaveCount(1);
  await admin.goto("/settings/windows");
  await admin.getByRole("button", { name: "Delete window e2e-freeze" }).click();
  await expect(admin.getByRole("row").filter({ hasText: "e2e-freeze" })).toHaveCount(0);
});
