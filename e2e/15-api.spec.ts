import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, databaseBytes, ensureAdmin, signIn } from "./support";

// Issue 16 §2 in the browser: a personal API token for a pipeline. Created in Settings (shown
// once), it reads /api/v1 with its own role; a bad token is 401; revoked, it stops working; each
// call is in the audit log under the token's name; the database holds only its hash.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test("a viewer-role token reads the clusters API, is audited by name, and stops working once revoked", async ({ playwright, baseURL }) => {
  test.setTimeout(120_000);
  await admin.goto("/settings/tokens");
  const form = admin.getByRole("form", { name: "Create an API token" });
  // Refused on the field, nothing created.
  await form.getByLabel("Expires after (days)").fill("400");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByRole("alert").filter({ hasText: "at most 365 days" })).toBeVisible();
  await expect(form.getByRole("alert").filter({ hasText: "is required" })).toBeVisible();

  await form.getByLabel("Name").fill("e2e-pipeline");
  await form.getByLabel("Expires after (days)").fill("30");
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByRole("status")).toContainText("Copy it now");
  const token = await form.getByLabel("Your new token (shown once)").inputValue();
  expect(token).toMatch(/^flt_/);
  expect(databaseBytes().includes(token.slice(4))).toBe(false);

  const api = await playwright.request.newContext({ baseURL });
  const call = (value: string) => api.get("/api/v1/clusters?sort=name", { headers: { authorization: `Bearer ${value}` } });
  const ok = await call(token);
  expect(ok.status()).toBe(200);
  const body = (await ok.json()) as { total: number; items: { name: string; health: { state: string } }[] };
  expect(body.total).toBeGreaterThanOrEqual(0);
  expect(Array.isArray(body.items)).toBe(true);
  expect((await call("flt_not-a-real-token")).status()).toBe(401);
  expect((await api.get("/api/v1/clusters")).status()).toBe(401);

  // The list shows it with its last use; the audit log names it.
  await admin.goto("/settings/tokens");
  const row = admin.getByRole("row", { name: /e2e-pipeline/ });
  await expect(row).toContainText("viewer");
  await expect(row).not.toContainText("never");
  await admin.goto("/audit");
  await expect(admin.getByText("API: clusters.list with API token e2e-pipeline").first()).toBeVisible();

  await admin.goto("/settings/tokens");
  await row.getByRole("button", { name: "Revoke e2e-pipeline" }).click();
  // The row says so (its Revoke button, and the form's message with it, are gone).
  await expect(row).toContainText(`revoked by ${ADMIN.email}`);
  expect((await call(token)).status()).toBe(401);
  await api.dispose();
});
