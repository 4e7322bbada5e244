import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, fleet, fleetCluster, formAlert, signIn } from "./support";

// Hardening cases 2, 5, 6 and 25 end to end: typed into the real forms of the running portal,
// refused with the field named, and nothing written (unit tests cover each validator's detail).
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

const dbFile = () => path.join(process.env.FLEETLINE_E2E_DIR!, "fleetline.db");
function count(sql: string, ...params: unknown[]): number {
  const db = new Database(dbFile(), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test("case 2: a kubeconfig that is not YAML, names a missing context or carries bad base64 is refused, naming the field", async () => {
  const good = fleetCluster("e2e-1").kubeconfig;
  const broken: [string, string, RegExp][] = [
    ["bad-yaml", "apiVersion: v1\nclusters: [\n", /not valid YAML|single YAML document/],
    ["bad-context", good.replace(/current-context: .*/, "current-context: nowhere"), /not in the kubeconfig/],
    ["bad-base64", good.replace(/certificate-authority-data: .*/, "certificate-authority-data: '%%%not-base64%%%'"), /not valid base64/],
  ];
  for (const [name, kubeconfig, reason] of broken) {
    await admin.goto("/clusters/new");
    await admin.getByLabel("Name", { exact: true }).fill(`case2-${name}`);
    await admin.getByRole("textbox", { name: "Kubeconfig" }).fill(kubeconfig);
    await admin.getByRole("button", { name: "Register cluster" }).click();
    // "Kubeconfig is not valid YAML at line 3, column 1": the field's label, then the reason.
    const alert = formAlert(admin).filter({ hasText: /^Kubeconfig\b/ });
    await expect(alert, name).toContainText(reason, { timeout: 30_000 });
    // The reason, never the kubeconfig's secrets.
    await expect(alert).not.toContainText(fleetCluster("e2e-1").adminToken);
  }
  expect(count("select count(*) as n from clusters where name like 'case2-%'")).toBe(0);
});

/** The wizard up to the workloads step, on the fleet's sample repository (with a credential picked by its label, if given). */
async function toWorkloads(page: Page, name: string, credential?: string) {
  await page.goto("/configurations/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Next: Source" }).click();
  await page.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  if (credential) await page.getByLabel("Credential").selectOption({ label: credential });
  await page.getByRole("button", { name: /^Next: Kustomizations/ }).click();
}

test("case 5: Kustomization paths that climb out of the repository are refused on the step, naming the field", async () => {
  await toWorkloads(admin, "case5-paths");
  const card = admin.getByRole("group", { name: /^Kustomization 1/ });
  await card.getByLabel("Name", { exact: true }).fill("apps");
  for (const [bad, reason] of [
    ["../../etc", "must not contain '..' segments"],
    ["apps/../../secrets", "must not contain '..' segments"],
    ["%2e%2e/secrets", "must not contain percent-encoding ('%')"],
  ] as const) {
    await card.getByLabel("Path", { exact: true }).fill(bad);
    await admin.getByRole("button", { name: "Next: Targets" }).click();
    await expect(card.getByText(`Path: ${reason}`), bad).toBeVisible();
    await expect(admin.getByRole("alert").filter({ hasText: "Fix 1 field before going on" })).toContainText("Kustomization 1 path");
    // Still on the workloads step: nothing moved on, nothing was saved.
    await expect(admin.getByRole("button", { name: "Next: Targets" })).toBeVisible();
  }
  expect(count("select count(*) as n from configurations where name = 'case5-paths'")).toBe(0);
});

test("case 6: Helm values with an alias bomb, deep nesting or a custom tag are refused on the step, naming the field", async () => {
  await toWorkloads(admin, "case6-values");
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Name", { exact: true }).fill("infra");
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Add Helm release" }).click();
  const release = admin.getByRole("group", { name: /^Helm release 1/ });
  await release.getByLabel("Name", { exact: true }).fill("app");
  await release.getByLabel("Chart", { exact: true }).fill("./charts/app");
  const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]"].join("\n");
  for (const [values, reason] of [
    [bomb, /expand aliases/],
    [`deep: ${"[".repeat(200)}${"]".repeat(200)}`, /nest deeper than/],
    ["cmd: !python/object:os.system echo\n", /custom or language-specific tags/],
  ] as const) {
    await release.getByLabel("Values (YAML)").fill(values);
    await admin.getByRole("button", { name: "Next: Targets" }).click();
    await expect(release.getByText(/^Values \(YAML\): /)).toContainText(reason);
    await expect(admin.getByRole("alert").filter({ hasText: "Fix 1 field before going on" })).toContainText("Helm release 1 values (YAML)");
  }
  expect(count("select count(*) as n from configurations where name = 'case6-values'")).toBe(0);
});

test("case 25: a Git credential bound to another host is not sent to this repository: refused at review, nothing saved", async () => {
  await admin.goto("/settings/credentials");
  const form = admin.getByRole("region", { name: "Create credential" });
  await form.getByLabel("Type").selectOption("https");
  await form.getByLabel("Name", { exact: true }).fill("other-host-git");
  await form.getByLabel("Host", { exact: true }).fill("git.other.test");
  await form.getByLabel("Username").fill("bot");
  await form.getByLabel("Password or token").fill("other-host-Pa55word-e2e");
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential other-host-git", { timeout: 30_000 });

  const repoHost = new URL(fleet().git!.repoUrl).hostname;
  await toWorkloads(admin, "case25-host", "other-host-git (https, git.other.test)");
  const card = admin.getByRole("group", { name: /^Kustomization 1/ });
  await card.getByLabel("Name", { exact: true }).fill("infra");
  await card.getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("env=nowhere");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();
  // The server's check (the browser cannot know where a credential may go): the field and both hosts named.
  await expect(admin.getByText(`the credential is bound to host git.other.test; this source is on ${repoHost}`).first()).toBeVisible({ timeout: 30_000 });
  await expect(admin.getByRole("button", { name: "Create configuration" })).toHaveCount(0);
  expect(count("select count(*) as n from configurations where name = 'case25-host'")).toBe(0);
});
