import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, ensureViewer, fleet, fleetCluster, formAlert, registerCluster, signIn, VIEWER } from "./support";

// The compliance page on its own clusters (cmp-*): a configuration pushed to one prod cluster,
// an audit-only assignment requiring it on every prod cluster, the matrix and its export.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let editUrl = "/compliance?tab=assignments";
let matrixUrl = "";

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

/** RFC 4180 rows, enough for the export (quoted cells with commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ",") {
      row.push(cell);
      cell = "";
    } else if (!quoted && c === "\n") {
      rows.push([...row, cell.replace(/\r$/, "")]);
      row = [];
      cell = "";
    } else {
      cell += c;
    }
  }
  return rows;
}

test("an operator adds an audit-only assignment; bad input is refused field by field", async () => {
  await registerCluster(admin, "cmp-prod-1", fleetCluster("e2e-1").kubeconfig, "fleet=compliance, env=prod, cmp-ring=pilot");
  await registerCluster(admin, "cmp-prod-2", fleetCluster("e2e-2").kubeconfig, "fleet=compliance, env=prod");
  await registerCluster(admin, "cmp-dev-1", fleetCluster("e2e-bare").kubeconfig, "fleet=compliance, env=dev");
  // Pushed to the pilot ring only: cmp-prod-2 is prod but never gets it.
  await createConfiguration(admin, {
    name: "cmp-baseline",
    repoUrl: fleet().git!.repoUrl,
    kustomizations: [{ name: "apps", path: "./apps/podinfo", targetNamespace: "default" }],
    matchLabels: "cmp-ring=pilot",
  });
  await expect(admin.getByRole("status").filter({ hasText: "1 of 1 done" })).toBeVisible({ timeout: 30_000 });

  await admin.goto("/compliance?tab=assignments");
  const form = admin.getByRole("region", { name: "Create assignment" });
  await form.getByLabel("Name").fill("Baseline Prod");
  await form.getByLabel("Cluster selector").fill("env in (prod");
  await form.getByRole("button", { name: "Create assignment" }).click();
  await expect(formAlert(admin).filter({ hasText: "Name: must be lowercase" })).toBeVisible();
  await expect(formAlert(admin).filter({ hasText: "Cluster selector: has an unclosed parenthesis" })).toBeVisible();
  await expect(form.getByLabel("Cluster selector")).toHaveValue("env in (prod");

  await form.getByLabel("Name").fill("cmp-baseline-prod");
  await form.getByLabel("Configuration").selectOption({ label: "cmp-baseline" });
  await form.getByLabel("Cluster selector").fill("fleet=compliance, env in (prod)");
  await form.getByRole("button", { name: "Create assignment" }).click();
  await expect(form.getByRole("status")).toContainText("Created assignment cmp-baseline-prod.");
  const row = admin.getByRole("row").filter({ hasText: "cmp-baseline-prod" });
  await expect(row).toContainText("fleet=compliance, env in (prod)");
  await expect(row.getByRole("link", { name: "2 clusters" })).toBeVisible();

  await admin.goto("/audit?action=assignment.create");
  await expect(admin.getByRole("row").filter({ hasText: "invalid" })).toHaveCount(1);
  await expect(admin.getByRole("row").filter({ hasText: "success" })).toHaveCount(1);
});

test("the matrix filters down to the non-compliant prod cell, which opens its configuration", async () => {
  await admin.goto("/compliance?tab=matrix");
  const filters = admin.getByRole("search", { name: "Filter the matrix" });
  await filters.getByLabel("Label", { exact: true }).fill("fleet=compliance");
  await filters.getByLabel("Assignment").selectOption({ label: "cmp-baseline-prod" });
  await filters.getByLabel("Columns").selectOption("assignments");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  // The pilot cluster turns Compliant once the collector has seen Flux reconcile it.
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByRole("row").filter({ hasText: "cmp-prod-1" }).getByRole("link", { name: /^Compliant/ })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 45_000 });
  await expect(admin.getByRole("row").filter({ hasText: "cmp-dev-1" })).toHaveCount(0);

  await filters.getByLabel("State").selectOption("Non-Compliant");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(admin).toHaveURL(/state=Non-Compliant/);
  matrixUrl = admin.url();
  const rows = admin.getByRole("table", { name: /Compliance matrix/ }).locator("tbody tr");
  await expect(rows).toHaveCount(1);
  const cell = rows.filter({ hasText: "cmp-prod-2" }).getByRole("link", { name: /^Non-Compliant \(not applied\)$/ });
  // The reason is on hover too, not only for screen readers.
  await expect(cell.locator("[title]")).toHaveAttribute("title", "not applied");
  await cell.click();
  await expect(admin.getByRole("heading", { name: "cmp-baseline" })).toBeVisible();
});

test("the CSV export of the filtered matrix has exactly the page's cells", async () => {
  await admin.goto(matrixUrl);
  const table = admin.getByRole("table", { name: /Compliance matrix/ });
  const columns = (await table.locator("thead th").allTextContents()).slice(3);
  const onPage: string[] = [];
  for (const row of await table.locator("tbody tr").all()) {
    const cluster = (await row.locator("th").textContent())?.trim();
    const cells = await row.locator("td").allTextContents();
    cells.slice(2).forEach((text, i) => {
      const state = /(Non-Compliant|Compliant|Pending|Unknown|Suspended)/.exec(text)?.[1];
      if (state) onPage.push(`${cluster},${columns[i]?.replace(/audit · .*$/, "")},${state}`);
    });
  }
  expect(onPage).toEqual(["cmp-prod-2,cmp-baseline-prod,Non-Compliant"]);

  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^fleetline-compliance-.*\.csv$/);
  const [header, ...lines] = parseCsv(fs.readFileSync((await download.path())!, "utf8"));
  expect(header).toEqual(["cluster", "labels", "configuration", "assignment", "effect", "state", "reason", "message", "since", "observed_at", "config_drift", "revision_drift", "resource_drift", "behind_by"]);
  expect(lines.map((l) => `${l[0]},${l[3]},${l[5]}`)).toEqual(onPage);
  expect(lines[0]).toEqual(expect.arrayContaining(["cmp-baseline", "audit", "not applied", "fleet=compliance, env=prod"]));

  const json = await admin.request.get(`/api/compliance/export?format=json&${new URL(matrixUrl).searchParams.toString()}`);
  expect((await json.json()) as unknown[]).toEqual([expect.objectContaining({ cluster: "cmp-prod-2", assignment: "cmp-baseline-prod", state: "Non-Compliant", labels: { env: "prod", fleet: "compliance" } })]);
});

test("an operator edits and deletes an assignment from the panel beside the table (the row keeps only its links)", async () => {
  await admin.goto("/compliance?tab=assignments");
  const create = admin.getByRole("region", { name: "Create assignment" });
  await create.getByLabel("Name").fill("cmp-scratch");
  await create.getByLabel("Configuration").selectOption({ label: "cmp-baseline" });
  await create.getByLabel("Cluster selector").fill("fleet=compliance");
  await create.getByRole("button", { name: "Create assignment" }).click();
  await expect(create.getByRole("status")).toContainText("Created assignment cmp-scratch.");
  const row = admin.getByRole("row").filter({ has: admin.getByRole("cell", { name: "cmp-scratch", exact: true }) });
  await expect(row.getByRole("link", { name: "3 clusters" })).toBeVisible();
  expect(await row.locator("input, select, textarea").count()).toBe(0);

  await row.getByRole("link", { name: "Edit cmp-scratch" }).click();
  const edit = admin.getByRole("region", { name: "Edit assignment cmp-scratch" });
  await expect(edit.getByLabel("Cluster selector")).toHaveValue("fleet=compliance");
  editUrl = admin.url();
  await edit.getByLabel("Cluster selector").fill("fleet=compliance, env=dev");
  await edit.getByRole("button", { name: "Save cmp-scratch" }).click();
  await expect(edit.getByRole("status")).toContainText("Saved assignment cmp-scratch.");
  await expect(row.getByRole("link", { name: "1 cluster" })).toBeVisible();

  await row.getByRole("link", { name: "Delete cmp-scratch" }).click();
  const remove = admin.getByRole("region", { name: "Delete assignment cmp-scratch" });
  await remove.getByLabel("Type cmp-scratch to delete it").fill("cmp-scratc");
  await remove.getByRole("button", { name: "Delete cmp-scratch" }).click();
  await expect(remove.getByRole("alert")).toBeVisible();
  await expect(row).toHaveCount(1);
  await remove.getByLabel("Type cmp-scratch to delete it").fill("cmp-scratch");
  await remove.getByRole("button", { name: "Delete cmp-scratch" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Deleted assignment cmp-scratch." })).toBeVisible();
  await expect(row).toHaveCount(0);
  await expect(admin.getByRole("region", { name: "Create assignment" })).toBeVisible();
});

test("a viewer reads the compliance page and exports, but gets no assignment form; no session gets nothing", async ({ browser, playwright }) => {
  await ensureViewer(admin);
  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, VIEWER);
  await viewer.goto("/compliance?tab=assignments");
  await expect(viewer.getByRole("row").filter({ hasText: "cmp-baseline-prod" })).toBeVisible();
  await expect(viewer.getByRole("region", { name: "Create assignment" })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Edit cmp-baseline-prod" })).toHaveCount(0);
  // Nor by the admin's link: the panel is not there for a viewer.
  await viewer.goto(editUrl);
  await expect(viewer.getByRole("region", { name: /Edit assignment/ })).toHaveCount(0);
  expect((await viewer.request.get("/api/compliance/export?format=csv")).status()).toBe(200);
  const anonymous = await playwright.request.newContext({ baseURL: new URL(admin.url()).origin });
  expect((await anonymous.get("/api/compliance/export?format=csv")).status()).toBe(401);
  await anonymous.dispose();
});
